package io.sheppy.spring.listener;

import org.jspecify.annotations.Nullable;

import io.sheppy.spring.core.Task;

/**
 * Runs the tasks of one name.
 *
 * @author Sheppy for Spring
 */
@FunctionalInterface
public interface TaskHandler {

	/**
	 * Run a task.
	 * @param task the task, with its arguments as JSON values
	 * @return the task's result, stored as its {@code result}
	 * @throws TaskArgumentException if the task's arguments do not fit the handler; such a task is not retried
	 * @throws Exception if the run failed
	 */
	@Nullable Object handle(Task<Object> task) throws Exception;

	/**
	 * Return whether a run that failed with the given exception may be retried, when the task has retries left.
	 * @param ex the exception the run failed with
	 * @return whether to retry; by default, always
	 */
	default boolean isRetryable(Throwable ex) {
		return true;
	}

}
