package io.sheppy.spring.listener;

import java.util.Map;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskException;
import io.sheppy.spring.core.TaskStatus;

import org.springframework.util.Assert;

/**
 * Runs one task with the handler registered for its name and returns its outcome: {@code completed} with the
 * handler's result, or {@code failed} with the record of what went wrong. A task whose name has no handler, or whose
 * arguments do not bind, fails with a record that says so. It throws nothing but a {@link VirtualMachineError} (such
 * as an {@link OutOfMemoryError}) that a task ran into.
 *
 * @author Sheppy for Spring
 */
public class TaskProcessor {

	private static final Logger logger = LoggerFactory.getLogger(TaskProcessor.class);

	static final String UNKNOWN_TASK = "UnknownTaskException";

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
		TaskHandler handler = this.handlers.get(task.getName());
		if (handler == null) {
			String message = "No task named '" + task.getName() + "' is registered on this worker of queue '"
					+ this.queue + "'; it knows " + new TreeSet<>(this.handlers.keySet());
			logger.error("Task {} failed: {}", task.getId(), message);
			return failed(task, TaskException.of(UNKNOWN_TASK, message));
		}
		try {
			return completed(task, handler.handle(task));
		}
		catch (TaskArgumentException ex) {
			logger.error("Task {} ({}) failed: {}", task.getId(), task.getName(), ex.getMessage());
			return failed(task, TaskException.of(ex));
		}
		catch (Exception ex) {
			logger.warn("Task {} ({}) failed: {}", task.getId(), task.getName(), ex.toString());
			logger.debug("Task {} ({}) failed", task.getId(), task.getName(), ex);
			return failed(task, TaskException.of(ex));
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

}
