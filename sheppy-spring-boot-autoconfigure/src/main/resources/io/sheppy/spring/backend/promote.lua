-- Move due scheduled tasks to the pending stream, one atomic step per batch, with a compare-and-set per task: a task
-- is promoted only when it is still scheduled, still due and its record is still exactly the JSON the caller read.
-- The JSON is rewritten by the caller, never here (cjson would change the layout of numbers and fields).
--
-- KEYS[1]     the schedule (sheppy:scheduled:{q})
-- KEYS[2]     the pending stream (sheppy:pending:{q})
-- KEYS[3]     the index of queued entries (sheppy:pending_ids:{q})
-- KEYS[4..n]  the task records (sheppy:tasks:{q}:{id}), one per task
-- ARGV[1]     the consumer group, created at id 0 with MKSTREAM when the stream does not exist yet
-- ARGV[2]     now, in epoch seconds: a task is due when its score is at most this
-- ARGV[3..]   per task, three values: the task id, the JSON read before (the expected record) and the JSON to store
--             and queue; an empty JSON to store removes the task from the schedule without queueing it (a record
--             that cannot be read)
--
-- Returns one value per task: the stream entry id when it was queued, 0 when it was left alone (not scheduled or due
-- any more, or its record changed), -1 when it was removed from the schedule without being queued (its record is
-- gone, or it was dropped as asked).

local schedule = KEYS[1]
local stream = KEYS[2]
local pending_ids = KEYS[3]
local now = tonumber(ARGV[2])

local results = {}
for i = 4, #KEYS do
	local id = ARGV[3 * i - 9]
	local expected = ARGV[3 * i - 8]
	local json = ARGV[3 * i - 7]
	local score = redis.call('ZSCORE', schedule, id)
	local result = 0
	if score and tonumber(score) <= now then
		local current = redis.call('GET', KEYS[i])
		if not current then
			redis.call('ZREM', schedule, id)
			result = -1
		elseif current == expected then
			redis.call('ZREM', schedule, id)
			if json == '' then
				result = -1
			else
				if redis.call('EXISTS', stream) == 0 then
					redis.call('XGROUP', 'CREATE', stream, ARGV[1], '0', 'MKSTREAM')
				end
				redis.call('SET', KEYS[i], json)
				result = redis.call('XADD', stream, '*', 'data', json)
				redis.call('HSET', pending_ids, id, result)
			end
		end
	end
	results[#results + 1] = result
end
return results
