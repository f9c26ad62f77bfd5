-- Delete the record of a finished task, as one atomic step with the check that it has finished.
--
-- KEYS[1]  the task record (sheppy:tasks:{q}:{id})
--
-- Returns 1 when the record was deleted, 0 when there is none, -1 when the task has not finished (nothing deleted).
-- The stored JSON is decoded only to read its finished_at; a record that is not a JSON object is deleted.

local current = redis.call('GET', KEYS[1])
if not current then
	return 0
end
local ok, decoded = pcall(cjson.decode, current)
if ok and type(decoded) == 'table' and (decoded['finished_at'] == nil or decoded['finished_at'] == cjson.null) then
	return -1
end
redis.call('DEL', KEYS[1])
return 1
