-- Take over entries of the pending stream whose worker stopped renewing their leases, one page of XAUTOCLAIM: the
-- entries idle at least the given time become the caller's (their delivery count grows by one). For each, the stored
-- task is read too, so that the caller can tell a task that started (processing) from one that did not. Entries that
-- were deleted from the stream are dropped from the pending list by XAUTOCLAIM itself.
--
-- KEYS[1]    the pending stream (sheppy:pending:{q})
-- ARGV[1]    the consumer group
-- ARGV[2]    the caller's consumer name
-- ARGV[3]    the minimal idle time in milliseconds
-- ARGV[4]    the cursor to start from ("0-0" for the first page)
-- ARGV[5]    the most entries to take
-- ARGV[6]    the prefix of task records (sheppy:tasks:{q}:)
--
-- Returns the next cursor ("0-0" when the pending list was read to its end), then per entry taken four values: its id,
-- its data field (or false), its delivery count and the stored task JSON (or false when there is none).

local stream = KEYS[1]
local group = ARGV[1]
local consumer = ARGV[2]

local claimed = redis.call('XAUTOCLAIM', stream, group, consumer, ARGV[3], ARGV[4], 'COUNT', ARGV[5])
local result = { claimed[1] }
for _, entry in ipairs(claimed[2]) do
	local id = entry[1]
	local data = false
	local fields = entry[2]
	if type(fields) == 'table' then
		for f = 1, #fields, 2 do
			if fields[f] == 'data' then
				data = fields[f + 1]
			end
		end
	end
	local deliveries = 0
	local pending = redis.call('XPENDING', stream, group, id, id, 1)[1]
	if pending then
		deliveries = pending[4]
	end
	local stored = false
	if data then
		local ok, decoded = pcall(cjson.decode, data)
		if ok and type(decoded) == 'table' and type(decoded['id']) == 'string' then
			stored = redis.call('GET', ARGV[6] .. decoded['id'])
		end
	end
	result[#result + 1] = id
	result[#result + 1] = data
	result[#result + 1] = deliveries
	result[#result + 1] = stored
end
return result
