package io.sheppy.spring.backend;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.springframework.util.Assert;

/**
 * The schedule-change signals of the queues of one backend, behind {@link Backend#awaitScheduleChange}. A signal is
 * sticky: one that arrives while nobody waits for its queue is kept and consumed by the next wait of that queue, so a
 * change that happens between two waits of a scheduler is never lost; one that arrives while callers wait wakes all of
 * them and is consumed by them.
 *
 * @author Sheppy for Spring
 */
final class ScheduleChangeSignals {

	private final ReentrantLock lock = new ReentrantLock();

	private final Map<String, QueueSignal> queues = new HashMap<>();

	private boolean closed;

	/**
	 * Signal that the schedule of a queue may have a new earliest task.
	 * @param queue the queue name
	 */
	void signal(String queue) {
		this.lock.lock();
		try {
			queue(queue).signal();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Wait until the schedule of a queue is signalled, taking a signal kept since the last wait at once.
	 * @param queue the queue name
	 * @param timeout the longest wait
	 * @return whether a signal was taken; {@code false} when the timeout passed, the thread was interrupted (which
	 * keeps its interrupt status) or the signals were closed
	 * @throws IllegalArgumentException if the timeout is {@code null} or negative
	 */
	boolean await(String queue, Duration timeout) {
		assertTimeout(timeout);
		if (Thread.currentThread().isInterrupted()) {
			return false;
		}
		long remaining = nanos(timeout);
		this.lock.lock();
		try {
			QueueSignal signal = queue(queue);
			long seen = signal.generation;
			if (signal.pending) {
				signal.pending = false;
				return true;
			}
			while (signal.generation == seen) {
				if (this.closed || remaining <= 0) {
					return false;
				}
				remaining = signal.changed.awaitNanos(remaining);
			}
			signal.pending = false;
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Wake all waiters, which return {@code false}, and make every later wait return {@code false} at once.
	 */
	void close() {
		this.lock.lock();
		try {
			this.closed = true;
			this.queues.values().forEach((signal) -> signal.changed.signalAll());
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Check the timeout of {@link Backend#awaitScheduleChange}.
	 * @param timeout the timeout
	 * @throws IllegalArgumentException if the timeout is {@code null} or negative
	 */
	static void assertTimeout(Duration timeout) {
		Assert.notNull(timeout, "'timeout' must not be null");
		Assert.isTrue(!timeout.isNegative(), () -> "'timeout' must not be negative but was " + timeout);
	}

	private QueueSignal queue(String queue) {
		return this.queues.computeIfAbsent(queue, (name) -> new QueueSignal(this.lock.newCondition()));
	}

	private static long nanos(Duration duration) {
		try {
			return duration.toNanos();
		}
		catch (ArithmeticException ex) {
			return Long.MAX_VALUE;
		}
	}

	/**
	 * The signal of one queue: a generation number that each signal increments, so that a waiter can tell that a signal
	 * arrived while it waited, and whether a signal is kept for the next wait. Guarded by the lock.
	 */
	private static final class QueueSignal {

		final Condition changed;

		long generation;

		boolean pending;

		QueueSignal(Condition changed) {
			this.changed = changed;
		}

		void signal() {
			this.generation++;
			this.pending = true;
			this.changed.signalAll();
		}

	}

}
