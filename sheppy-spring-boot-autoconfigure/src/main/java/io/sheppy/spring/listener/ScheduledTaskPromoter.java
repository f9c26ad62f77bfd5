package io.sheppy.spring.listener;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.core.Task;

import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

/**
 * Moves the due tasks of a queue's schedule to the queue, in batches. It sleeps until the earliest scheduled task is
 * due, and wakes at once when a task is scheduled earlier than that one (by any process that schedules through this
 * project's backend); it looks again at least every {@link #MAX_WAIT}, for tasks scheduled by other clients. Many
 * workers may run a promoter of the same queue: each task is moved once.
 *
 * @author Sheppy for Spring
 */
final class ScheduledTaskPromoter implements Runnable {

	/** The longest time between two looks at the schedule. */
	static final Duration MAX_WAIT = Duration.ofSeconds(5);

	private static final Logger logger = LoggerFactory.getLogger(ScheduledTaskPromoter.class);

	private static final int BATCH_SIZE = 1000;

	private final Backend backend;

	private final String queue;

	private final BackOff backOff;

	private volatile boolean active;

	private @Nullable Thread thread;

	ScheduledTaskPromoter(Backend backend, String queue, BackOff backOff) {
		this.backend = backend;
		this.queue = queue;
		this.backOff = backOff;
	}

	synchronized void start() {
		this.active = true;
		Thread promoter = new Thread(this, "sheppy-" + this.queue + "-scheduler");
		promoter.setDaemon(true);
		this.thread = promoter;
		promoter.start();
	}

	synchronized void stop() {
		this.active = false;
		Thread promoter = this.thread;
		if (promoter != null) {
			promoter.interrupt();
			try {
				promoter.join(MAX_WAIT.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public void run() {
		BackOffExecution backOff = null;
		while (this.active) {
			try {
				promoteDueTasks();
				Duration wait = untilNextDue();
				backOff = null;
				if (wait.compareTo(Duration.ZERO) > 0) {
					this.backend.awaitScheduleChange(this.queue, wait);
				}
			}
			catch (RuntimeException ex) {
				if (!this.active) {
					return;
				}
				backOff = (backOff != null) ? backOff : this.backOff.start();
				long wait = backOff.nextBackOff();
				logger.warn("Failed to move due scheduled tasks of queue '{}' to the queue, retrying in {} ms: {}",
						this.queue, wait, ex.getMessage());
				OutcomeWriter.pause((wait != BackOffExecution.STOP) ? wait : MAX_WAIT.toMillis());
			}
		}
	}

	private void promoteDueTasks() {
		List<Task<Object>> moved;
		do {
			moved = this.backend.popScheduled(this.queue, Instant.now(), BATCH_SIZE);
			if (!moved.isEmpty()) {
				logger.debug("Moved {} due task(s) of queue '{}' to the queue", moved.size(), this.queue);
			}
		}
		while (moved.size() == BATCH_SIZE && this.active);
	}

	private Duration untilNextDue() {
		Optional<Instant> next = this.backend.nextScheduledAt(this.queue);
		if (next.isEmpty()) {
			return MAX_WAIT;
		}
		Duration wait = Duration.between(Instant.now(), next.get());
		return (wait.compareTo(MAX_WAIT) < 0) ? wait : MAX_WAIT;
	}

}
