package io.sheppy.spring.backend;

/**
 * Counts of one queue.
 *
 * @param pending tasks in the pending stream that have not finished (queued or running)
 * @param completed tasks that reached a finished state since the queue was created
 * @param scheduled tasks waiting in the schedule
 * @author Sheppy for Spring
 */
public record QueueStats(long pending, long completed, long scheduled) {

}
