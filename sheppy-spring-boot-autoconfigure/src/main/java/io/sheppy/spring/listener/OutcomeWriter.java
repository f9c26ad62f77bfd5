package io.sheppy.spring.listener;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.backend.TaskDelivery;
import io.sheppy.spring.core.InvalidTaskException;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskException;
import io.sheppy.spring.core.TaskStatus;

import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

/**
 * Writes what a container decided about its tasks to the backend: outcomes (retrying while the backend fails, until
 * the container gives up at shutdown), the marks of held tasks that started, tasks handed back, and tasks recorded as
 * crashed.
 * <p>
 * Outcomes are stored by a thread of the writer's own, many with one call to the backend: a task's thread submits its
 * outcome and goes on, and the outcomes submitted while one call is under way are stored together with the next one,
 * each still one atomic step of its own. A submitted outcome's callback runs once the outcome is stored (or given up).
 *
 * @author Sheppy for Spring
 */
final class OutcomeWriter {

	private static final Logger logger = LoggerFactory.getLogger(OutcomeWriter.class);

	/** The most outcomes stored with one call. */
	static final int MAX_BATCH = 500;

	/** The most outcomes waiting to be stored; more are stored by the threads that submit them. */
	static final int MAX_BACKLOG = 2000;

	/**
	 * The outcomes of a batch that show a steady flow of them: the next batch, when it has fewer than
	 * {@link #GATHERED}, waits a moment for more, so that storing costs fewer calls while tasks finish in quick
	 * succession (and nothing while they do not).
	 */
	static final int STEADY_FLOW = 8;

	/** The outcomes a batch gathers at most by waiting while they flow steadily. */
	static final int GATHERED = 64;

	/** How long a batch waits for more outcomes while they flow steadily. */
	static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	private final Backend backend;

	private final String queue;

	private final BackOff backOff;

	private final BlockingQueue<Submitted> submitted = new LinkedBlockingQueue<>();

	private final Semaphore backlog;

	/** When a stopping container stops retrying to store outcomes (a {@link System#nanoTime()}), 0 while running. */
	private volatile long giveUpAt;

	private volatile boolean accepting;

	private @Nullable Thread flusher;

	OutcomeWriter(Backend backend, String queue, BackOff backOff) {
		this(backend, queue, backOff, MAX_BACKLOG);
	}

	OutcomeWriter(Backend backend, String queue, BackOff backOff, int maxBacklog) {
		this.backend = backend;
		this.queue = queue;
		this.backOff = backOff;
		this.backlog = new Semaphore(maxBacklog);
	}

	/**
	 * Start the thread that stores submitted outcomes.
	 */
	synchronized void start() {
		this.giveUpAt = 0;
		this.accepting = true;
		Thread thread = new Thread(this::flushLoop, "sheppy-" + this.queue + "-outcomes");
		// not a daemon: outcomes of finished tasks are stored before the application exits
		thread.setDaemon(false);
		this.flusher = thread;
		thread.start();
	}

	/**
	 * Set when to stop retrying, as a {@link System#nanoTime()}; 0 for never.
	 */
	void giveUpAt(long nanoTime) {
		this.giveUpAt = nanoTime;
	}

