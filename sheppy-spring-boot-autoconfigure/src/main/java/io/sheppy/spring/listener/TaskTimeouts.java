package io.sheppy.spring.listener;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Enforces the timeouts of running tasks: when a run exceeds its task's timeout, its thread is interrupted; when it
 * has not ended a grace period later (it ignores interrupts), the run is settled as timed out without it, so that its
 * slot is freed, and it is reported.
 *
 * @author Sheppy for Spring
 */
final class TaskTimeouts {

	/** How long an interrupted run may take to end before it is given up. */
	static final Duration GRACE = Duration.ofSeconds(1);

	private final ScheduledThreadPoolExecutor scheduler;

	private final Consumer<RunningTask> abandoned;

	/**
	 * Create the timeouts of a container.
	 * @param queue the container's queue, for the thread name
	 * @param abandoned called (on the timeout thread) with a run that ignored its interrupt, once it was settled
	 */
	TaskTimeouts(String queue, Consumer<RunningTask> abandoned) {
		this.abandoned = abandoned;
		this.scheduler = new ScheduledThreadPoolExecutor(1, (runnable) -> {
			Thread thread = new Thread(runnable, "sheppy-" + queue + "-timeouts");
			thread.setDaemon(true);
			return thread;
		});
		this.scheduler.setRemoveOnCancelPolicy(true);
	}

	/**
	 * Watch a run.
	 * @param run the run, started
	 * @param timeout its task's timeout
	 * @return the watch, to cancel when the run ends in time
	 */
	ScheduledFuture<?> watch(RunningTask run, Duration timeout) {
		return this.scheduler.schedule(() -> expire(run), timeout.toNanos(), TimeUnit.NANOSECONDS);
	}

	private void expire(RunningTask run) {
		if (run.isSettled()) {
			return;
		}
		run.markTimedOut();
		run.interrupt();
		this.scheduler.schedule(() -> {
			if (run.settle()) {
				this.abandoned.accept(run);
			}
		}, GRACE.toNanos(), TimeUnit.NANOSECONDS);
	}

	void shutdown() {
		this.scheduler.shutdownNow();
	}

}
