package io.sheppy.spring.backend;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskCron;

/**
 * Storage of task queues: the operations of Python Sheppy's backend, with the same meaning, plus what workers need.
 * Every change to one task is one atomic step, also when it touches several keys (storing and queueing a task,
 * moving it from the schedule to the queue, storing its outcome and acknowledging its delivery, cancelling it): a
 * process that dies in the middle leaves either nothing or everything of that step done. Operations on many tasks
 * ({@link #append}, {@link #popScheduled}, {@link #clear}, {@link #acknowledge}) are atomic per task, not as a whole.
 * <p>
 * Queues are isolated from each other: no operation on one queue reads or changes another, also when one queue's
 * name is a prefix of another's.
 *
 * @author Sheppy for Spring
 * @see RedisBackend
 * @see MemoryBackend
 */
public interface Backend {

	/**
	 * Store tasks and queue them for workers, in order.
	 * @param queue the queue name
	 * @param tasks the tasks
	 * @param unique whether a task whose id already exists is refused (also the second of two equal ids in one
	 * batch); when {@code false} such a task is overwritten and queued again
	 * @return for each task, whether it was queued
	 */
	List<Boolean> append(String queue, List<? extends Task<?>> tasks, boolean unique);

	/**
	 * Take the next queued tasks for this worker, oldest first. Each is claimed by this worker until its outcome is
	 * stored with {@link #storeResult(String, Task, String)}.
	 * @param queue the queue name
	 * @param limit the most tasks to take, at least 1
	 * @param timeout how long to wait when none is queued; {@code null} or zero returns at once
	 * @return the tasks taken, possibly none; none when the calling thread is interrupted, which keeps its interrupt
	 * status
	 */
	default List<TaskDelivery> pop(String queue, int limit, @Nullable Duration timeout) {
		return pop(queue, limit, 0, timeout);
	}

	/**
	 * Take the next queued tasks for this worker, oldest first, and hold some of them for later: the first
	 * {@code limit - held} tasks taken start now and are marked as processing, as {@link #pop(String, int, Duration)}
	 * marks them; the others are held, claimed by this worker (no other worker takes them, and they cannot be
	 * cancelled) with their records left as they were queued, until {@link #markStarted} marks them. A held task of a
	 * lost worker is queued again without counting an attempt, as any task that never started; a task whose mark was
	 * not stored yet when its worker was lost is one of those.
	 * @param queue the queue name
	 * @param limit the most tasks to take, at least 1
	 * @param held how many of the last of them to hold, at least 0 and less than {@code limit}
	 * @param timeout how long to wait when none is queued; {@code null} or zero returns at once
	 * @return the tasks taken, possibly none, each with status {@code processing}; none when the calling thread is
	 * interrupted, which keeps its interrupt status
	 */
	List<TaskDelivery> pop(String queue, int limit, int held, @Nullable Duration timeout);

	/**
	 * Mark held tasks (see {@link #pop(String, int, int, Duration)}) as processing, now that they started. A task whose
	 * record changed since it was taken, or whose delivery is no longer this worker's, is left as it is.
	 * @param queue the queue name
	 * @param deliveries the deliveries of the tasks that started
	 */
	void markStarted(String queue, Collection<TaskDelivery> deliveries);

	/**
	 * Return the tasks of the queue's entries that have not been acknowledged (waiting, or taken by a worker whose
	 * outcome is not stored yet), oldest first, without taking them.
	 * @param queue the queue name
	 * @param count the most tasks to return, at least 1
	 * @return the tasks as they were queued
	 */
	List<Task<Object>> getPending(String queue, int count);

	/**
	 * Return the number of the queue's entries that have not been acknowledged: tasks waiting, or taken by a worker
	 * whose outcome is not stored yet.
	 * @param queue the queue name
	 * @return the number of tasks
	 */
	long size(String queue);

	/**
	 * Remove a queue's tasks, its queue entries, schedule and crons, and take it off the list of queues. The count of
	 * finished tasks is kept.
	 * @param queue the queue name
	 * @return the number of task records removed
	 */
	long clear(String queue);

	/**
	 * Return the stored state of tasks.
	 * @param queue the queue name
	 * @param ids the task ids
	 * @return the tasks found, by id, in the order of the first occurrence of each id
	 */
	Map<UUID, Task<Object>> getTasks(String queue, Collection<UUID> ids);

	/**
	 * Return all stored tasks of a queue, finished ones included.
	 * @param queue the queue name
	 * @return the tasks, in no particular order
	 */
	List<Task<Object>> getAllTasks(String queue);

	/**
	 * Store a task and schedule it to be queued at the given time.
	 * @param queue the queue name
	 * @param task the task, usually with status {@code scheduled}
	 * @param at when the task is due
	 * @param unique whether a task whose id already exists is refused
	 * @return whether the task was scheduled
	 */
	boolean schedule(String queue, Task<?> task, Instant at, boolean unique);