	/**
	 * Store the outcomes submitted so far and stop the thread that stores them; outcomes submitted later are stored
	 * by the submitting thread.
	 */
	void stop() {
		Thread thread;
		synchronized (this) {
			this.accepting = false;
			thread = this.flusher;
			this.flusher = null;
		}
		if (thread == null) {
			return;
		}
		try {
			thread.join();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Store an outcome with its delivery, in the background: the callback runs when it is stored or given up. While
	 * the writer is stopped, or as many outcomes as its backlog holds ({@value #MAX_BACKLOG} by default) wait already,
	 * the calling thread stores it itself.
	 */
	void submit(Task<Object> outcome, String deliveryId, Runnable stored) {
		if (enqueue(new Submitted(new TaskDelivery(outcome, deliveryId), false, stored))) {
			return;
		}
		try {
			store(outcome, deliveryId);
		}
		finally {
			stored.run();
		}
	}

	/**
	 * Mark a held task as processing now that it started, in the background, with the next outcomes stored (not at
	 * all when its own outcome is stored with them). Until the mark is stored, the task counts as not started: if
	 * this worker is lost meanwhile, it is queued again instead of being recorded as crashed.
	 * @param delivery the delivery of the held task
	 */
	void started(TaskDelivery delivery) {
		if (!enqueue(new Submitted(delivery, true, () -> {
		}))) {
			markStarted(List.of(delivery));
		}
	}

	/**
	 * Hand an item to the flusher; {@code false} when the caller is to write it itself: the writer is stopped, or its
	 * backlog is full.
	 */
	private boolean enqueue(Submitted item) {
		if (this.accepting && this.backlog.tryAcquire()) {
			this.submitted.add(item);
			if (this.accepting || !this.submitted.remove(item)) {
				// the flusher takes it (it stores what is submitted until it has stopped)
				return true;
			}
			this.backlog.release();
		}
		return false;
	}

	private void flushLoop() {
		List<Submitted> batch = new ArrayList<>(MAX_BATCH);
		boolean steady = false;
		while (true) {
			Submitted first;
			try {
				first = this.submitted.poll(100, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				first = null;
			}
			if (first == null) {
				if (!this.accepting && this.submitted.isEmpty()) {
					return;
				}
				continue;
			}
			batch.add(first);
			this.submitted.drainTo(batch, MAX_BATCH - 1);
			if (steady && batch.size() < GATHERED && this.accepting) {
				LockSupport.parkNanos(GATHER_NANOS);
				this.submitted.drainTo(batch, MAX_BATCH - batch.size());
			}
			steady = batch.size() >= STEADY_FLOW;
			try {
				write(batch);
			}
			catch (RuntimeException ex) {
				logger.error("Failed to store the outcomes of {} task(s) of queue '{}'; they stay claimed",
						batch.size(), this.queue, ex);
			}
			finally {
				batch.forEach((item) -> item.stored().run());
				this.backlog.release(batch.size());
				batch.clear();
			}
		}
	}

	/**
	 * Write the marks of the tasks that started and then the outcomes of a batch, skipping the marks of tasks whose
	 * outcome is in the batch.
	 */
	private void write(List<Submitted> batch) {
		List<TaskDelivery> outcomes = new ArrayList<>(batch.size());
		Set<String> ended = new HashSet<>();
		for (Submitted item : batch) {
			if (!item.start()) {
				outcomes.add(item.delivery());
				ended.add(item.delivery().deliveryId());
			}
		}
		List<TaskDelivery> started = new ArrayList<>();
		for (Submitted item : batch) {
			if (item.start() && !ended.contains(item.delivery().deliveryId())) {
				started.add(item.delivery());
			}
		}
		if (!started.isEmpty()) {
			markStarted(started);
		}
		if (!outcomes.isEmpty()) {
			flush(outcomes);
		}
	}

	/**
	 * Mark held tasks as started, once: a mark that fails is not retried (the task then counts as not started should
	 * this worker be lost, and its outcome is stored as any other).
	 */
	private void markStarted(List<TaskDelivery> started) {
		try {
			this.backend.markStarted(this.queue, started);
		}
		catch (RuntimeException ex) {
			logger.warn("Failed to mark {} as started; should this worker be lost before storing the outcome, it is "
					+ "queued again rather than recorded as crashed: {}", describe(started), ex.getMessage());
		}
	}

	private void flush(List<TaskDelivery> outcomes) {
		try {
			storeRetrying(outcomes);
		}
		catch (InvalidTaskException ex) {
			// one of them cannot be written as JSON: one by one, each such outcome becomes a failure that says so
			for (TaskDelivery outcome : outcomes) {
				try {
					store(outcome.task(), outcome.deliveryId());
				}
				catch (RuntimeException failure) {
					logger.error("Failed to store the outcome of task {}", outcome.task().getId(), failure);
				}
			}
		}
	}

	/**
	 * Store an outcome with its delivery, retrying with back-off while the backend fails. A result that cannot be
	 * written as JSON turns the outcome into a failure that says so.
	 */
	void store(Task<Object> outcome, String deliveryId) {
		try {
			storeRetrying(List.of(new TaskDelivery(outcome, deliveryId)));
		}
		catch (InvalidTaskException ex) {
			if (outcome.getStatus() == TaskStatus.FAILED && outcome.getResult() == null) {
				throw ex;
			}
			logger.error("Task {} ({}) returned a result that cannot be stored: {}", outcome.getId(),
					outcome.getName(), ex.getMessage());
			Task<Object> failed = TaskProcessor.failed(outcome, TaskException.of("ResultSerializationException",
					"The result of task '" + outcome.getName() + "' cannot be written as JSON: " + ex.getMessage()));
			storeRetrying(List.of(new TaskDelivery(failed, deliveryId)));
		}
	}

	/**
	 * Store outcomes, retrying with back-off while the backend fails, until the back-off or the shutdown gives up.
	 * @throws InvalidTaskException when an outcome cannot be written (nothing is stored)
	 */
	private void storeRetrying(List<TaskDelivery> outcomes) {
		BackOffExecution execution = null;
		while (true) {
			try {
				List<Boolean> stored = this.backend.storeResults(this.queue, outcomes);
				for (int i = 0; i < outcomes.size(); i++) {
					if (!stored.get(i)) {
						Task<Object> state = outcomes.get(i).task();
						logger.info("Task {} ({}) was finished or taken over elsewhere meanwhile (cancelled, or "
								+ "reclaimed by another worker after this one's lease lapsed); its outcome {} was not "
								+ "stored", state.getId(), state.getName(), state.getStatus());
					}
				}
				return;
			}
			catch (InvalidTaskException ex) {
				// not a failure of the backend: retrying cannot help
				throw ex;
			}
			catch (RuntimeException ex) {
				execution = (execution != null) ? execution : this.backOff.start();
				long wait = execution.nextBackOff();
				logger.warn("Failed to store the outcome of {}, retrying in {} ms: {}", describe(outcomes), wait,
						ex.getMessage());
				long deadline = this.giveUpAt;
				boolean pastShutdown = deadline != 0 && System.nanoTime() - deadline > 0;
				if (wait == BackOffExecution.STOP || Thread.currentThread().isInterrupted() || pastShutdown) {
					logger.error("Gave up storing the outcome of {}; it stays claimed and is taken over when its "
							+ "lease lapses", describe(outcomes));
					return;
				}
				pause(wait);
			}
		}
	}

	private static String describe(List<TaskDelivery> outcomes) {
		if (outcomes.size() == 1) {
			Task<Object> task = outcomes.get(0).task();
			return "task " + task.getId() + " (" + task.getName() + ")";
		}
		return outcomes.size() + " tasks (" + outcomes.get(0).task().getId() + " and others)";
	}

	/**
	 * Hand tasks that were taken and not started back to the queue, for any worker.
	 */
	void handBack(List<TaskDelivery> deliveries) {
		if (deliveries.isEmpty()) {
			return;
		}
		try {
			this.backend.release(this.queue, deliveries);
			logger.info("Handed {} unstarted task(s) of queue '{}' back", deliveries.size(), this.queue);
		}
		catch (RuntimeException ex) {
			logger.error("Failed to hand {} task(s) of queue '{}' back; they stay claimed", deliveries.size(),
					this.queue, ex);
		}
	}

	/**
	 * Record a task whose run was given up as crashed.
	 */
	void crashed(TaskDelivery delivery, String reason) {
		Task<Object> crashed = delivery.task()
			.mutate()
			.status(TaskStatus.CRASHED)
			.exception(TaskException.of("WorkerShutdownException", reason))
			.finishedAt(Task.now())
			.build();
		try {
			this.backend.storeResult(this.queue, crashed, delivery.deliveryId());
		}
		catch (RuntimeException ex) {
			logger.error("Failed to record task {} as crashed", crashed.getId(), ex);
		}
	}

	static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * An outcome to store, or ({@code start}) the mark of a held task that started.
	 */
	private record Submitted(TaskDelivery delivery, boolean start, Runnable stored) {

	}

}
