package io.sheppy.spring.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

import io.sheppy.spring.backend.BackendException;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.queue.TaskQueue;

/**
 * Adds tasks at a steady pace on a thread of its own, as a producer under load does while the faults happen: a batch
 * every interval. An add that throws {@link BackendException} (Redis is away) is counted and tried again with the same
 * tasks until it goes through; a task refused then because its id exists was written by an attempt that threw, so it
 * counts as accepted too.
 *
 * @author Sheppy for Spring
 */
final class Submission {

	private final TaskQueue queue;

	private final int total;

	private final int batchSize;

	private final Duration interval;

	private final IntFunction<Task<Object>> factory;

	private final List<Accepted> accepted = new ArrayList<>();

	private final AtomicInteger failedAdds = new AtomicInteger();

	private final Map<String, Integer> failures = new ConcurrentHashMap<>();

	private final CompletableFuture<Void> done;

	private volatile long firstFailureAt;

	private volatile long lastFailureAt;

	private Submission(TaskQueue queue, int total, int batchSize, Duration interval,
			IntFunction<Task<Object>> factory) {
		this.queue = queue;
		this.total = total;
		this.batchSize = batchSize;
		this.interval = interval;
		this.factory = factory;
		this.done = CompletableFuture.runAsync(this::run, (runnable) -> {
			Thread thread = new Thread(runnable, "fault-tests-producer");
			thread.setDaemon(true);
			thread.start();
		});
	}

	/**
	 * Start adding tasks.
	 * @param queue the queue
	 * @param total how many tasks to add
	 * @param batchSize how many tasks to add at a time
	 * @param interval the time between the starts of two batches
	 * @param factory creates the i-th task
	 * @return the running submission
	 */
	static Submission start(TaskQueue queue, int total, int batchSize, Duration interval,
			IntFunction<Task<Object>> factory) {
		return new Submission(queue, total, batchSize, interval, factory);
	}

	private void run() {
		long next = System.nanoTime();
		for (int from = 0; from < this.total; from += this.batchSize) {
			List<Task<Object>> batch = new ArrayList<>();
			for (int i = from; i < Math.min(from + this.batchSize, this.total); i++) {
				batch.add(this.factory.apply(i));
			}
			add(batch);
			next += this.interval.toNanos();
			// the pace of the load, not a wait for an outcome
			LockSupport.parkNanos(next - System.nanoTime());
		}
	}

	private void add(List<Task<Object>> batch) {
		boolean threw = false;
		while (true) {
			try {
				List<Boolean> added = this.queue.add(batch);
				long now = System.currentTimeMillis();
				synchronized (this.accepted) {
					for (int i = 0; i < batch.size(); i++) {
						if (!added.get(i) && !threw) {
							throw new IllegalStateException("Task " + batch.get(i).getId() + " was refused: its id exists");
						}
						this.accepted.add(new Accepted(batch.get(i), now));
					}
				}
				return;
			}
			catch (BackendException ex) {
				threw = true;
				long now = System.currentTimeMillis();
				if (this.failedAdds.getAndIncrement() == 0) {
					this.firstFailureAt = now;
				}
				this.lastFailureAt = now;
				this.failures.merge(ex.getClass().getSimpleName() + ": " + firstLine(ex.getMessage()), 1, Integer::sum);
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
			}
		}
	}

	private static String firstLine(String message) {
		String line = (message != null) ? message.lines().findFirst().orElse("") : "";
		return (line.length() > 160) ? line.substring(0, 160) + "..." : line;
	}

	/**
	 * Return how many tasks were accepted so far.
	 * @return the count
	 */
	int submitted() {
		synchronized (this.accepted) {
			return this.accepted.size();
		}
	}

	/**
	 * Wait until all tasks are added, rethrowing what made the submission fail.
	 * @param timeout how long to wait
	 * @return the accepted tasks, in order
	 */
	List<Accepted> join(Duration timeout) {
		try {
			this.done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException("The producer failed", ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException("The producer did not add its " + this.total + " tasks within " + timeout
					+ " (" + submitted() + " added)", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		synchronized (this.accepted) {
			return List.copyOf(this.accepted);
		}
	}

	int failedAdds() {
		return this.failedAdds.get();
	}

	Map<String, Integer> failures() {
		return Map.copyOf(this.failures);
	}

	long firstFailureAt() {
		return this.firstFailureAt;
	}

	long lastFailureAt() {
		return this.lastFailureAt;
	}

	/**
	 * A task the queue accepted, and when.
	 *
	 * @param task the task
	 * @param at when its add returned, in epoch milliseconds
	 */
	record Accepted(Task<Object> task, long at) {

	}

}
