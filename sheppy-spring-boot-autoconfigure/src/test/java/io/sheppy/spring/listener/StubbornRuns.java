package io.sheppy.spring.listener;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What the tests' stubborn tasks do: wait for a gate to open, ignoring every interrupt, as a task that does not
 * honour its timeout or a shutdown does.
 *
 * @author Sheppy for Spring
 */
final class StubbornRuns {

	private StubbornRuns() {
	}

	/**
	 * Wait until the gate opens (at most 20 seconds), running the given action for each interrupt and going on.
	 * @param gate the gate
	 * @param onInterrupt what to do when the waiting thread is interrupted
	 */
	static void awaitIgnoringInterrupts(CountDownLatch gate, Runnable onInterrupt) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
		boolean open = false;
		while (!open && System.nanoTime() < deadline) {
			try {
				open = gate.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
			}
			catch (InterruptedException ex) {
				onInterrupt.run();
			}
		}
	}

}
