package io.sheppy.spring.backend;

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

	/** Claim entries read with XREADGROUP: 1 or 0 per entry. */
	static final RedisScript<List> CLAIM = script("claim.lua", List.class);

	/** Store the new state of a task: 1 or 0. */
	static final RedisScript<Long> STORE_RESULT = script("store_result.lua", Long.class);

	/** Hand taken tasks back to the queue: a stream entry id, 0 or -1 per delivery. */
	static final RedisScript<List> RELEASE = script("release.lua", List.class);

	static final RedisScript<Long> RENEW = script("renew.lua", Long.class);

	static final RedisScript<List> RECLAIM = script("reclaim.lua", List.class);

	/** Run a finished task again: 1 or 0. */
	static final RedisScript<Long> RETRY = script("retry.lua", Long.class);

	/** Cancel a task: "cancelled", "taken" or "changed". */
	static final RedisScript<String> CANCEL = script("cancel.lua", String.class);

	/** Delete a finished task: 1, 0 or -1. */
	static final RedisScript<Long> DELETE = script("delete.lua", Long.class);

	private RedisScripts() {
	}

	private static <T> RedisScript<T> script(String name, Class<T> resultType) {
		DefaultRedisScript<T> script = new DefaultRedisScript<>();
		script.setLocation(new ClassPathResource(name, RedisScripts.class));
		script.setResultType(resultType);
		// reads the resource and computes the SHA1 once, so that a missing script fails at class initialization
		script.getSha1();
		return script;
	}

}
