package io.sheppy.spring.listener;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskException;
import io.sheppy.spring.core.TaskStatus;

import org.springframework.util.Assert;

/**
 * Runs one task with the handler registered for its name and returns its outcome: {@code completed} with the
 * handler's result, {@code retrying} when it failed, its handler deems the exception worth a retry and retries are
 * left, or {@code failed} with the record of what went wrong. A task whose name has no handler, or whose arguments do
 * not bind, fails at once with a record that says so. It throws nothing but a {@link VirtualMachineError} (such
 * as an {@link OutOfMemoryError}) that a task ran into.
 *
 * @author Sheppy for Spring
 */
public class TaskProcessor {

	private static final Logger logger = LoggerFactory.getLogger(TaskProcessor.class);

	static final String UNKNOWN_TASK = "UnknownTaskException";

	static final String TIMEOUT = "TaskTimeoutException";

	private final String queue;

	private final Map<String, TaskHandler> handlers;

	/**
	 * Create a processor.
	 * @param queue the queue whose tasks it runs, for messages
	 * @param handlers the handlers by task name
	 */
	public TaskProcessor(String queue, Map<String, TaskHandler> handlers) {
		Assert.hasText(queue, "'queue' must not be empty");
		Assert.notNull(handlers, "'handlers' must not be null");
		this.queue = queue;
		this.handlers = Map.copyOf(handlers);
	}

	/**
	 * Return the names of the tasks this processor runs.
	 * @return the task names
	 */
	public java.util.Set<String> getTaskNames() {
		return this.handlers.keySet();
	}

	/**
	 * Run a task.
	 * @param task the task
	 * @return the task's new state
	 */
	public Task<Object> process(Task<Object> task) {
		return process(task, () -> false);
	}

	/**
	 * Run a task whose run may be interrupted when it exceeds its timeout.
	 * @param task the task
	 * @param timedOut tells, once the handler has returned or thrown, whether the run was interrupted because it
	 * exceeded the task's timeout
	 * @return the task's new state: {@code completed}, {@code failed}, or {@code retrying} when the failure may be
	 * retried and the task has retries left
	 */
	public Task<Object> process(Task<Object> task, BooleanSupplier timedOut) {
		TaskHandler handler = this.handlers.get(task.getName());
		if (handler == null) {
			String message = "No task named '" + task.getName() + "' is registered on this worker of queue '"
					+ this.queue + "'; it knows " + new TreeSet<>(this.handlers.keySet());
			logger.error("Task {} failed: {}", task.getId(), message);
			return failed(task, TaskException.of(UNKNOWN_TASK, message));
		}
		try {
			Object result = handler.handle(task);
			return timedOut.getAsBoolean() ? timedOut(task) : completed(task, result);
		}
		catch (TaskArgumentException ex) {
			logger.error("Task {} ({}) failed: {}", task.getId(), task.getName(), ex.getMessage());
			return failed(task, TaskException.of(ex));
		}
		catch (Exception ex) {
			if (timedOut.getAsBoolean()) {
				return timedOut(task);
			}
			logger.warn("Task {} ({}) failed: {}", task.getId(), task.getName(), ex.toString());
			logger.debug("Task {} ({}) failed", task.getId(), task.getName(), ex);
			return failure(task, TaskException.of(ex), handler.isRetryable(ex));
		}
		catch (Error ex) {
			// an AssertionError, a StackOverflowError or a LinkageError ends this run only; the JVM is fine
			if (ex instanceof VirtualMachineError && !(ex instanceof StackOverflowError)) {
				throw ex;
			}
			logger.error("Task {} ({}) failed with an error", task.getId(), task.getName(), ex);
			return failed(task, TaskException.of(ex));
		}
	}

	/**
	 * Return the state of a task whose run exceeded its timeout: retried when its config says so and retries are
	 * left, failed otherwise.
	 * @param task the task
	 * @return the task's new state
	 */
	public Task<Object> timedOut(Task<Object> task) {
		Double timeout = task.getConfig().timeout();
		double limit = (timeout != null) ? timeout : 0;
		String message = "Task exceeded timeout of " + seconds(limit) + ((limit == 1) ? " second" : " seconds");
		logger.warn("Task {} ({}) failed: {}", task.getId(), task.getName(), message);
		TaskException exception = new TaskException(TIMEOUT, TaskProcessor.class.getPackageName(), message,
				List.of(message), null);
		return failure(task, exception, task.getConfig().retryOnTimeout());
	}

	private static Task<Object> failure(Task<Object> task, TaskException exception, boolean retryable) {
		if (retryable && task.getRetryCount() < task.getConfig().retry()) {
			return retrying(task, exception);
		}
		return failed(task, exception);
	}

	static Task<Object> completed(Task<Object> task, @Nullable Object result) {
		return task.mutate()
			.status(TaskStatus.COMPLETED)
			.result(result)
			.exception(null)
			.finishedAt(Task.now())
			.build();
	}

	static Task<Object> failed(Task<Object> task, TaskException exception) {
		return task.mutate()
			.status(TaskStatus.FAILED)
			.result(null)
			.exception(exception)
			.finishedAt(Task.now())
			.build();
	}

	/**
	 * Return the state of a task whose failed run is retried: the k-th retry waits the k-th delay of the task's
	 * config; the exception is kept until a run succeeds.
	 */
	static Task<Object> retrying(Task<Object> task, TaskException exception) {
		int retry = task.getRetryCount() + 1;
		Instant now = Task.now();
		return task.mutate()
			.status(TaskStatus.RETRYING)
			.result(null)
			.exception(exception)
			.retryCount(retry)
			.lastRetryAt(now)
			.nextRetryAt(now.plus(task.getConfig().retryDelay().delayBefore(retry)))
			.finishedAt(null)
			.build();
	}

	private static String seconds(double seconds) {
		return (seconds == Math.rint(seconds) && !Double.isInfinite(seconds)) ? Long.toString((long) seconds)
				: Double.toString(seconds);
	}

}