	/**
	 * Move tasks that are due at {@code now} (inclusive) from the schedule to the queue, in due order, as one atomic
	 * step per task: a task is never lost between the two and never queued twice, also when many workers call this at
	 * once. The moved tasks get status {@code pending}. A task whose record is gone or already finished (for example
	 * completed by hand meanwhile) is taken out of the schedule and not queued.
	 * @param queue the queue name
	 * @param now the time to compare due times with
	 * @param limit the most tasks to move in this call, at least 1
	 * @return the tasks moved
	 */
	List<Task<Object>> popScheduled(String queue, Instant now, int limit);

	/**
	 * Return the tasks waiting in the schedule, earliest due first.
	 * @param queue the queue name
	 * @return the scheduled tasks
	 */
	List<Task<Object>> getScheduled(String queue);

	/**
	 * Wait until a task may have been scheduled earlier than every other task of the queue, by this process or
	 * another one, or until the timeout passes. Schedulers use it to wake up at once for a task that is due before the
	 * one they are waiting for.
	 * @param queue the queue name
	 * @param timeout the longest wait
	 * @return whether a change was signalled; {@code false} when the timeout passed or the thread was interrupted
	 * (which keeps its interrupt status)
	 * @throws IllegalArgumentException if the timeout is {@code null} or negative
	 */
	boolean awaitScheduleChange(String queue, Duration timeout);

	/**
	 * Return the due time of the earliest scheduled task.
	 * @param queue the queue name
	 * @return the earliest due time, or empty when nothing is scheduled
	 */
	Optional<Instant> nextScheduledAt(String queue);

	/**
	 * Store the new state of a task, as one atomic step: the task record is written unless it is already finished
	 * (a task that was cancelled, crashed or completed by someone else is never overwritten); when the new state is
	 * finished, a finished notification is written, the completed counter is incremented and the record's time to
	 * live is applied; when the new state is {@code retrying} with a next retry time, the task is put in the schedule
	 * at that time (so a worker dying right after a failed attempt cannot leave it retrying forever); when a delivery
	 * id is given, that queue entry is acknowledged and removed.
	 * @param queue the queue name
	 * @param task the new state of the task
	 * @param deliveryId the queue entry the task was delivered with, or {@code null}
	 * @return whether the state was stored; {@code false} when the stored task was already finished or is gone, or
	 * when the delivery is no longer this worker's (another worker took the task over after this one's lease lapsed:
	 * only that worker's outcome counts)
	 */
	boolean storeResult(String queue, Task<?> task, @Nullable String deliveryId);

	/**
	 * Store the new states of delivered tasks, each as {@link #storeResult} does with the delivery it came with: one
	 * atomic step per task, not for all of them. A backend may do it in fewer round trips than one per task.
	 * @param queue the queue name
	 * @param outcomes the new states of the tasks, each with the delivery it came with
	 * @return whether each state was stored, in the order of the outcomes (as {@link #storeResult} returns)
	 * @throws io.sheppy.spring.core.InvalidTaskException when a state cannot be written, before any is stored
	 */
	List<Boolean> storeResults(String queue, List<TaskDelivery> outcomes);

	/**
	 * Hand taken tasks back to the queue for any worker, as if they had not been taken: each delivery's entry is
	 * acknowledged and removed and the task, as it is stored now, is queued again at the end of the queue, in one
	 * atomic step per task. A task whose record is gone or finished is not queued again.
	 * @param queue the queue name
	 * @param deliveries the deliveries of tasks that were taken and not started
	 */
	void release(String queue, Collection<TaskDelivery> deliveries);

	/**
	 * Run a finished task again, as one atomic step: only when the stored task is finished (completed, failed, crashed
	 * or cancelled), its record is replaced by the given state, which is not finished, and it is queued, or put in the
	 * schedule when a time is given. The record's time to live is removed.
	 * @param queue the queue name
	 * @param task the new state of the task, for example {@code pending} without a finish time
	 * @param at when to run it, or {@code null} to queue it now
	 * @return whether the task was queued or scheduled; {@code false} when it does not exist or has not finished
	 */
	boolean retry(String queue, Task<?> task, @Nullable Instant at);

	/**
	 * Renew the leases of entries this worker runs, in one call, so that no other worker takes them over. Entries no
	 * longer claimed by this worker are skipped.
	 * @param queue the queue name
	 * @param deliveryIds the entries
	 */
	void renewLeases(String queue, Collection<String> deliveryIds);

	/**
	 * Take over the entries of workers that have not renewed their leases for at least the given time: they become
	 * this worker's, and it decides what to do with each (run it again, record it as crashed, or move it aside). An
	 * entry that holds no readable task is moved aside here, as {@link #pop} moves it aside, and is not returned.
	 * @param queue the queue name
	 * @param minIdle how long an entry's lease must have lapsed
	 * @param limit the most entries to take
	 * @return the entries taken over
	 */
	List<ReclaimedDelivery> reclaim(String queue, Duration minIdle, int limit);

	/**
	 * Remove the workers of the queue's consumer group that hold no entries and have not read for at least the given
	 * time, so that the group does not grow forever. A worker that reads again joins again.
	 * @param queue the queue name
	 * @param minIdle how long a worker must have been idle
	 * @return the number of workers removed
	 */
	int removeIdleConsumers(String queue, Duration minIdle);

