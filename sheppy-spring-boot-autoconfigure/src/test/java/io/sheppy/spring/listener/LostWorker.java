package io.sheppy.spring.listener;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * A worker that takes an entry of a queue's pending stream and is then lost: it never renews the entry's lease and
 * never acknowledges it, as a process that died would. It queues the entry and reads it in one script, so that no live
 * worker of the queue sees the entry first.
 *
 * @author Sheppy for Spring
 */
final class LostWorker {

	static final String GROUP = "workers";

	// KEYS[1] the pending stream, KEYS[2] the index of unclaimed entries, KEYS[3] the task record
	// ARGV[1] the group, ARGV[2] the consumer, ARGV[3] the task id or '', ARGV[4] the entry's field name, ARGV[5] its
	// value, ARGV[6] the record to store before queueing or '', ARGV[7] the record to store once taken (as a worker
	// marks a task it starts) or '', ARGV[8] how many more times the entry is delivered (XCLAIM) after the read
	private static final RedisScript<String> TAKE = RedisScript.of("""
			if redis.call('EXISTS', KEYS[1]) == 0 then
				redis.call('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
			end
			if ARGV[6] ~= '' then
				redis.call('SET', KEYS[3], ARGV[6])
			end
			local entry = redis.call('XADD', KEYS[1], '*', ARGV[4], ARGV[5])
			if ARGV[3] ~= '' then
				redis.call('HSET', KEYS[2], ARGV[3], entry)
			end
			local read = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', '1', 'STREAMS', KEYS[1], '>')
			if read[1][2][1][1] ~= entry then
				return redis.error_reply('read ' .. read[1][2][1][1] .. ' instead of ' .. entry)
			end
			if ARGV[3] ~= '' then
				redis.call('HDEL', KEYS[2], ARGV[3])
			end
			if ARGV[7] ~= '' then
				redis.call('SET', KEYS[3], ARGV[7])
			end
			for i = 1, tonumber(ARGV[8]) do
				redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, entry)
			end
			return entry
			""", String.class);

	private final StringRedisTemplate redis;

	private final String queue;

	private final String name;

	LostWorker(StringRedisTemplate redis, String queue, String name) {
		this.redis = redis;
		this.queue = queue;
		this.name = name;
	}

	/**
	 * Queue a task as a producer does and take it, marking it as started (as the claim of a worker does) when
	 * {@code started} is given.
	 * @param id the task id
	 * @param queued the task's JSON as queued
	 * @param started the task's JSON as a worker marks it when it starts, or {@code null} for a task taken but never
	 * started
	 * @param redeliveries how many more times the entry is delivered to this worker
	 * @return the id of the stream entry
	 */
	String take(UUID id, String queued, @Nullable String started, int redeliveries) {
		return execute(id.toString(), "data", queued, queued, (started != null) ? started : "", redeliveries);
	}

	/**
	 * Queue an entry that holds anything and take it.
	 * @param id the task id the entry names, or {@code null}
	 * @param field the entry's only field
	 * @param value the field's value
	 * @param record the task record stored with it, or {@code null} for none
	 * @return the id of the stream entry
	 */
	String takeEntry(@Nullable UUID id, String field, String value, @Nullable String record) {
		return execute((id != null) ? id.toString() : "", field, value, (record != null) ? record : "", "", 0);
	}

	private String execute(String id, String field, String value, String record, String started, int redeliveries) {
		String key = "sheppy:tasks:" + this.queue + ":" + (id.isEmpty() ? "none" : id);
		return this.redis.execute(TAKE,
				List.of("sheppy:pending:" + this.queue, "sheppy:pending_ids:" + this.queue, key), GROUP, this.name,
				id, field, value, record, started, String.valueOf(redeliveries));
	}

}
