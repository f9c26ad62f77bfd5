package io.sheppy.sample;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskException;

/**
 * The state of a task as the HTTP API shows it.
 *
 * @param id the task id
 * @param name the task name
 * @param queue the queue it belongs to
 * @param status its status, such as {@code new}, {@code completed} or {@code failed}
 * @param finished whether it has finished (completed, failed, crashed or cancelled)
 * @param args its arguments
 * @param result its result once completed
 * @param exception why it failed
 * @param createdAt when it was created
 * @param finishedAt when it finished
 * @param retryCount how often it was retried
 * @param links where to follow it
 */
public record TaskView(UUID id, String name, @Nullable String queue, String status, boolean finished,
		List<@Nullable Object> args, @Nullable Object result, @Nullable ExceptionView exception, Instant createdAt,
		@Nullable Instant finishedAt, int retryCount, TaskLinks links) {

	static TaskView of(Task<?> task) {
		TaskException exception = task.getException();
		return new TaskView(task.getId(), task.getName(), task.getQueue(), task.getStatus().wireValue(),
				task.isFinished(), task.getSpec().args(), task.getResult(),
				(exception != null) ? new ExceptionView(exception.type(), exception.message()) : null,
				task.getCreatedAt(), task.getFinishedAt(), task.getRetryCount(), TaskLinks.of(task.getId()));
	}

	/**
	 * The exception that ended a task's run.
	 *
	 * @param type the exception's class name, such as {@code IllegalStateException}
	 * @param message its message
	 */
	public record ExceptionView(String type, String message) {

	}

}
