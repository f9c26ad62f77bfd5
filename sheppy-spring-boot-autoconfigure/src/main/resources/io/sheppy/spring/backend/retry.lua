-- Run a finished task again, as one atomic step with a compare-and-set: only when the record exists and has finished
-- (completed, failed, crashed or cancelled), it is replaced by the new, unfinished state, without a time to live, and
-- the task is queued, or put in the schedule when a due time is given. A task queued now is also taken out of the
-- schedule, where a task finished by hand may still be, so that it cannot be promoted and run a second time. The stored
-- JSON is decoded only to read its finished_at; the new JSON is written and queued as given.
--
-- KEYS[1]  the task record (sheppy:tasks:{q}:{id})
-- KEYS[2]  the pending stream (sheppy:pending:{q})
-- KEYS[3]  the index of queued entries (sheppy:pending_ids:{q})
-- KEYS[4]  the schedule (sheppy:scheduled:{q})
-- ARGV[1]  the task id
-- ARGV[2]  the new task JSON
-- ARGV[3]  the consumer group, created at id 0 with MKSTREAM when the stream does not exist yet
-- ARGV[4]  the due time in epoch seconds (the score), or "" to queue the task now
-- ARGV[5]  the schedule-change channel (sheppy:scheduled-changed:{q}), published to with the task id when the task is
--          scheduled and is now the first of the schedule, so that waiting schedulers of any process wake up for it
--
-- Returns 1 when the task was queued or scheduled, 0 when its record is gone, has not finished or is not a JSON object
-- (nothing changed).

local current = redis.call('GET', KEYS[1])
if not current then
	return 0
end
local ok, decoded = pcall(cjson.decode, current)
if not ok or type(decoded) ~= 'table' or decoded['finished_at'] == nil or decoded['finished_at'] == cjson.null then
	return 0
end

-- a plain SET drops the time to live of the finished record
redis.call('SET', KEYS[1], ARGV[2])
local id = ARGV[1]
if ARGV[4] == '' then
	if redis.call('EXISTS', KEYS[2]) == 0 then
		redis.call('XGROUP', 'CREATE', KEYS[2], ARGV[3], '0', 'MKSTREAM')
	end
	local entry = redis.call('XADD', KEYS[2], '*', 'data', ARGV[2])
	redis.call('HSET', KEYS[3], id, entry)
	redis.call('ZREM', KEYS[4], id)
else
	redis.call('ZADD', KEYS[4], ARGV[4], id)
	if redis.call('ZRANGE', KEYS[4], 0, 0)[1] == id then
		redis.call('PUBLISH', ARGV[5], id)
	end
end
return 1
