package io.sheppy.spring.listener;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.backend.TaskDelivery;
import io.sheppy.spring.core.InvalidTaskException;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskException;
import io.sheppy.spring.core.TaskStatus;

import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.TaskRejectedException;
import org.springframework.core.task.VirtualThreadTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.util.Assert;
import org.springframework.util.backoff.BackOffExecution;

/**
 * Takes the tasks of one queue from a {@link Backend} and runs them with a {@link TaskProcessor}. One reader thread
 * reads as many tasks as there are free slots (at most the batch size), with a blocking read; each task runs on its
 * own thread (a virtual thread on Java 21 and later, else a pool of {@code concurrency} threads) and its outcome is
 * stored with the entry it was delivered with.
 * <p>
 * Stopping is graceful: the reader stops taking tasks, tasks it read but did not start are handed back to the queue
 * for any worker, running tasks get the shutdown timeout to finish. A task still running after that is interrupted
 * and recorded as {@code crashed}, or handed back when its config allows a retry on crash.
 *
 * @author Sheppy for Spring
 */
public class QueueTaskListenerContainer implements TaskListenerContainer {

	private static final Logger logger = LoggerFactory.getLogger(QueueTaskListenerContainer.class);

	private final Backend backend;

	private final String queue;

	private final TaskProcessor processor;

	private final ContainerSettings settings;

	private final Semaphore slots;

	private final Map<UUID, Running> running = new ConcurrentHashMap<>();

	private final Object lifecycleMonitor = new Object();

	private int phase = DEFAULT_PHASE;

	private boolean autoStartup = true;

	private @Nullable AsyncTaskExecutor taskExecutor;

	private @Nullable ThreadPoolTaskExecutor ownExecutor;

	private volatile boolean active;

	private volatile boolean stopped = true;

	/** When a stopping container stops retrying to store outcomes (a {@link System#nanoTime()}), 0 while running. */
	private volatile long storeDeadline;

	private @Nullable Thread reader;

	public QueueTaskListenerContainer(Backend backend, String queue, TaskProcessor processor,
			ContainerSettings settings) {
		Assert.notNull(backend, "'backend' must not be null");
		Assert.hasText(queue, "'queue' must not be empty");
		Assert.notNull(processor, "'processor' must not be null");
		Assert.notNull(settings, "'settings' must not be null");
		this.backend = backend;
		this.queue = queue;
		this.processor = processor;
		this.settings = settings;
		this.slots = new Semaphore(settings.concurrency());
	}

	/**
	 * Set the executor that runs tasks. By default the container creates its own: virtual threads on Java 21 and
	 * later, else a pool of {@code concurrency} threads. The container never runs more than {@code concurrency} tasks
	 * on it at once.
	 * @param taskExecutor the executor
	 */
	public void setTaskExecutor(AsyncTaskExecutor taskExecutor) {
		this.taskExecutor = taskExecutor;
	}

	public void setPhase(int phase) {
		this.phase = phase;
	}

	public void setAutoStartup(boolean autoStartup) {
		this.autoStartup = autoStartup;
	}

	@Override
	public String getQueue() {
		return this.queue;
	}

	@Override
	public Set<String> getTaskNames() {
		return this.processor.getTaskNames();
	}

	@Override
	public int getActiveCount() {
		return this.settings.concurrency() - this.slots.availablePermits();
	}

	@Override
	public int getPhase() {
		return this.phase;
	}

	@Override
	public boolean isAutoStartup() {
		return this.autoStartup;
	}

