package io.sheppy.spring.listener;

import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

import io.sheppy.spring.backend.TaskDelivery;
import io.sheppy.spring.core.Task;

/**
 * A task a container has taken and runs (or is about to run), holding one of its slots. Its outcome is settled
 * exactly once: by the run itself when it ends, by the timeout watchdog when the run ignores being interrupted, or by
 * the shutdown when the run outlives the shutdown timeout. Whoever settles it stores the outcome and frees the slot;
 * the others drop theirs.
 *
 * @author Sheppy for Spring
 */
final class RunningTask {

	private final TaskDelivery delivery;

	private final AtomicBoolean settled = new AtomicBoolean();

	private volatile @Nullable Thread thread;

	private volatile boolean timedOut;

	RunningTask(TaskDelivery delivery) {
		this.delivery = delivery;
	}

	TaskDelivery delivery() {
		return this.delivery;
	}

	Task<Object> task() {
		return this.delivery.task();
	}

	void startedOn(Thread thread) {
		this.thread = thread;
	}

	/**
	 * Interrupt the run, if it has started.
	 */
	void interrupt() {
		Thread running = this.thread;
		if (running != null) {
			running.interrupt();
		}
	}

	@Nullable Thread thread() {
		return this.thread;
	}

	void markTimedOut() {
		this.timedOut = true;
	}

	boolean isTimedOut() {
		return this.timedOut;
	}

	/**
	 * Take the right to store this task's outcome and free its slot.
	 * @return whether the caller got it; {@code false} when someone else settled the task already
	 */
	boolean settle() {
		return this.settled.compareAndSet(false, true);
	}

	boolean isSettled() {
		return this.settled.get();
	}

}
