-- Cancel a task that no worker has taken, as one atomic step with a compare-and-set: the record must still be exactly
-- the JSON the caller read, and the task must still be in the schedule or in the pending stream unclaimed.
--
-- KEYS[1]  the task record (sheppy:tasks:{q}:{id})
-- KEYS[2]  the schedule (sheppy:scheduled:{q})
-- KEYS[3]  the pending stream (sheppy:pending:{q})
-- KEYS[4]  the index of unclaimed entries (sheppy:pending_ids:{q})
-- KEYS[5]  the finished notifications (sheppy:finished:{q})
-- KEYS[6]  the completed counter (sheppy:completed:{q})
-- ARGV[1]  the task id
-- ARGV[2]  the task JSON read before (the expected record)
-- ARGV[3]  the cancelled task JSON
-- ARGV[4]  the record's time to live in seconds, or "" to keep it until deleted
-- ARGV[5]  the oldest finished notification id to keep (MINID, approximate trimming)
--
-- Returns "cancelled" when the task was cancelled, "taken" when it is neither scheduled nor waiting unclaimed (a
-- worker took it), "changed" when the record is not the expected JSON any more (read it again and retry).

local id = ARGV[1]
if redis.call('GET', KEYS[1]) ~= ARGV[2] then
	return 'changed'
end

local cancellable = redis.call('ZREM', KEYS[2], id) == 1
if not cancellable then
	local entry = redis.call('HGET', KEYS[4], id)
	if entry then
		-- only an entry that is still in the stream is unclaimed; a stale index entry is dropped
		cancellable = redis.call('XDEL', KEYS[3], entry) == 1
		redis.call('HDEL', KEYS[4], id)
	end
end
if not cancellable then
	return 'taken'
end

if ARGV[4] ~= '' then
	redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
else
	redis.call('SET', KEYS[1], ARGV[3])
end
redis.call('XADD', KEYS[5], 'MINID', '~', ARGV[5], '*', 'task_id', id)
redis.call('INCR', KEYS[6])
return 'cancelled'
