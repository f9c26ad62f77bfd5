package io.sheppy.spring.listener;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the tests' gated tasks do: wait until a gate opens, counting how many wait at once, so that a test sees how
 * many tasks a worker runs at the same time.
 *
 * @author Sheppy for Spring
 */
final class GatedRuns {

	private volatile CountDownLatch gate = new CountDownLatch(1);

	private final AtomicInteger running = new AtomicInteger();

	private final AtomicInteger maxRunning = new AtomicInteger();

	/**
	 * Wait until the gate opens (at most 20 seconds).
	 * @param value the value to return
	 * @return the value
	 * @throws InterruptedException if the waiting thread is interrupted
	 * @throws IllegalStateException if the gate stays shut
	 */
	int pass(int value) throws InterruptedException {
		this.maxRunning.accumulateAndGet(this.running.incrementAndGet(), Math::max);
		try {
			if (!this.gate.await(20, TimeUnit.SECONDS)) {
				throw new IllegalStateException("The gate stayed shut");
			}
			return value;
		}
		finally {
			this.running.decrementAndGet();
		}
	}

	/**
	 * Return how many runs wait at the gate now.
	 * @return the runs waiting
	 */
	int running() {
		return this.running.get();
	}

	/**
	 * Return the most runs that waited at the gate at once.
	 * @return the most runs waiting at once
	 */
	int maxRunning() {
		return this.maxRunning.get();
	}

	void open() {
		this.gate.countDown();
	}

	/**
	 * Shut the gate again and forget the runs counted.
	 */
	void reset() {
		this.gate = new CountDownLatch(1);
		this.running.set(0);
		this.maxRunning.set(0);
	}

}
