-- Renew the leases of the entries a worker runs, in one call: each entry still claimed by the caller gets its idle
-- time reset, so that no other worker reclaims it. Entries claimed by another worker meanwhile are left alone.
--
-- KEYS[1]    the pending stream (sheppy:pending:{q})
-- ARGV[1]    the consumer group
-- ARGV[2]    the caller's consumer name
-- ARGV[3..]  the stream entry ids
--
-- Returns the number of entries renewed.

local stream = KEYS[1]
local group = ARGV[1]
local consumer = ARGV[2]

local renewed = 0
for i = 3, #ARGV do
	local owner = redis.call('XPENDING', stream, group, ARGV[i], ARGV[i], 1)[1]
	if owner and owner[2] == consumer then
		redis.call('XCLAIM', stream, group, consumer, 0, ARGV[i], 'JUSTID')
		renewed = renewed + 1
	end
end
return renewed
