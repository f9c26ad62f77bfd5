-- Claim the entries a worker read from the pending stream with XREADGROUP, as one atomic step: an entry that a
-- cancellation deleted meanwhile is acknowledged and skipped, so a cancelled task is never handed out; an entry that
-- holds no readable task is acknowledged and deleted, so it is never delivered again.
--
-- KEYS[1]    the pending stream (sheppy:pending:{q})
-- KEYS[2]    the index of unclaimed entries (sheppy:pending_ids:{q})
-- ARGV[1]    the consumer group
-- ARGV[2..]  per entry, two values: the stream entry id and the task id, or "" for an entry that holds no task
--
-- Returns one value per entry: 1 when it is claimed by the caller, 0 when it was removed.

local stream = KEYS[1]
local pending_ids = KEYS[2]
local group = ARGV[1]

local results = {}
for i = 2, #ARGV, 2 do
	local entry = ARGV[i]
	local id = ARGV[i + 1]
	local result = 0
	if id == '' then
		redis.call('XACK', stream, group, entry)
		redis.call('XDEL', stream, entry)
	elseif #redis.call('XRANGE', stream, entry, entry) == 0 then
		redis.call('XACK', stream, group, entry)
	else
		if redis.call('HGET', pending_ids, id) == entry then
			redis.call('HDEL', pending_ids, id)
		end
		result = 1
	end
	results[#results + 1] = result
end
return results
