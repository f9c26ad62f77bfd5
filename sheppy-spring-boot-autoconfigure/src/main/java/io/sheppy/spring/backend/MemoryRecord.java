package io.sheppy.spring.backend;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * The stored state of one task in a {@link MemoryBackend}: its JSON, whether it is finished, and when the record
 * expires.
 *
 * @param json the task's JSON
 * @param finished whether the task is finished (it has a {@code finished_at} time)
 * @param expiresAt when the record vanishes, or {@code null} to keep it until it is deleted
 * @author Sheppy for Spring
 */
record MemoryRecord(String json, boolean finished, @Nullable Instant expiresAt) {

	/**
	 * Return whether the record has expired at the given time; like a Redis key, it is gone from its expiry time on.
	 * @param now the current time
	 * @return whether the record has expired
	 */
	boolean isExpiredAt(Instant now) {
		return this.expiresAt != null && !now.isBefore(this.expiresAt);
	}

}
