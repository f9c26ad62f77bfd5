package io.sheppy.spring.backend;

import org.jspecify.annotations.Nullable;

import io.sheppy.spring.core.Task;

/**
 * A queue entry this worker took over from a worker that stopped renewing its lease (it died, hung or lost its
 * connection), with what the worker needs to decide what to do with it.
 *
 * @param delivery the entry, now claimed by this worker, with the task as it was queued
 * @param stored the task as it is stored now, or {@code null} when its record is gone
 * @param deliveries how many times the entry has been delivered, this take-over included
 * @author Sheppy for Spring
 */
public record ReclaimedDelivery(TaskDelivery delivery, @Nullable Task<Object> stored, long deliveries) {

}
