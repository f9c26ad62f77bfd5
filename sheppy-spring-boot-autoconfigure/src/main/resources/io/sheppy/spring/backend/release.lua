-- Hand taken tasks back to the queue, one atomic step per task: the delivery's entry, when it is still claimed by the
-- caller, is acknowledged and deleted and the task is queued again at the end of the stream, so that any worker can
-- take it. A task that the caller marked as processing when it took it is queued in the state the entry holds (the
-- state it was queued in); a task whose record changed since is queued as its record holds it now; a task whose record is gone or
-- finished (cancelled, completed or deleted meanwhile) is not queued again. An entry that another worker has taken
-- over meanwhile is left to it. Stored JSON is decoded only to read it.
--
-- KEYS[1]     the pending stream (sheppy:pending:{q})
-- KEYS[2]     the index of queued entries (sheppy:pending_ids:{q})
-- KEYS[3..n]  the task records (sheppy:tasks:{q}:{id}), one per delivery, in the order of the deliveries
-- ARGV[1]     the consumer group, created at id 0 with MKSTREAM when the stream does not exist any more
-- ARGV[2]     the caller's consumer name
-- ARGV[3..]   per delivery, three values: the stream entry id it was delivered with, the task id and the beginning of
--             the JSON the caller marked the task with, up to the end of its processing status (or "" when unknown)
--
-- Returns one value per delivery: the new stream entry id when the task was queued again, 0 when its record is gone or
-- finished or the entry is no longer the caller's, -1 when its record is not a JSON object (not queued: no worker could
-- run it).

local stream = KEYS[1]
local pending_ids = KEYS[2]
local group = ARGV[1]
local consumer = ARGV[2]

local results = {}
for i = 3, #KEYS do
	local entry = ARGV[3 * i - 6]
	local id = ARGV[3 * i - 5]
	local marked = ARGV[3 * i - 4]
	local result = 0
	local owner = redis.call('XPENDING', stream, group, entry, entry, 1)[1]
	if owner and owner[2] == consumer then
		local queued = nil
		local found = redis.call('XRANGE', stream, entry, entry)[1]
		if found then
			for f = 1, #found[2], 2 do
				if found[2][f] == 'data' then
					queued = found[2][f + 1]
				end
			end
		end
		redis.call('XACK', stream, group, entry)
		redis.call('XDEL', stream, entry)
		local current = redis.call('GET', KEYS[i])
		if current and queued and marked ~= '' and string.sub(current, 1, #marked) == marked then
			redis.call('SET', KEYS[i], queued)
			current = queued
		end
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
		if result == 0 or result == -1 then
			-- not queued again: no longer in the index of queued entries
			if redis.call('HGET', pending_ids, id) == entry then
				redis.call('HDEL', pending_ids, id)
			end
		end
	end
	results[#results + 1] = result
end
return results
