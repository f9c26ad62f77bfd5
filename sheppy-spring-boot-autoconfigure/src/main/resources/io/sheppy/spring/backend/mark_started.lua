-- Mark tasks that a worker held (claimed without marking them, see read_claim.lua and claim.lua) as processing, now
-- that they started, one atomic step per task with a compare-and-set: a record is marked only while the delivery is
-- still the caller's and the record is still in the state it was queued in (a task cancelled, taken over or finished
-- meanwhile is left as it is). The record keeps its time to live, if it has one.
--
-- KEYS[1]     the pending stream (sheppy:pending:{q})
-- KEYS[2..n]  the task records (sheppy:tasks:{q}:{id}), one per task
-- ARGV[1]     the consumer group
-- ARGV[2]     the caller's consumer name
-- ARGV[3..]   per task, three values: the stream entry it was delivered with, the JSON it was queued with up to the
--             end of its status value, and the JSON of its processing state
--
-- Returns one value per task: 1 when it was marked, 0 when it was left as it is.

local results = {}
for i = 2, #KEYS do
	local entry = ARGV[3 * i - 3]
	local queued = ARGV[3 * i - 2]
	local result = 0
	local pending = redis.call('XPENDING', KEYS[1], ARGV[1], entry, entry, 1)[1]
	if pending and pending[2] == ARGV[2] and redis.call('GETRANGE', KEYS[i], 0, #queued - 1) == queued then
		redis.call('SET', KEYS[i], ARGV[3 * i - 1], 'KEEPTTL')
		result = 1
	end
	results[#results + 1] = result
end
return results
