-- Store a task and schedule it, as one atomic step: a task is never stored without being scheduled.
--
-- KEYS[1]  the task record (sheppy:tasks:{q}:{id})
-- KEYS[2]  the schedule (sheppy:scheduled:{q})
-- ARGV[1]  the task id
-- ARGV[2]  the task JSON
-- ARGV[3]  the due time in epoch seconds (the score)
-- ARGV[4]  "1" when a task whose record exists is refused, "0" when it is overwritten
-- ARGV[5]  the schedule-change channel (sheppy:scheduled-changed:{q}), published to with the task id when the task is
--          now the first of the schedule, so that waiting schedulers of any process wake up for it
--
-- Returns 1 when the task was scheduled, 0 when it was refused.

local stored
if ARGV[4] == '1' then
	stored = redis.call('SET', KEYS[1], ARGV[2], 'NX')
else
	stored = redis.call('SET', KEYS[1], ARGV[2])
end
if not stored then
	return 0
end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
if redis.call('ZRANGE', KEYS[2], 0, 0)[1] == ARGV[1] then
	redis.call('PUBLISH', ARGV[5], ARGV[1])
end
return 1
