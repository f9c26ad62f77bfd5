-- Store the new state of a task, as one atomic step with a compare-and-set: the record is written only when it exists
-- and has not finished (a task that was cancelled, crashed or completed meanwhile is never overwritten). A task that
-- waits for a retry is put in the schedule in the same step, so that it cannot be left retrying forever by a worker
-- that dies after a failed attempt. The stored JSON is decoded only to read its finished_at; the new JSON is written
-- as given.
--
-- KEYS[1]  the task record (sheppy:tasks:{q}:{id})
-- KEYS[2]  the pending stream (sheppy:pending:{q})
-- KEYS[3]  the index of unclaimed entries (sheppy:pending_ids:{q})
-- KEYS[4]  the finished notifications (sheppy:finished:{q})
-- KEYS[5]  the completed counter (sheppy:completed:{q})
-- KEYS[6]  the schedule (sheppy:scheduled:{q})
-- ARGV[1]  the task id
-- ARGV[2]  the new task JSON
-- ARGV[3]  "1" when the new state is finished, else "0"
-- ARGV[4]  the record's time to live in seconds, or "" to keep it until deleted
-- ARGV[5]  the stream entry the task was delivered with, or "" for none
-- ARGV[6]  the consumer group
-- ARGV[7]  the oldest finished notification id to keep (MINID, approximate trimming)
-- ARGV[8]  the due time of the next retry in epoch seconds (the score), or "" when the task is not to be scheduled
-- ARGV[9]  the schedule-change channel (sheppy:scheduled-changed:{q}), published to with the task id when the task is
--          scheduled and is now the first of the schedule, so that waiting schedulers of any process wake up for it
-- ARGV[10] the caller's consumer name, when a delivery is given
--
-- Returns 1 when the state was stored, 0 when the record is gone or already finished (nothing stored or scheduled), -1
-- when the delivery is no longer the caller's: another worker took the task over (its lease had lapsed), and only that
-- worker's outcome counts (fencing). Otherwise the delivery entry, if given, is acknowledged and deleted either way.

local delivery = ARGV[5]
if delivery ~= '' then
	local owner = redis.call('XPENDING', KEYS[2], ARGV[6], delivery, delivery, 1)[1]
	if not owner or owner[2] ~= ARGV[10] then
		return -1
	end
	redis.call('XACK', KEYS[2], ARGV[6], delivery)
	redis.call('XDEL', KEYS[2], delivery)
end

local current = redis.call('GET', KEYS[1])
if not current then
	return 0
end
local ok, decoded = pcall(cjson.decode, current)
-- a record that is not a JSON object cannot say it has finished: the new state replaces it
if ok and type(decoded) == 'table' and decoded['finished_at'] ~= nil and decoded['finished_at'] ~= cjson.null then
	return 0
end

if ARGV[4] ~= '' then
	redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[4])
else
	redis.call('SET', KEYS[1], ARGV[2])
end
local finished = ARGV[3] == '1'
if finished or delivery ~= '' then
	-- the task is no longer waiting in the stream, so it can no longer be cancelled there
	redis.call('HDEL', KEYS[3], ARGV[1])
end
if finished then
	redis.call('XADD', KEYS[4], 'MINID', '~', ARGV[7], '*', 'task_id', ARGV[1])
	redis.call('INCR', KEYS[5])
elseif ARGV[8] ~= '' then
	redis.call('ZADD', KEYS[6], ARGV[8], ARGV[1])
	if redis.call('ZRANGE', KEYS[6], 0, 0)[1] == ARGV[1] then
		redis.call('PUBLISH', ARGV[9], ARGV[1])
	end
end
return 1
