package io.sheppy.spring.backend;

import java.util.UUID;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * The Redis keys of Python Sheppy's wire format. Queue names are used literally, so that a queue named in braces
 * ({@code {emails}}) keeps all of its keys in one cluster hash slot.
 *
 * @author Sheppy for Spring
 */
final class RedisKeys {

	/** The registry of all queues: a hash of queue name to {@code "{}"}. */
	static final String QUEUES = "sheppy:_queues";

	private static final String SCHEDULE_CHANGED_PREFIX = "sheppy:scheduled-changed:";

	private static final String UUID_GLOB = "????????-????-????-????-????????????";

	private static final Pattern UUID_SHAPE = Pattern
		.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

	private RedisKeys() {
	}

	static String task(String queue, UUID id) {
		return taskPrefix(queue) + id;
	}

	static String taskPrefix(String queue) {
		return "sheppy:tasks:" + queue + ":";
	}

	static String pending(String queue) {
		return "sheppy:pending:" + queue;
	}

	static String pendingIds(String queue) {
		return "sheppy:pending_ids:" + queue;
	}

	static String scheduled(String queue) {
		return "sheppy:scheduled:" + queue;
	}

	static String finished(String queue) {
		return "sheppy:finished:" + queue;
	}

	static String completed(String queue) {
		return "sheppy:completed:" + queue;
	}

	/**
	 * The dead-letter stream of a queue: entries that hold no readable task, kept with the reason (fields
	 * {@code entry}, {@code data}, {@code reason}). Not part of Python Sheppy's layout.
	 */
	static String dead(String queue) {
		return "sheppy:dead:" + queue;
	}

	static String cron(String queue) {
		return "sheppy:cron:" + queue;
	}

	/**
	 * Return the pub/sub channel on which the scripts that put a task in the schedule publish the task's id when it is
	 * now the earliest task of the queue: {@code sheppy:scheduled-changed:{q}}. A channel of this project's own (Python
	 * Sheppy has none); it is not a key, so it takes no part in the hash slot of the queue's keys.
	 * @param queue the queue name
	 * @return the channel name
	 */
	static String scheduleChanged(String queue) {
		return SCHEDULE_CHANGED_PREFIX + queue;
	}

	/**
	 * Return the queue whose {@linkplain #scheduleChanged(String) schedule-change channel} a channel is.
	 * @param channel the channel name
	 * @return the queue name, or {@code null} if the channel is not a schedule-change channel
	 */
	static @Nullable String queueOfScheduleChanged(String channel) {
		return channel.startsWith(SCHEDULE_CHANGED_PREFIX) ? channel.substring(SCHEDULE_CHANGED_PREFIX.length()) : null;
	}

	/**
	 * Return a {@code SCAN} pattern that matches the task records of exactly one queue: the queue name with its glob
	 * characters escaped, followed by the shape of a UUID, so that neither {@code a:b} nor {@code ab} leaks into
	 * {@code a}.
	 * @param queue the queue name
	 * @return the pattern
	 */
	static String taskPattern(String queue) {
		return escapeGlob(taskPrefix(queue)) + UUID_GLOB;
	}

	/**
	 * Return the task id of a key found with {@link #taskPattern(String)}, checking that the rest of the key after
	 * the queue's prefix really is a UUID.
	 * @param queue the queue name
	 * @param key the key
	 * @return the task id, or {@code null} if the key is not a task record of the queue
	 */
	static @Nullable UUID taskId(String queue, String key) {
		String prefix = taskPrefix(queue);
		if (!key.startsWith(prefix)) {
			return null;
		}
		String rest = key.substring(prefix.length());
		return UUID_SHAPE.matcher(rest).matches() ? UUID.fromString(rest) : null;
	}

	/**
	 * Escape the characters that Redis glob patterns give a meaning to.
	 * @param text the literal text
	 * @return the text as a pattern that matches only itself
	 */
	static String escapeGlob(String text) {
		StringBuilder escaped = new StringBuilder(text.length() + 8);
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
				escaped.append('\\');
			}
			escaped.append(c);
		}
		return escaped.toString();
	}

}
