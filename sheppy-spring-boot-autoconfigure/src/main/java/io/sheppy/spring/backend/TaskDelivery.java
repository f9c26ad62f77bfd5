package io.sheppy.spring.backend;

import io.sheppy.spring.core.Task;

/**
 * A task handed to a worker by {@link Backend#pop}, with the id of the queue entry that carried it. The entry stays
 * claimed by the worker until the task's outcome is stored with that id.
 *
 * @param task the task as it was queued
 * @param deliveryId the id of the queue entry (for Redis, the stream entry id)
 * @param held whether the task was taken to start later, its record not marked as processing yet (see
 * {@link Backend#pop(String, int, int, java.time.Duration)} and {@link Backend#markStarted})
 * @author Sheppy for Spring
 */
public record TaskDelivery(Task<Object> task, String deliveryId, boolean held) {

	/**
	 * Create the delivery of a task that starts now.
	 * @param task the task
	 * @param deliveryId the id of the queue entry
	 */
	public TaskDelivery(Task<Object> task, String deliveryId) {
		this(task, deliveryId, false);
	}

}