	/**
	 * Acknowledge and remove queue entries without storing anything.
	 * @param queue the queue name
	 * @param deliveryIds the queue entries
	 */
	void acknowledge(String queue, Collection<String> deliveryIds);

	/**
	 * Return a future that completes with the given tasks once all of them have finished (a task that does not exist
	 * yet is waited for too). Waiting holds no thread and no connection of its own: the waiters of one queue share
	 * one reader of finished notifications. Cancelling the future stops the wait.
	 * @param queue the queue name
	 * @param ids the task ids
	 * @return the future of the finished tasks, by id in the order of the ids
	 */
	CompletableFuture<Map<UUID, Task<Object>>> whenFinished(String queue, Collection<UUID> ids);

	/**
	 * Return tasks that are finished, waiting for them as the timeout says.
	 * @param queue the queue name
	 * @param ids the task ids
	 * @param timeout {@code null} or negative: return at once with what has finished; zero: wait until all have
	 * finished; positive: wait at most this long, then throw
	 * @return the finished tasks, by id
	 * @throws WaitTimeoutException if a positive timeout passed before all tasks finished
	 * @throws BackendException if the calling thread is interrupted while waiting (its interrupt status is kept)
	 */
	default Map<UUID, Task<Object>> getResults(String queue, Collection<UUID> ids, @Nullable Duration timeout) {
		if (timeout == null || timeout.isNegative()) {
			Map<UUID, Task<Object>> finished = new LinkedHashMap<>();
			getTasks(queue, ids).forEach((id, task) -> {
				if (task.isFinished()) {
					finished.put(id, task);
				}
			});
			return finished;
		}
		CompletableFuture<Map<UUID, Task<Object>>> future = whenFinished(queue, ids);
		try {
			return timeout.isZero() ? future.get() : future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			future.cancel(false);
			Map<UUID, Task<Object>> finished = getResults(queue, ids, null);
			Set<UUID> unfinished = new LinkedHashSet<>(ids);
			unfinished.removeAll(finished.keySet());
			if (unfinished.isEmpty()) {
				return finished;
			}
			throw new WaitTimeoutException(timeout, unfinished);
		}
		catch (InterruptedException ex) {
			future.cancel(false);
			Thread.currentThread().interrupt();
			throw new BackendException("Interrupted while waiting for tasks " + ids + " of queue '" + queue
					+ "' to finish", ex);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException cause) {
				throw cause;
			}
			throw new BackendException("Failed to wait for tasks " + ids + " of queue '" + queue + "'", ex.getCause());
		}
	}

	/**
	 * Cancel a task that no worker has taken: one that is new or pending and not yet claimed, scheduled, or waiting
	 * for a retry. The task becomes {@code cancelled} and finished, and its waiters are notified.
	 * @param queue the queue name
	 * @param id the task id
	 * @return the cancelled task, or empty if it does not exist, is finished or was already taken by a worker
	 * @throws BackendException if the task kept changing while it was being cancelled
	 */
	Optional<Task<Object>> cancel(String queue, UUID id);

	/**
	 * Delete the record of a finished task.
	 * @param queue the queue name
	 * @param id the task id
	 * @return whether a task was deleted; {@code false} when none exists
	 * @throws IllegalStateException if the task has not finished
	 */
	boolean delete(String queue, UUID id);

	/**
	 * Return counts of a queue.
	 * @param queue the queue name
	 * @return the counts
	 */
	QueueStats getStats(String queue);

	/**
	 * Return the known queues and the number of queued, unfinished tasks of each.
	 * @return the queues by name, sorted by name
	 */
	Map<String, Long> listQueues();

	/**
	 * Store a cron definition unless one with the same deterministic id exists.
	 * @param queue the queue name
	 * @param cron the cron
	 * @return whether it was stored
	 */
	boolean addCron(String queue, TaskCron cron);

	/**
	 * Delete a cron definition.
	 * @param queue the queue name
	 * @param deterministicId the cron's deterministic id
	 * @return whether one was deleted
	 */
	boolean deleteCron(String queue, UUID deterministicId);

	/**
	 * Remove the runs of a cron that are scheduled and not yet queued: each is cancelled and deleted.
	 * @param queue the queue name
	 * @param cronId the cron's deterministic id
	 * @return the number of runs removed
	 */
	default int removeScheduledRuns(String queue, UUID cronId) {
		int removed = 0;
		for (Task<Object> run : getScheduled(queue)) {
			if (cronId.equals(run.getCronId()) && cancel(queue, run.getId()).isPresent()) {
				delete(queue, run.getId());
				removed++;
			}
		}
		return removed;
	}

	/**
	 * Return what in the backend's setup can lose tasks, each as one sentence a user can act on: for Redis, an
	 * eviction policy other than {@code noeviction}, or no persistence at all.
	 * @return the warnings, empty when none is known
	 */
	default List<String> checkDurability() {
		return List.of();
	}

	/**
	 * Return the cron definitions of a queue.
	 * @param queue the queue name
	 * @return the crons
	 */
	List<TaskCron> getCrons(String queue);

}
