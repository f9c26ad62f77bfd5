package io.sheppy.sample;

import java.util.UUID;

import io.sheppy.spring.core.Task;

/**
 * The answer to a submitted task: what was queued and where to follow it.
 *
 * @param id the task id
 * @param name the task name
 * @param queue the queue it was added to
 * @param status its status when it was added
 * @param links where to follow it
 */
public record SubmittedTask(UUID id, String name, String queue, String status, TaskLinks links) {

	static SubmittedTask of(Task<?> task, String queue) {
		return new SubmittedTask(task.getId(), task.getName(), queue, task.getStatus().wireValue(),
				TaskLinks.of(task.getId()));
	}

}
