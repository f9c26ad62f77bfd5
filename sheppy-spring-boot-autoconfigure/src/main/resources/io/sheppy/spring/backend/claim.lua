-- Claim the entries a worker read from the pending stream with XREADGROUP, as one atomic step per entry: an entry
-- that a cancellation deleted meanwhile is acknowledged and skipped, so a cancelled task is never handed out; an entry
-- that holds no readable task is moved to the dead-letter stream with the reason, so it is kept and never delivered
-- again; an entry whose task record is gone or finished is acknowledged and deleted. A claimed task whose record is
-- still in the state it was queued in is marked as processing (the JSON of that state is prepared by the caller; cjson
-- would change the layout of numbers and fields, so records are decoded only to read them). A record is known to be
-- in its queued state when it begins with the queued JSON up to its status value (the caller gives that prefix), so
-- that a record is read whole only when it changed.
-- An entry that another worker (or a worker under the same consumer name) took over since the caller read it is left
-- to that worker: its lease lapsed before the caller claimed it, and the taker decides about it. The lease of a claimed
-- entry starts anew when it was read a while ago, so that it runs a full lease timeout before the worker's first
-- renewal is due. The caller's entries are looked up with one XPENDING over the range of the batch's ids; that an entry
-- is still in the stream is told by the index of queued entries (a cancellation takes the task out of the index and
-- deletes its entry in one step), and only entries that the index does not name are looked up in the stream.
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
-- ARGV[7..]  per entry, four values: the stream entry id; the task id (or "" for an entry that holds no task); the
--            task's JSON with status processing (or "" not to mark it, for a task that is not valid and will be
--            recorded as failed; or the reason why the entry holds no task); and the JSON the task was queued with up
--            to the end of its status value (or "")
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

-- the caller's pending entries, {id, consumer, idle time, deliveries} by id; when the range holds more than were
-- listed, entries not listed are looked up one by one
local count = (#ARGV - 6) / 4
local limit = 4 * count + 64
local listed = redis.call('XPENDING', stream, group, ARGV[5], ARGV[6], limit, consumer)
local pending_of = {}
for _, pending in ipairs(listed) do
	pending_of[pending[1]] = pending
end
local function owner(entry)
	local found = pending_of[entry]
	if found or #listed < limit then
		return found
	end
	found = redis.call('XPENDING', stream, group, entry, entry, 1)[1]
	if found and found[2] == consumer then
		return found
	end
	return nil
end

-- the index entries of the batch's tasks
local ids = {}
for i = 7, #ARGV, 4 do
	if ARGV[i + 1] ~= '' then
		ids[#ids + 1] = ARGV[i + 1]
	end
end
local indexed = {}
if #ids > 0 then
	local entries = redis.call('HMGET', pending_ids, unpack(ids))
	for n, id in ipairs(ids) do
		indexed[id] = entries[n]
	end
end

-- the fields of an entry that is still in the stream, or nil
local function fields(entry)
	local found = redis.call('XRANGE', stream, entry, entry)[1]
	return found and found[2]
end

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
	if indexed[id] == entry then
		redis.call('HDEL', pending_ids, id)
	end
end

local results = {}
for i = 7, #ARGV, 4 do
	local entry = ARGV[i]
	local id = ARGV[i + 1]
	local marked = ARGV[i + 2]
	local queued = ARGV[i + 3]
	local result = 0
	-- still the caller's, and when it was read, not taken over since (a take-over counts a delivery)
	local pending = owner(entry)
	if not pending or (read_once and pending[4] > 1) then
		result = -1
	elseif id == '' then
		local entry_fields = fields(entry)
		if entry_fields then
			redis.call('XADD', dead, '*', 'entry', entry, 'data', data_of(entry_fields) or '', 'reason', marked)
			redis.call('XDEL', stream, entry)
		end
		redis.call('XACK', stream, group, entry)
	elseif indexed[id] ~= entry and not fields(entry) then
		-- cancelled meanwhile
		redis.call('XACK', stream, group, entry)
	else
		local key = prefix .. id
		if queued ~= '' and redis.call('GETRANGE', key, 0, #queued - 1) == queued then
			if marked ~= '' then
				-- marked as processing: that is what tells cancel that a worker took it
				redis.call('SET', key, marked)
			else
				unindex(id, entry)
			end
			result = 1
		else
			local current = redis.call('GET', key)
			if not current then
				-- cleared or deleted: there is nothing to run
				redis.call('XACK', stream, group, entry)
				redis.call('XDEL', stream, entry)
			else
				local ok, decoded = pcall(cjson.decode, current)
				if ok and type(decoded) == 'table' and decoded['finished_at'] ~= nil
						and decoded['finished_at'] ~= cjson.null then
					-- finished meanwhile by other means: it must not run again
					redis.call('XACK', stream, group, entry)
					redis.call('XDEL', stream, entry)
				else
					unindex(id, entry)
					result = 1
				end
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
