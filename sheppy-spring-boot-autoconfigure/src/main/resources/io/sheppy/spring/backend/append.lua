-- Store tasks and queue them, one atomic step per batch: a task is never stored without being queued.
--
-- KEYS[1]     the pending stream (sheppy:pending:{q})
-- KEYS[2]     the index of queued entries (sheppy:pending_ids:{q})
-- KEYS[3..n]  the task records (sheppy:tasks:{q}:{id}), one per task, in the order of the tasks
-- ARGV[1]     the consumer group, created at id 0 with MKSTREAM when the stream does not exist yet
-- ARGV[2]     "1" when a task whose record exists is refused, "0" when it is overwritten and queued again
-- ARGV[3..]   per task, two values: the task id and the task JSON
--
-- Returns one value per task: the stream entry id when it was queued, 0 when it was refused.

local stream = KEYS[1]
local pending_ids = KEYS[2]
local unique = ARGV[2] == '1'

if redis.call('EXISTS', stream) == 0 then
	redis.call('XGROUP', 'CREATE', stream, ARGV[1], '0', 'MKSTREAM')
end

local results = {}
-- the index entries of the batch, written with one HSET: task id, entry id, ...
local indexed = {}
for i = 3, #KEYS do
	local id = ARGV[2 * i - 3]
	local json = ARGV[2 * i - 2]
	local stored
	if unique then
		stored = redis.call('SET', KEYS[i], json, 'NX')
	else
		stored = redis.call('SET', KEYS[i], json)
	end
	if stored then
		local entry = redis.call('XADD', stream, '*', 'data', json)
		indexed[#indexed + 1] = id
		indexed[#indexed + 1] = entry
		results[#results + 1] = entry
	else
		results[#results + 1] = 0
	end
end
if #indexed > 0 then
	redis.call('HSET', pending_ids, unpack(indexed))
end
return results
