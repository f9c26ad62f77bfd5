-- Claim the entries a worker read from the pending stream with XREADGROUP, as one atomic step per entry: an entry
-- that a cancellation deleted meanwhile is acknowledged and skipped, so a cancelled task is never handed out; an entry
-- that holds no readable task is moved to the dead-letter stream with the reason, so it is kept and never delivered
-- again; an entry whose task record is gone or finished is acknowledged and deleted. A claimed task whose record is
-- still the JSON it was queued with is marked as processing (the JSON of that state is prepared by the caller; cjson
-- would change the layout of numbers and fields, so records are decoded only to read them).
-- An entry that another worker (or a worker under the same consumer name) took over since the caller read it is left
-- to that worker: its lease lapsed before the caller claimed it, and the taker decides about it. The lease of a claimed
-- entry starts anew when it was read a while ago, so that it runs a full lease timeout before the worker's first
-- renewal is due. The caller's entries and their fields are looked up with one XPENDING and one XRANGE over the
-- range of the batch's ids.
--
-- KEYS[1]    the pending stream (sheppy:pending:{q})
-- KEYS[2]    the index of queued entries (sheppy:pending_ids:{q}); a claimed task stays in it until its outcome is
--            stored, and the processing state tells cancel that it is claimed
-- KEYS[3]    the dead-letter stream (sheppy:dead:{q})
-- ARGV[1]    the consumer group
-- ARGV[2]    the caller's consumer name
-- ARGV[3]    the prefix of task records (sheppy:tasks:{q}:)
-- ARGV[4]    "1" when the caller read the entries with XREADGROUP (an entry delivered more than once since was taken
--            over), "0" when it took them over itself with XAUTOCLAIM
-- ARGV[5]    the lowest entry id of the batch
-- ARGV[6]    the highest entry id of the batch
-- ARGV[7..]  per entry, three values: the stream entry id, the task id (or "" for an entry that holds no task) and
--            the task's JSON with status processing (or "" not to mark it, for a task that is not valid and will be
--            recorded as failed; or the reason why the entry holds no task)
--
-- Returns one value per entry: 1 when it is claimed by the caller, 0 when it was skipped or moved aside, -1 when it was
-- taken over since the caller read it.

local stream = KEYS[1]
local pending_ids = KEYS[2]
local dead = KEYS[3]
local group = ARGV[1]
local consumer = ARGV[2]
local prefix = ARGV[3]
local read_once = ARGV[4] == '1'

-- Return a lookup of the batch's entries in a listing of the batch's range (each entry to the listed value): when the
-- range holds more than the limit, entries not listed are looked up one by one with the given function.
local limit = 4 * (#ARGV - 6) / 3 + 64
local function lookup(listing, value, one_by_one)
	local listed = {}
	for _, item in ipairs(listing) do
		listed[item[1]] = value(item)
	end
	local complete = #listing < limit
	return function(entry)
		local found = listed[entry]
		if found or complete then
			return found
		end
		return one_by_one(entry)
	end
end

-- the caller's pending entries: {id, consumer, idle time, deliveries}
local owner = lookup(redis.call('XPENDING', stream, group, ARGV[5], ARGV[6], limit, consumer),
	function(pending) return pending end,
	function(entry)
		local found = redis.call('XPENDING', stream, group, entry, entry, 1)[1]
		if found and found[2] == consumer then
			return found
		end
		return nil
	end)

-- the fields of the entries that are still in the stream (a cancellation deletes its entry)
local fields = lookup(redis.call('XRANGE', stream, ARGV[5], ARGV[6], 'COUNT', limit),
	function(found) return found[2] end,
	function(entry)
		local found = redis.call('XRANGE', stream, entry, entry)[1]
		return found and found[2]
	end)

local function data_of(entry_fields)
	for f = 1, #entry_fields, 2 do
		if entry_fields[f] == 'data' then
			return entry_fields[f + 1]
		end
	end
	return nil
end

-- a task claimed without being marked as processing is taken out of the index of queued entries, so that it cannot be
-- cancelled while it runs
local function unindex(id, entry)
	if redis.call('HGET', pending_ids, id) == entry then
		redis.call('HDEL', pending_ids, id)
	end
end

local results = {}
for i = 7, #ARGV, 3 do
	local entry = ARGV[i]
	local id = ARGV[i + 1]
	local result = 0
	local entry_fields = fields(entry)
	-- still the caller's, and when it was read, not taken over since (a take-over counts a delivery)
	local pending = owner(entry)
	if not pending or (read_once and pending[4] > 1) then
		result = -1
	elseif not entry_fields then
		redis.call('XACK', stream, group, entry)
	elseif id == '' then
		redis.call('XADD', dead, '*', 'entry', entry, 'data', data_of(entry_fields) or '', 'reason', ARGV[i + 2])
		redis.call('XACK', stream, group, entry)
		redis.call('XDEL', stream, entry)
	else
		local data = data_of(entry_fields)
		local key = prefix .. id
		local current = redis.call('GET', key)
		if current and current == data then
			if ARGV[i + 2] ~= '' then
				-- marked as processing: that is what tells cancel that a worker took it
				redis.call('SET', key, ARGV[i + 2])
			else
				unindex(id, entry)
			end
			result = 1
		elseif not current then
			-- cleared or deleted: there is nothing to run
			redis.call('XACK', stream, group, entry)
			redis.call('XDEL', stream, entry)
		else
			local ok, decoded = pcall(cjson.decode, current)
			if ok and type(decoded) == 'table' and decoded['finished_at'] ~= nil and decoded['finished_at'] ~= cjson.null then
				-- finished meanwhile by other means: it must not run again
				redis.call('XACK', stream, group, entry)
				redis.call('XDEL', stream, entry)
			else
				unindex(id, entry)
				result = 1
			end
		end
	end
	if result == 1 and pending[3] >= 50 then
		-- read 50 ms or more ago: its lease starts now
		redis.call('XCLAIM', stream, group, consumer, 0, entry, 'JUSTID')
	end
	results[#results + 1] = result
end
return results
