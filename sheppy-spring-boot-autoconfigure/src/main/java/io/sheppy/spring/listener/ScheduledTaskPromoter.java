package io.sheppy.spring.listener;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.core.Task;

import org.springframework.util.backoff.BackOff;

/**
 * Moves the due tasks of a queue's schedule to the queue, in batches. It sleeps until the earliest scheduled task is
 * due, and wakes at once when a task is scheduled earlier than that one (by any process that schedules through this
 * project's backend); it looks again at least every {@link #MAX_WAIT}, for tasks scheduled by other clients. Many
 * workers may run a promoter of the same queue: each task is moved once.
 *
 * @author Sheppy for Spring
 */
final class ScheduledTaskPromoter {

	/** The longest time between two looks at the schedule. */
	static final Duration MAX_WAIT = Duration.ofSeconds(5);

	private static final Logger logger = LoggerFactory.getLogger(ScheduledTaskPromoter.class);

	private static final int BATCH_SIZE = 1000;

	private final Backend backend;

	private final String queue;

	private final BackgroundLoop loop;

	ScheduledTaskPromoter(Backend backend, String queue, BackOff backOff) {
		this.backend = backend;
		this.queue = queue;
		this.loop = new BackgroundLoop("sheppy-" + queue + "-scheduler", this::promoteAndWait, backOff, MAX_WAIT,
				logger, "move due scheduled tasks of queue '" + queue + "' to the queue");
	}

	void start() {
		this.loop.start();
	}

	void stop() {
		this.loop.stop();
	}

	private void promoteAndWait() {
		promoteDueTasks();
		Duration wait = untilNextDue();
		if (wait.compareTo(Duration.ZERO) > 0) {
			this.backend.awaitScheduleChange(this.queue, wait);
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
		while (moved.size() == BATCH_SIZE && this.loop.isActive());
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
