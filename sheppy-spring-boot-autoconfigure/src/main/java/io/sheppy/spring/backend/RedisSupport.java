package io.sheppy.spring.backend;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisPipelineException;

import io.sheppy.spring.core.InvalidTaskException;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskJson;

/**
 * Helpers shared by {@link RedisBackend} and the classes it delegates to: the size of a batch, keys and values as
 * UTF-8 bytes, flags and numbers as scripts take and return them, the range of stream entry ids, the error codes of
 * failed commands, and reading a task where one that cannot be read is logged and skipped.
 *
 * @author Sheppy for Spring
 */
final class RedisSupport {

	/** The most keys read, deleted or sent to a script in one command. */
	static final int BATCH_SIZE = 1000;

	private static final int LOGGED_CONTENT_LENGTH = 200;

	private RedisSupport() {
	}

	/**
	 * Read a task, or log that the given place holds none and return {@code null}.
	 * @param taskJson the codec of tasks
	 * @param queue the queue name
	 * @param json the JSON to read
	 * @param where what holds the JSON, for the log ({@code "entry 1-0"})
	 * @param logger the log of the class that reads
	 * @return the task, or {@code null} when the JSON holds no valid task
	 */
	static @Nullable Task<Object> readOrSkip(TaskJson taskJson, String queue, String json, String where, Log logger) {
		try {
			return taskJson.read(json);
		}
		catch (InvalidTaskException ex) {
			logger.warn("Skipped " + where + " of queue '" + queue + "' because it holds no valid task ("
					+ ex.getMessage() + "): " + abbreviate(json));
			return null;
		}
	}

	/**
	 * Return why a Redis operation failed: for commands sent in a pipeline, what made the first of them fail (such as
	 * "Redis command timed out") rather than the pipeline's own "Pipeline contained one or more invalid commands".
	 * @param ex the failure
	 * @return its reason, for a message
	 */
	static @Nullable String reason(DataAccessException ex) {
		if (ex instanceof RedisPipelineException pipeline) {
			for (Object result : pipeline.getPipelineResult()) {
				if (result instanceof Throwable failure && failure.getMessage() != null) {
					return failure.getMessage();
				}
			}
			Throwable cause = pipeline.getCause();
			if (cause != null && cause.getMessage() != null) {
				return cause.getMessage();
			}
		}
		return ex.getMessage();
	}

	static boolean hasErrorCode(Throwable ex, String code) {
		for (Throwable current = ex; current != null; current = current.getCause()) {
			String message = current.getMessage();
			if (message != null && message.contains(code)) {
				return true;
			}
			if (current instanceof RedisPipelineException pipeline) {
				for (Object result : pipeline.getPipelineResult()) {
					if (result instanceof Throwable failure && failure != current && hasErrorCode(failure, code)) {
						return true;
					}
				}
			}
		}
		return false;
	}

	/**
	 * Return the lowest and the highest of stream entry ids ({@code <milliseconds>-<sequence>}).
	 */
	static String[] range(List<String> entryIds) {
		String lowest = entryIds.get(0);
		String highest = lowest;
		long[] low = entryId(lowest);
		long[] high = low;
		for (int i = 1; i < entryIds.size(); i++) {
			long[] id = entryId(entryIds.get(i));
			if (Arrays.compare(id, low) < 0) {
				low = id;
				lowest = entryIds.get(i);
			}
			if (Arrays.compare(id, high) > 0) {
				high = id;
				highest = entryIds.get(i);
			}
		}
		return new String[] { lowest, highest };
	}

	private static long[] entryId(String entryId) {
		int dash = entryId.indexOf('-');
		return (dash < 0) ? new long[] { Long.parseLong(entryId), 0 }
				: new long[] { Long.parseLong(entryId, 0, dash, 10),
						Long.parseLong(entryId, dash + 1, entryId.length(), 10) };
	}

	static String flag(boolean value) {
		return value ? "1" : "0";
	}

	static long number(@Nullable Object value) {
		return (value instanceof Number number) ? number.longValue() : 0;
	}

	static String abbreviate(String text) {
		return (text.length() <= LOGGED_CONTENT_LENGTH) ? text : text.substring(0, LOGGED_CONTENT_LENGTH) + "...";
	}

	static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	static String string(byte[] bytes) {
		return new String(bytes, StandardCharsets.UTF_8);
	}

}
