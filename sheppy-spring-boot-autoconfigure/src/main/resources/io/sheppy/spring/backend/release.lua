-- Hand taken tasks back to the queue, one atomic step per task: the delivery's entry is acknowledged and deleted and
-- the task, as its record holds it now, is queued again at the end of the stream, so that any worker can take it. A
-- task whose record is gone or finished (cancelled, completed or deleted meanwhile) is not queued again. The stored
-- JSON is decoded only to read its finished_at and is queued as it is.
--
-- KEYS[1]     the pending stream (sheppy:pending:{q})
-- KEYS[2]     the index of unclaimed entries (sheppy:pending_ids:{q})
-- KEYS[3..n]  the task records (sheppy:tasks:{q}:{id}), one per delivery, in the order of the deliveries
-- ARGV[1]     the consumer group, created at id 0 with MKSTREAM when the stream does not exist any more
-- ARGV[2..]   per delivery, two values: the stream entry id it was delivered with and the task id
--
-- Returns one value per delivery: the new stream entry id when the task was queued again, 0 when its record is gone or
-- finished, -1 when its record is not a JSON object (not queued: no worker could run it).

local stream = KEYS[1]
local pending_ids = KEYS[2]
local group = ARGV[1]

local results = {}
for i = 3, #KEYS do
	local entry = ARGV[2 * i - 4]
	local id = ARGV[2 * i - 3]
	redis.call('XACK', stream, group, entry)
	redis.call('XDEL', stream, entry)
	local result = 0
	local current = redis.call('GET', KEYS[i])
	if current then
		local ok, decoded = pcall(cjson.decode, current)
		if not ok or type(decoded) ~= 'table' then
			result = -1
		elseif decoded['finished_at'] == nil or decoded['finished_at'] == cjson.null then
			if redis.call('EXISTS', stream) == 0 then
				redis.call('XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM')
			end
			result = redis.call('XADD', stream, '*', 'data', current)
			redis.call('HSET', pending_ids, id, result)
		end
	end
	results[#results + 1] = result
end
return results
