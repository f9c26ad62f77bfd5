package io.sheppy.spring.backend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The Lua scripts of {@link RedisBackend}, one per atomic operation, loaded from the {@code .lua} resources next to
 * this class. Each script's header comment names its keys, arguments and result.
 *
 * @author Sheppy for Spring
 */
@SuppressWarnings("rawtypes")
final class RedisScripts {

	/** Store tasks and queue them: a stream entry id or 0 per task. */
	static final RedisScript<List> APPEND = script("append.lua", List.class);

	/** Store a task and schedule it: 1 or 0. */
	static final RedisScript<Long> SCHEDULE = script("schedule.lua", Long.class);

	/** Move due scheduled tasks to the pending stream: a stream entry id, 0 or -1 per task. */
	static final RedisScript<List> PROMOTE = script("promote.lua", List.class);

	/**
	 * Read new entries and claim them, marking the first ones: entry id, data and status offset (or -1, not claimed)
	 * per entry.
	 */
	static final RedisScript<List> READ_CLAIM = script("read_claim.lua", List.class);

	/** Claim entries read with XREADGROUP: 1 or 0 per entry. */
	static final RedisScript<List> CLAIM = script("claim.lua", List.class);

	/** Mark held tasks as processing: 1 or 0 per task. */
	static final RedisScript<List> MARK_STARTED = script("mark_started.lua", List.class);

	/** Store the new states of tasks: 1, 0 or -1 per task. */
	static final RedisScript<List> STORE_RESULTS = script("store_results.lua", List.class);

	/** Hand taken tasks back to the queue: a stream entry id, 0 or -1 per delivery. */
	static final RedisScript<List> RELEASE = script("release.lua", List.class);

	/** Renew the leases of running tasks: the number renewed. */
	static final RedisScript<Long> RENEW = script("renew.lua", Long.class);

	/** Take over the entries of lost workers: the next cursor, then four values per entry. */
	static final RedisScript<List> RECLAIM = script("reclaim.lua", List.class);

	/** Run a finished task again: 1 or 0. */
	static final RedisScript<Long> RETRY = script("retry.lua", Long.class);

	/** Cancel a task: "cancelled", "taken" or "changed". */
	static final RedisScript<String> CANCEL = script("cancel.lua", String.class);

	/** Delete a finished task: 1, 0 or -1. */
	static final RedisScript<Long> DELETE = script("delete.lua", Long.class);

	private RedisScripts() {
	}

	/**
	 * Read a script once. Built from its text, not from its resource, so that no call checks whether the resource
	 * changed: {@link DefaultRedisScript} does that, under a lock, on every call of a script it reads from a
	 * resource, which showed as the largest cost on the hot path.
	 */
	private static <T> RedisScript<T> script(String name, Class<T> resultType) {
		try {
			String text = new ClassPathResource(name, RedisScripts.class).getContentAsString(StandardCharsets.UTF_8);
			return RedisScript.of(text, resultType);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the Lua script " + name, ex);
		}
	}

}
