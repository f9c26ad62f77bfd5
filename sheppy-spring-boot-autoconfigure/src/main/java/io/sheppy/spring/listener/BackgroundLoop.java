package io.sheppy.spring.listener;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

/**
 * A daemon thread of a container that repeats one step until it is stopped: the step does its work and waits for the
 * next time; while it fails, the loop backs off, at most {@code maxWait} at a time. Stopping interrupts the step's
 * wait.
 *
 * @author Sheppy for Spring
 */
final class BackgroundLoop {

	private final String threadName;

	private final Runnable step;

	private final BackOff backOff;

	private final Duration maxWait;

	private final Logger logger;

	private final String failure;

	private volatile boolean active;

	private @Nullable Thread thread;

	/**
	 * Create a loop.
	 * @param threadName the name of its thread
	 * @param step one round of the work, waiting for the next one
	 * @param backOff the back-off while the step fails
	 * @param maxWait the longest wait after a failure
	 * @param logger where failures are logged
	 * @param failure what failed, for the log ("move the due tasks of queue 'q'")
	 */
	BackgroundLoop(String threadName, Runnable step, BackOff backOff, Duration maxWait, Logger logger,
			String failure) {
		this.threadName = threadName;
		this.step = step;
		this.backOff = backOff;
		this.maxWait = maxWait;
		this.logger = logger;
		this.failure = failure;
	}

	synchronized void start() {
		this.active = true;
		Thread loop = new Thread(this::run, this.threadName);
		loop.setDaemon(true);
		this.thread = loop;
		loop.start();
	}

	/**
	 * Stop the loop and wait for its thread to end, at most {@code maxWait} and 5 s.
	 */
	synchronized void stop() {
		this.active = false;
		Thread loop = this.thread;
		if (loop != null) {
			loop.interrupt();
			try {
				loop.join(this.maxWait.toMillis() + 5000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	boolean isActive() {
		return this.active;
	}

	private void run() {
		BackOffExecution execution = null;
		while (this.active) {
			try {
				this.step.run();
				execution = null;
			}
			catch (RuntimeException ex) {
				if (!this.active) {
					return;
				}
				execution = (execution != null) ? execution : this.backOff.start();
				long next = execution.nextBackOff();
				long wait = (next != BackOffExecution.STOP) ? Math.min(next, this.maxWait.toMillis())
						: this.maxWait.toMillis();
				this.logger.warn("Failed to {}, retrying in {} ms: {}", this.failure, wait, ex.getMessage());
				OutcomeWriter.pause(wait);
			}
		}
	}

}
