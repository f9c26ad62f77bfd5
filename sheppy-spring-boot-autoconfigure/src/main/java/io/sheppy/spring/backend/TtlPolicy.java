package io.sheppy.spring.backend;

import java.time.Duration;
import java.util.Optional;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskConfig;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.core.Ttl;

/**
 * Decides how long a finished task's record is kept, with Python Sheppy's precedence: a completed task uses its
 * config's {@code ttl}, else the backend's; a failed, crashed or cancelled task uses the first of its config's
 * {@code error_ttl}, its config's {@code ttl}, the backend's error ttl and the backend's ttl that is not
 * {@code "inherit"}. A task that has not finished is kept until it finishes.
 *
 * @param ttl the backend's time to live of finished tasks ({@link Ttl#INHERIT} counts as never)
 * @param errorTtl the backend's time to live of unsuccessful tasks
 * @author Sheppy for Spring
 */
public record TtlPolicy(Ttl ttl, Ttl errorTtl) {

	/** Python Sheppy's default: keep finished tasks 30 days, unsuccessful ones as long. */
	public static final TtlPolicy DEFAULT = new TtlPolicy(Ttl.ofSeconds(Duration.ofDays(30).toSeconds()), Ttl.INHERIT);

	/**
	 * Return how long to keep the record of a task in the given state.
	 * @param task the task
	 * @return the time to live, or empty to keep it until deleted
	 */
	public Optional<Duration> resolve(Task<?> task) {
		if (!task.isFinished()) {
			return Optional.empty();
		}
		TaskConfig config = task.getConfig();
		TaskStatus status = task.getStatus();
		boolean unsuccessful = status == TaskStatus.FAILED || status == TaskStatus.CRASHED
				|| status == TaskStatus.CANCELLED;
		Ttl[] candidates = unsuccessful ? new Ttl[] { config.errorTtl(), config.ttl(), this.errorTtl, this.ttl }
				: new Ttl[] { config.ttl(), this.ttl };
		for (Ttl candidate : candidates) {
			if (!candidate.isInherit()) {
				return candidate.isNever() ? Optional.empty() : Optional.of(Duration.ofSeconds(candidate.seconds()));
			}
		}
		return Optional.empty();
	}

}
