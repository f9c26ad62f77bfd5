package io.sheppy.spring.backend;

import io.sheppy.spring.core.Task;

/**
 * A task handed to a worker by {@link Backend#pop}, with the id of the queue entry that carried it. The entry stays
 * claimed by the worker until the task's outcome is stored with that id.
 *
 * @param task the task as it was queued
 * @param deliveryId the id of the queue entry (for Redis, the stream entry id)
 * @author Sheppy for Spring
 */
public record TaskDelivery(Task<Object> task, String deliveryId) {

}
