package io.sheppy.spring.listener;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.backend.TaskDelivery;
import io.sheppy.spring.core.InvalidTaskException;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskException;
import io.sheppy.spring.core.TaskStatus;

import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

/**
 * Writes what a container decided about its tasks to the backend: outcomes (retrying while the backend fails, until
 * the container gives up at shutdown), tasks handed back, and tasks recorded as crashed.
 *
 * @author Sheppy for Spring
 */
final class OutcomeWriter {

	private static final Logger logger = LoggerFactory.getLogger(OutcomeWriter.class);

	private final Backend backend;

	private final String queue;

	private final BackOff backOff;

	/** When a stopping container stops retrying to store outcomes (a {@link System#nanoTime()}), 0 while running. */
	private volatile long giveUpAt;

	OutcomeWriter(Backend backend, String queue, BackOff backOff) {
		this.backend = backend;
		this.queue = queue;
		this.backOff = backOff;
	}

	/**
	 * Set when to stop retrying, as a {@link System#nanoTime()}; 0 for never.
	 */
	void giveUpAt(long nanoTime) {
		this.giveUpAt = nanoTime;
	}

	/**
	 * Store an outcome with its delivery, retrying with back-off while the backend fails. A result that cannot be
	 * written as JSON turns the outcome into a failure that says so.
	 */
	void store(Task<Object> outcome, String deliveryId) {
		BackOffExecution execution = null;
		Task<Object> state = outcome;
		while (true) {
			try {
				if (!this.backend.storeResult(this.queue, state, deliveryId)) {
					logger.info("Task {} ({}) was finished or taken over elsewhere meanwhile (cancelled, or reclaimed "
							+ "by another worker after this one's lease lapsed); its outcome {} was not stored",
							state.getId(), state.getName(), state.getStatus());
				}
				return;
			}
			catch (InvalidTaskException ex) {
				if (state.getStatus() == TaskStatus.FAILED && state.getResult() == null) {
					throw ex;
				}
				logger.error("Task {} ({}) returned a result that cannot be stored: {}", state.getId(), state.getName(),
						ex.getMessage());
				state = TaskProcessor.failed(state, TaskException.of("ResultSerializationException",
						"The result of task '" + state.getName() + "' cannot be written as JSON: " + ex.getMessage()));
			}
			catch (RuntimeException ex) {
				execution = (execution != null) ? execution : this.backOff.start();
				long wait = execution.nextBackOff();
				logger.warn("Failed to store the outcome of task {} ({}), retrying in {} ms: {}", state.getId(),
						state.getName(), wait, ex.getMessage());
				long deadline = this.giveUpAt;
				boolean pastShutdown = deadline != 0 && System.nanoTime() - deadline > 0;
				if (wait == BackOffExecution.STOP || Thread.currentThread().isInterrupted() || pastShutdown) {
					logger.error("Gave up storing the outcome of task {} ({}); it stays claimed", state.getId(),
							state.getName());
					return;
				}
				pause(wait);
			}
		}
	}

	/**
	 * Hand tasks that were taken and not started back to the queue, for any worker.
	 */
	void handBack(List<TaskDelivery> deliveries) {
		if (deliveries.isEmpty()) {
			return;
		}
		try {
			this.backend.release(this.queue, deliveries);
			logger.info("Handed {} unstarted task(s) of queue '{}' back", deliveries.size(), this.queue);
		}
		catch (RuntimeException ex) {
			logger.error("Failed to hand {} task(s) of queue '{}' back; they stay claimed", deliveries.size(),
					this.queue, ex);
		}
	}

	/**
	 * Record a task whose run was given up as crashed.
	 */
	void crashed(TaskDelivery delivery, String reason) {
		Task<Object> crashed = delivery.task()
			.mutate()
			.status(TaskStatus.CRASHED)
			.exception(TaskException.of("WorkerShutdownException", reason))
			.finishedAt(Task.now())
			.build();
		try {
			this.backend.storeResult(this.queue, crashed, delivery.deliveryId());
		}
		catch (RuntimeException ex) {
			logger.error("Failed to record task {} as crashed", crashed.getId(), ex);
		}
	}

	static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
