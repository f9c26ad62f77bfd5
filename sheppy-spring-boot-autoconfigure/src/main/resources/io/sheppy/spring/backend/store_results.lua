-- Store the new states of tasks, as one atomic step per task with a compare-and-set: a record is written only when it
-- exists and has not finished (a task that was cancelled, crashed or completed meanwhile is never overwritten). A task
-- that waits for a retry is put in the schedule in the same step, so that it cannot be left retrying forever by a
-- worker that dies after a failed attempt. A stored JSON is decoded only to read its finished_at, and only when it does
-- not begin as the caller expects (the state it wrote when it claimed the task, up to its processing status, which has
-- not finished); the new JSON is written as given. The caller's deliveries are looked up with one XPENDING over the range of their ids; the
-- acknowledgements, index removals and the counter of the whole batch are one command each.
--
-- KEYS[1]    the pending stream (sheppy:pending:{q})
-- KEYS[2]    the index of queued entries (sheppy:pending_ids:{q})
-- KEYS[3]    the finished notifications (sheppy:finished:{q})
-- KEYS[4]    the completed counter (sheppy:completed:{q})
-- KEYS[5]    the schedule (sheppy:scheduled:{q})
-- KEYS[6..]  per task, its record (sheppy:tasks:{q}:{id})
-- ARGV[1]    the consumer group
-- ARGV[2]    the caller's consumer name
-- ARGV[3]    the oldest finished notification id to keep (MINID, approximate trimming)
-- ARGV[4]    the schedule-change channel (sheppy:scheduled-changed:{q}), published to with a task id when the task is
--            scheduled and is now the first of the schedule, so that waiting schedulers of any process wake up for it
-- ARGV[5]    the lowest delivery id of the batch, or "" when no task has a delivery
-- ARGV[6]    the highest delivery id of the batch, or ""
-- ARGV[7..]  per task, seven values: the task id; the new task JSON; "1" when the new state is finished, else "0"; the
--            record's time to live in seconds, or "" to keep it until deleted; the stream entry the task was delivered
--            with, or "" for none; the due time of the next retry in epoch seconds (the score), or "" when the task is
--            not to be scheduled; the beginning of the record's JSON the caller expects, up to the end of its status
--            value (known not to be finished), or ""
--
-- Returns one value per task: 1 when the state was stored, 0 when the record is gone or already finished (nothing
-- stored or scheduled), -1 when the delivery is no longer the caller's: another worker took the task over (its lease
-- had lapsed), and only that worker's outcome counts (fencing). Otherwise the delivery entry, if given, is acknowledged
-- and deleted either way.

local stream = KEYS[1]
local group = ARGV[1]
local consumer = ARGV[2]
local results = {}
local acked = {}
local unindexed = {}
local completed = 0
local count = #KEYS - 5

-- the caller's deliveries in the range of the batch; when the range holds more of them than were listed, the ones not
-- listed are looked up one by one
local owned = {}
local complete = true
if ARGV[5] ~= '' then
	local limit = 4 * count + 64
	local listed = redis.call('XPENDING', stream, group, ARGV[5], ARGV[6], limit, consumer)
	for _, pending in ipairs(listed) do
		owned[pending[1]] = true
	end
	complete = #listed < limit
end
local function owns(delivery)
	if owned[delivery] or complete then
		return owned[delivery] == true
	end
	local found = redis.call('XPENDING', stream, group, delivery, delivery, 1)[1]
	return found ~= nil and found[2] == consumer
end

for i = 1, count do
	local base = 6 + (i - 1) * 7
	local id, json, finished, ttl, delivery, retry_score, expected = ARGV[base + 1], ARGV[base + 2],
		ARGV[base + 3] == '1', ARGV[base + 4], ARGV[base + 5], ARGV[base + 6], ARGV[base + 7]
	local record = KEYS[5 + i]
	local result = 1
	if delivery ~= '' then
		if owns(delivery) then
			acked[#acked + 1] = delivery
		else
			result = -1
		end
	end
	if result == 1 and (expected == '' or redis.call('GETRANGE', record, 0, #expected - 1) ~= expected) then
		local current = redis.call('GET', record)
		if not current then
			result = 0
		else
			local ok, decoded = pcall(cjson.decode, current)
			-- a record that is not a JSON object cannot say it has finished: the new state replaces it
			if ok and type(decoded) == 'table' and decoded['finished_at'] ~= nil
					and decoded['finished_at'] ~= cjson.null then
				result = 0
			end
		end
	end
	if result == 1 then
		if ttl ~= '' then
			redis.call('SET', record, json, 'EX', ttl)
		else
			redis.call('SET', record, json)
		end
		if finished or delivery ~= '' then
			-- the task is no longer waiting in the stream, so it can no longer be cancelled there
			unindexed[#unindexed + 1] = id
		end
		if finished then
			redis.call('XADD', KEYS[3], 'MINID', '~', ARGV[3], '*', 'task_id', id)
			completed = completed + 1
		elseif retry_score ~= '' then
			redis.call('ZADD', KEYS[5], retry_score, id)
			if redis.call('ZRANGE', KEYS[5], 0, 0)[1] == id then
				redis.call('PUBLISH', ARGV[4], id)
			end
		end
	end
	results[i] = result
end

if #acked > 0 then
	redis.call('XACK', stream, group, unpack(acked))
	redis.call('XDEL', stream, unpack(acked))
end
if #unindexed > 0 then
	redis.call('HDEL', KEYS[2], unpack(unindexed))
end
if completed > 0 then
	redis.call('INCRBY', KEYS[4], completed)
end
return results
