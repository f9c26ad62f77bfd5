package io.sheppy.spring.listener;

import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.backend.ReclaimedDelivery;
import io.sheppy.spring.backend.TaskDelivery;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskException;
import io.sheppy.spring.core.TaskStatus;

/**
 * Keeps a container's tasks and takes over those of lost workers. It renews the leases of the tasks the container
 * runs (one call for all of them, every third of the lease timeout); it takes over the tasks whose lease lapsed for
 * the lease timeout (their worker died, hung or lost Redis) and handles each: a task that had started is run again
 * counting the attempt when its config allows a retry on crash and retries are left, else recorded as
 * {@code crashed}; a task that never started is queued again without counting; a task delivered more than
 * {@code maxDeliveries} times is moved aside as {@code failed}. It also removes long idle workers from the consumer
 * group.
 *
 * @author Sheppy for Spring
 */
final class TaskRecovery {

	static final String CRASHED = "WorkerLostException";

	static final String POISON = "PoisonTaskException";

	private static final Logger logger = LoggerFactory.getLogger(TaskRecovery.class);

	private static final int RECLAIM_LIMIT = 100;

	private final Backend backend;

	private final String queue;

	private final RecoverySettings settings;

	private final Supplier<Collection<RunningTask>> running;

	private final Predicate<UUID> runsHere;

	private final OutcomeWriter writer;

	private @Nullable ScheduledThreadPoolExecutor scheduler;

	TaskRecovery(Backend backend, String queue, RecoverySettings settings, Supplier<Collection<RunningTask>> running,
			Predicate<UUID> runsHere, OutcomeWriter writer) {
		this.backend = backend;
		this.queue = queue;
		this.settings = settings;
		this.running = running;
		this.runsHere = runsHere;
		this.writer = writer;
	}

	synchronized void start() {
		ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, (runnable) -> {
			Thread thread = new Thread(runnable, "sheppy-" + this.queue + "-recovery");
			thread.setDaemon(true);
			return thread;
		});
		long renew = this.settings.renewInterval().toMillis();
		long reclaim = this.settings.reclaimInterval().toMillis();
		long cleanup = this.settings.consumerIdleTimeout().toMillis();
		executor.scheduleWithFixedDelay(this::renewLeases, renew, renew, TimeUnit.MILLISECONDS);
		executor.scheduleWithFixedDelay(this::reclaim, reclaim, reclaim, TimeUnit.MILLISECONDS);
		executor.scheduleWithFixedDelay(this::removeIdleConsumers, cleanup, cleanup, TimeUnit.MILLISECONDS);
		this.scheduler = executor;
	}

	synchronized void stop() {
		if (this.scheduler != null) {
			this.scheduler.shutdownNow();
			this.scheduler = null;
		}
	}

	void renewLeases() {
		List<String> ids = this.running.get().stream().map((run) -> run.delivery().deliveryId()).toList();
		if (ids.isEmpty()) {
			return;
		}
		try {
			this.backend.renewLeases(this.queue, ids);
		}
		catch (RuntimeException ex) {
			logger.warn("Failed to renew the leases of {} running task(s) of queue '{}': {}", ids.size(), this.queue,
					ex.getMessage());
		}
	}

	void reclaim() {
		List<ReclaimedDelivery> reclaimed;
		try {
			reclaimed = this.backend.reclaim(this.queue, this.settings.leaseTimeout(), RECLAIM_LIMIT);
		}
		catch (RuntimeException ex) {
			logger.warn("Failed to look for abandoned tasks of queue '{}': {}", this.queue, ex.getMessage());
			return;
		}
		for (ReclaimedDelivery entry : reclaimed) {
			try {
				recover(entry);
			}
			catch (RuntimeException ex) {
				logger.error("Failed to recover an abandoned task of queue '{}'; it is looked at again later",
						this.queue, ex);
			}
		}
	}

	private void recover(ReclaimedDelivery entry) {
		TaskDelivery delivery = entry.delivery();
		Task<Object> task = delivery.task();
		if (this.runsHere.test(task.getId())) {
			// this worker's own task, whose lease lapsed while Redis was away: keep it
			this.backend.renewLeases(this.queue, List.of(delivery.deliveryId()));
			return;
		}
		Task<Object> stored = entry.stored();
		if (stored == null || stored.isFinished()) {
			this.backend.acknowledge(this.queue, List.of(delivery.deliveryId()));
			return;
		}
		if (entry.deliveries() > this.settings.maxDeliveries()) {
			String message = "The task was delivered " + entry.deliveries() + " times without finishing (at most "
					+ this.settings.maxDeliveries() + "); it was moved aside";
			logger.error("Task {} ({}) of queue '{}' is poison: {}", task.getId(), task.getName(), this.queue, message);
			this.writer.store(TaskProcessor.failed(stored, TaskException.of(POISON, message)), delivery.deliveryId());
			return;
		}
		if (stored.getStatus() != TaskStatus.PROCESSING) {
			logger.info("Task {} ({}) of queue '{}' was taken by a lost worker before it started; queued again",
					task.getId(), task.getName(), this.queue);
			this.writer.handBack(List.of(delivery));
			return;
		}
		String message = "The worker that ran the task stopped renewing its lease for "
				+ this.settings.leaseTimeout() + " (it died, hung or lost Redis)";
		TaskException crash = TaskException.of(CRASHED, message);
		if (stored.getConfig().retryOnCrash() && stored.getRetryCount() < stored.getConfig().retry()) {
			logger.warn("Task {} ({}) of queue '{}' was running on a lost worker; it runs again", task.getId(),
					task.getName(), this.queue);
			this.writer.store(TaskProcessor.retrying(stored, crash), delivery.deliveryId());
		}
		else {
			logger.warn("Task {} ({}) of queue '{}' was running on a lost worker; it is recorded as crashed",
					task.getId(), task.getName(), this.queue);
			this.writer.store(stored.mutate()
				.status(TaskStatus.CRASHED)
				.result(null)
				.exception(crash)
				.finishedAt(Task.now())
				.build(), delivery.deliveryId());
		}
	}

	void removeIdleConsumers() {
		try {
			int removed = this.backend.removeIdleConsumers(this.queue, this.settings.consumerIdleTimeout());
			if (removed > 0) {
				logger.info("Removed {} idle worker(s) from the consumer group of queue '{}'", removed, this.queue);
			}
		}
		catch (RuntimeException ex) {
			logger.debug("Failed to remove idle workers of queue '{}'", this.queue, ex);
		}
	}

}
