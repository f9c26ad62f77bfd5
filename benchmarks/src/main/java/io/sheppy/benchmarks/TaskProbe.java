package io.sheppy.benchmarks;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the benchmark tasks report when they start, shared by the applications of one benchmark JVM: how many no-op
 * tasks ran, the pickup latencies (from just before {@code add} to the start of the task method, both
 * {@link System#nanoTime()} of this JVM) and the lateness of scheduled tasks (start of the task method minus the time
 * it was due, wall clock of this JVM). Recording is wait-free ({@link Recorder}), so that measuring costs the tasks
 * next to nothing.
 *
 * @author Sheppy for Spring
 */
public final class TaskProbe {

	private final AtomicLong runs = new AtomicLong();

	private final AtomicLong pickups = new AtomicLong();

	private final AtomicLong lateStarts = new AtomicLong();

	private final AtomicLong earlyStarts = new AtomicLong();

	private final Semaphore pickupSignal = new Semaphore(0);

	private final Recorder pickupNanos = new Recorder(3);

	private final Recorder latenessNanos = new Recorder(3);

	void ran() {
		this.runs.incrementAndGet();
	}

	void pickedUp(long addedAtNanos) {
		this.pickupNanos.recordValue(Math.max(0, System.nanoTime() - addedAtNanos));
		this.pickups.incrementAndGet();
		this.pickupSignal.release();
	}

	void startedScheduled(long dueEpochMicros) {
		long lateness = epochMicros(Instant.now()) - dueEpochMicros;
		if (lateness < 0) {
			// cannot happen when a task is moved to the queue only once it is due; counted to be sure
			this.earlyStarts.incrementAndGet();
		}
		this.latenessNanos.recordValue(Math.max(0, lateness) * 1000);
		this.lateStarts.incrementAndGet();
	}

	long runs() {
		return this.runs.get();
	}

	long pickups() {
		return this.pickups.get();
	}

	long scheduledStarts() {
		return this.lateStarts.get();
	}

	long earlyStarts() {
		return this.earlyStarts.get();
	}

	/**
	 * Wait until the next pickup is recorded.
	 */
	void awaitPickup(Duration timeout) throws InterruptedException {
		if (!this.pickupSignal.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
			throw new IllegalStateException("No task was picked up within " + timeout);
		}
	}

	/**
	 * Forget the pickups recorded so far and the signals not taken.
	 */
	void resetPickups() {
		this.pickupNanos.reset();
		this.pickupSignal.drainPermits();
	}

	/**
	 * Return the pickup latencies recorded since the last call (or reset), in nanoseconds.
	 */
	Histogram takePickups() {
		return this.pickupNanos.getIntervalHistogram();
	}

	/**
	 * Return the lateness of scheduled tasks recorded since the last call, in nanoseconds.
	 */
	Histogram takeLateness() {
		return this.latenessNanos.getIntervalHistogram();
	}

	static long epochMicros(Instant instant) {
		return TimeUnit.SECONDS.toMicros(instant.getEpochSecond()) + instant.getNano() / 1000;
	}

	/**
	 * Wait until a counter reaches a value, checking every 200 microseconds (in this JVM, no Redis traffic).
	 * @throws IllegalStateException if the timeout passes first
	 */
	static void awaitCount(LongSupplier counter, long target, Duration timeout, String what) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (counter.getAsLong() < target) {
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("Timed out after " + timeout + " waiting for " + what + ": "
						+ counter.getAsLong() + " of " + target);
			}
			LockSupport.parkNanos(200_000);
		}
	}

}