	@Override
	public boolean isRunning() {
		return !this.stopped;
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (!this.stopped) {
				return;
			}
			if (this.taskExecutor == null || this.ownExecutor != null) {
				this.taskExecutor = defaultExecutor();
			}
			this.active = true;
			this.stopped = false;
			this.storeDeadline = 0;
			Thread thread = new Thread(this::readLoop, "sheppy-" + this.queue + "-reader");
			thread.setDaemon(true);
			this.reader = thread;
			thread.start();
			logger.info("Started worker of queue '{}' for tasks {} (concurrency {})", this.queue, getTaskNames(),
					this.settings.concurrency());
		}
	}

	@Override
	public void stop() {
		CountDownLatch latch = new CountDownLatch(1);
		stop(latch::countDown);
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void stop(Runnable callback) {
		synchronized (this.lifecycleMonitor) {
			if (this.stopped || !this.active) {
				callback.run();
				return;
			}
			this.active = false;
		}
		Thread stopper = new Thread(() -> {
			try {
				drain();
			}
			finally {
				this.stopped = true;
				callback.run();
			}
		}, "sheppy-" + this.queue + "-stopper");
		stopper.start();
	}

	private void readLoop() {
		BackOffExecution backOff = null;
		while (this.active) {
			int taken = takeSlots();
			if (taken == 0) {
				continue;
			}
			List<TaskDelivery> deliveries;
			try {
				deliveries = this.backend.pop(this.queue, taken, this.settings.pollTimeout());
				backOff = null;
			}
			catch (RuntimeException ex) {
				this.slots.release(taken);
				backOff = (backOff != null) ? backOff : this.settings.backOff().start();
				long wait = backOff.nextBackOff();
				logger.warn("Worker of queue '{}' failed to read tasks, retrying in {} ms: {}", this.queue,
						(wait != BackOffExecution.STOP) ? wait : 0, ex.getMessage());
				pause((wait != BackOffExecution.STOP) ? wait : this.settings.pollTimeout().toMillis());
				continue;
			}
			this.slots.release(taken - deliveries.size());
			if (!this.active) {
				handBack(deliveries);
				this.slots.release(deliveries.size());
				break;
			}
			for (TaskDelivery delivery : deliveries) {
				dispatch(delivery);
			}
		}
	}

	private int takeSlots() {
		try {
			if (!this.slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
				return 0;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return 0;
		}
		int more = Math.min(this.settings.batchSize() - 1, this.slots.availablePermits());
		int taken = 1;
		if (more > 0 && this.slots.tryAcquire(more)) {
			taken += more;
		}
		return taken;
	}

	private void dispatch(TaskDelivery delivery) {
		try {
			this.taskExecutor.execute(() -> {
				try {
					run(delivery);
				}
				finally {
					this.slots.release();
				}
			});
		}
		catch (TaskRejectedException ex) {
			logger.warn("Worker of queue '{}' could not start task {}; handing it back", this.queue,
					delivery.task().getId(), ex);
			handBack(List.of(delivery));
			this.slots.release();
		}
	}

	private void run(TaskDelivery delivery) {
		Task<Object> task = delivery.task();
		Running current = new Running(Thread.currentThread(), delivery);
		this.running.put(task.getId(), current);
		Task<Object> outcome;
		boolean abandoned;
		try {
			outcome = this.processor.process(task);
		}
		finally {
			// whoever removes the entry owns the outcome: this run, or the shutdown that gave up waiting for it
			abandoned = !this.running.remove(task.getId(), current);
		}
		if (Thread.interrupted() && !this.active) {
			logger.warn("Task {} ({}) was interrupted at shutdown", task.getId(), task.getName());
		}
		if (abandoned) {
			logger.info("Task {} ({}) ended with {} after the shutdown had recorded or handed it back; that outcome "
					+ "was dropped", task.getId(), task.getName(), outcome.getStatus());
			return;
		}
		store(outcome, delivery.deliveryId());
	}

	private void store(Task<Object> outcome, String deliveryId) {
		BackOffExecution backOff = null;
		Task<Object> state = outcome;
		while (true) {
			try {
				if (!this.backend.storeResult(this.queue, state, deliveryId)) {
					logger.info("Task {} ({}) finished elsewhere meanwhile (for example cancelled); its outcome {} "
							+ "was not stored", state.getId(), state.getName(), state.getStatus());
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
				backOff = (backOff != null) ? backOff : this.settings.backOff().start();
				long wait = backOff.nextBackOff();
				logger.warn("Failed to store the outcome of task {} ({}), retrying in {} ms: {}", state.getId(),
						state.getName(), wait, ex.getMessage());
				boolean pastShutdown = this.storeDeadline != 0 && System.nanoTime() - this.storeDeadline > 0;
				if (wait == BackOffExecution.STOP || Thread.currentThread().isInterrupted() || pastShutdown) {
					logger.error("Gave up storing the outcome of task {} ({}); it stays claimed", state.getId(),
							state.getName());
					return;
				}
				pause(wait);
			}
		}
	}

	private void drain() {
		Thread thread = this.reader;
		try {
			if (thread != null) {
				thread.join(this.settings.pollTimeout().toMillis() * 2 + 5000);
			}
			long deadline = System.nanoTime() + this.settings.shutdownTimeout().toNanos();
			this.storeDeadline = deadline;
			while (getActiveCount() > 0 && System.nanoTime() < deadline) {
				TimeUnit.MILLISECONDS.sleep(Math.min(50, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		abandonRunning();
		if (this.ownExecutor != null) {
			this.ownExecutor.shutdown();
		}
		logger.info("Stopped worker of queue '{}'", this.queue);
	}

	private void abandonRunning() {
		for (Running task : List.copyOf(this.running.values())) {
			Task<Object> current = task.delivery().task();
			if (!this.running.remove(current.getId(), task)) {
				// it finished meanwhile and stores its own outcome
				continue;
			}
			if (current.getConfig().retryOnCrash()) {
				logger.warn("Task {} ({}) did not finish within the shutdown timeout of {}; handing it back",
						current.getId(), current.getName(), this.settings.shutdownTimeout());
				handBack(List.of(task.delivery()));
			}
			else {
				logger.warn("Task {} ({}) did not finish within the shutdown timeout of {}; recording it as crashed",
						current.getId(), current.getName(), this.settings.shutdownTimeout());
				Task<Object> crashed = current.mutate()
					.status(TaskStatus.CRASHED)
					.exception(TaskException.of("WorkerShutdownException", "The worker stopped after waiting "
							+ this.settings.shutdownTimeout() + " for the task to finish"))
					.finishedAt(Task.now())
					.build();
				try {
					this.backend.storeResult(this.queue, crashed, task.delivery().deliveryId());
				}
				catch (RuntimeException ex) {
					logger.error("Failed to record task {} as crashed", current.getId(), ex);
				}
			}
			// only now: an interrupted task ends at once, and its own outcome must not be stored before this one
			task.thread().interrupt();
		}
	}

	private void handBack(List<TaskDelivery> deliveries) {
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

	private AsyncTaskExecutor defaultExecutor() {
		String prefix = "sheppy-" + this.queue + "-";
		if (Runtime.version().feature() >= 21) {
			this.ownExecutor = null;
			return new VirtualThreadTaskExecutor(prefix);
		}
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		executor.setCorePoolSize(this.settings.concurrency());
		executor.setMaxPoolSize(this.settings.concurrency());
		executor.setThreadNamePrefix(prefix);
		executor.initialize();
		this.ownExecutor = executor;
		return executor;
	}

	private static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private record Running(Thread thread, TaskDelivery delivery) {
	}

}
