-- Cancel a task that no worker has taken, as one atomic step with a compare-and-set: the record must still be exactly
-- the JSON the caller read, and the task must still be in the schedule or in the pending stream unclaimed (a task that
-- a worker claimed is marked processing).
--
-- KEYS[1]  the task record (sheppy:tasks:{q}:{id})
-- KEYS[2]  the schedule (sheppy:scheduled:{q})
-- KEYS[3]  the pending stream (sheppy:pending:{q})
-- KEYS[4]  the index of queued entries (sheppy:pending_ids:{q})
-- KEYS[5]  the finished notifications (sheppy:finished:{q})
-- KEYS[6]  the completed counter (sheppy:completed:{q})
-- ARGV[1]  the task id
-- ARGV[2]  the task JSON read before (the expected record)
-- ARGV[3]  the cancelled task JSON
-- ARGV[4]  the record's time to live in seconds, or "" to keep it until deleted
-- ARGV[5]  the oldest finished notification id to keep (MINID, approximate trimming)
-- ARGV[6]  the consumer group
--
-- Returns "cancelled" when the task was cancelled, "taken" when it is neither scheduled nor waiting unclaimed (a
-- worker took it), "changed" when the record is not the expected JSON any more (read it again and retry).

local id = ARGV[1]
if redis.call('GET', KEYS[1]) ~= ARGV[2] then
	return 'changed'
end

-- whether a worker claimed the task with the entry: the entry is delivered and the record is marked as processing (an
-- entry that a worker has read but not claimed yet can still be cancelled: the worker skips it)
local function claimed(entry)
	local ok, expected = pcall(cjson.decode, ARGV[2])
	if not ok or type(expected) ~= 'table' or expected['status'] ~= 'processing' then
		return false
	end
	local pending = redis.pcall('XPENDING', KEYS[3], ARGV[6], entry, entry, 1)
	return type(pending) == 'table' and pending.err == nil and pending[1] ~= nil
end

local cancellable = redis.call('ZREM', KEYS[2], id) == 1
if not cancellable then
	local entry = redis.call('HGET', KEYS[4], id)
	if entry and claimed(entry) then
		-- the worker keeps it in the index until its outcome is stored
		return 'taken'
	end
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
