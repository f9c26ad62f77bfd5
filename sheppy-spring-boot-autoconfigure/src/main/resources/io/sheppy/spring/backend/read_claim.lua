-- Read new entries of the pending stream for the caller and claim them, in one atomic step: what a worker does while
-- its queue has a backlog, with one round trip instead of a read and a claim. Nothing can come between the read and
-- the claim (no cancellation, no take-over), so an entry is claimed when its task's record is still in the state it
-- was queued in: the record is marked as processing, the JSON of the entry with its status replaced; an entry read
-- beyond the number to mark is held instead: its record stays as it was queued, and its task is taken out of the index
-- of queued entries, so that it cannot be cancelled while the caller holds it. An entry whose JSON does not begin
-- with its id and status (the layout of this project and of Python Sheppy), or whose record changed since it was
-- queued, is read but left unclaimed, for the caller to claim as it claims what it read otherwise. The read does not
-- block.
--
-- KEYS[1]  the pending stream (sheppy:pending:{q})
-- KEYS[2]  the index of queued entries (sheppy:pending_ids:{q})
-- ARGV[1]  the consumer group
-- ARGV[2]  the caller's consumer name
-- ARGV[3]  the prefix of task records (sheppy:tasks:{q}:)
-- ARGV[4]  the most entries to read
-- ARGV[5]  how many of the entries read, the first ones, to mark; the others are held
--
-- Returns three values per entry read: the entry id, its data ("" when it has none) and, when it was claimed, where
-- the status value starts in the data (counted from 0: the marked JSON is the data up to there, "processing" in
-- quotes, and the data after the status value), or -1 when the caller is to claim it.

local read = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[4], 'STREAMS', KEYS[1], '>')
local results = {}
if not read then
	return results
end
local marks = tonumber(ARGV[5])
for n, entry in ipairs(read[1][2]) do
	local fields = entry[2]
	local data = nil
	for f = 1, #fields, 2 do
		if fields[f] == 'data' then
			data = fields[f + 1]
		end
	end
	local claimed = -1
	if data then
		-- the task id, and where the status value starts and ends (its quotes included)
		local id, first, after = string.match(data,
			'^{%s*"id"%s*:%s*"([^"\\]+)"%s*,%s*"status"%s*:%s*()"[^"\\]*"()')
		if id then
			local key = ARGV[3] .. id
			local queued = string.sub(data, 1, after - 1)
			if redis.call('GETRANGE', key, 0, #queued - 1) == queued then
				if n <= marks then
					redis.call('SET', key, string.sub(data, 1, first - 1) .. '"processing"' .. string.sub(data, after))
				elseif redis.call('HGET', KEYS[2], id) == entry[1] then
					redis.call('HDEL', KEYS[2], id)
				end
				claimed = first - 1
			end
		end
	end
	results[#results + 1] = entry[1]
	results[#results + 1] = data or ''
	results[#results + 1] = claimed
end
return results
