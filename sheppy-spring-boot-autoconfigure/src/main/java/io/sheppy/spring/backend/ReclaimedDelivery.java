package io.sheppy.spring.backend;

import org.jspecify.annotations.Nullable;

import io.sheppy.spring.core.Task;

/**
 * A queue entry this worker took over from a worker that stopped renewing its lease (it died, hung or lost its
 * connection), with what the worker needs to decide what to do with it.
 *
 * @param entryId the id of the entry, now claimed by this worker
 * @param delivery the entry with the task as it was queued, or {@code null} when it holds no readable task
 * @param stored the task as it is stored now, or {@code null} when its record is gone
 * @param deliveries how many times the entry has been delivered, this take-over included
 * @param unreadable why the entry holds no readable task, or {@code null} when it holds one
 * @author Sheppy for Spring
 */
public record ReclaimedDelivery(String entryId, @Nullable TaskDelivery delivery, @Nullable Task<Object> stored,
		long deliveries, @Nullable String unreadable) {

}
