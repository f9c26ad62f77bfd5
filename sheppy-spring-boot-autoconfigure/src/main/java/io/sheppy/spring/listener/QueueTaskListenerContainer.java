package io.sheppy.spring.listener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.backend.TaskDelivery;
import io.sheppy.spring.core.Task;

import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.VirtualThreadTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.util.Assert;
import org.springframework.util.backoff.BackOffExecution;

/**
 * Takes the tasks of one queue from a {@link Backend} and runs them with a {@link TaskProcessor}. One reader thread
 * reads as many tasks as there are free slots (at most the batch size), with a blocking read; the tasks run on the
 * threads of the executor (a virtual thread each on Java 21 and later, else a pool of {@code concurrency} threads),
 * handed over by a {@link RunDispatcher} that wakes only as many threads as the runs need, and a task's slot is free
 * for the next task as soon as it has run. While the queue has a backlog and the recent runs were short, a read also
 * takes up to {@code prefetch} tasks ahead of the free slots: they wait, held (claimed, their records not yet marked as
 * processing), until a slot is free, so that slots do not wait for the round trip of the next read; when one starts,
 * its mark is stored with the next outcomes. A task's outcome is stored with the entry it was delivered with by the
 * container's {@link OutcomeWriter}, together with the outcomes of other tasks that ended meanwhile. A run that
 * exceeds its task's timeout is interrupted (see {@link TaskTimeouts}). A promoter thread moves the queue's due
 * scheduled tasks (also retries waiting for their delay) to the queue, a cron thread schedules the runs of the queue's
 * crons ({@link CronScheduler}), and a recovery thread renews the leases of running tasks and takes over those of
 * lost workers ({@link TaskRecovery}).
 * <p>
 * Stopping is graceful: the reader stops taking tasks, tasks it read but did not start are handed back to the queue
 * for any worker, running tasks get the shutdown timeout to finish. A task still running after that is interrupted
 * and recorded as {@code crashed}, or handed back when its config allows a retry on crash.
 *
 * @author Sheppy for Spring
 */
public class QueueTaskListenerContainer implements TaskListenerContainer {

	private static final Logger logger = LoggerFactory.getLogger(QueueTaskListenerContainer.class);

	/** How long a read after a full one waits for half a batch of free slots. */
	static final long BACKLOG_GATHER_MICROS = 1000;

	private final Backend backend;

	private final String queue;

	private final TaskProcessor processor;

	private final ContainerSettings settings;

	private final Semaphore slots;

	private final ReadAhead readAhead;

	/** Tasks read ahead, in the order they were read, waiting for a free slot. */
	private final Queue<RunningTask> waiting = new ConcurrentLinkedQueue<>();

	/** The tasks this container has taken and not yet settled: running, or waiting for a slot. */
	private final Map<UUID, RunningTask> running = new ConcurrentHashMap<>();

	private final RunDispatcher dispatcher = new RunDispatcher(this::run, this::rejected);

	private final OutcomeWriter writer;

	private final ScheduledTaskPromoter promoter;

	private final CronScheduler crons;

	private final TaskRecovery recovery;

	private @Nullable TaskTimeouts timeouts;

	private final Object lifecycleMonitor = new Object();

	private int phase = DEFAULT_PHASE;

	private boolean autoStartup = true;

	private @Nullable AsyncTaskExecutor taskExecutor;

	private @Nullable ThreadPoolTaskExecutor ownExecutor;

	/** Runs that ignored the interrupt of their timeout and still keep their thread. */
	private final Set<RunningTask> abandoned = ConcurrentHashMap.newKeySet();

	private volatile boolean active;

	private volatile boolean stopped = true;

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
		this.readAhead = new ReadAhead(settings.prefetch());
		this.writer = new OutcomeWriter(backend, queue, settings.backOff());
		this.promoter = new ScheduledTaskPromoter(backend, queue, settings.backOff());
		this.crons = new CronScheduler(backend, queue, settings.cronInterval(), settings.backOff());
		this.recovery = new TaskRecovery(backend, queue, settings.recovery(), this.running::values,
				this.running::containsKey, this.writer);
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
			this.dispatcher.setExecutor(this.taskExecutor);
			this.timeouts = new TaskTimeouts(this.queue, this::abandonTimedOut);
			this.writer.start();
			this.active = true;
			this.stopped = false;
			Thread thread = new Thread(this::readLoop, "sheppy-" + this.queue + "-reader");
			// not a daemon: an application that only runs tasks (no web server) must keep running while it does
			thread.setDaemon(false);
			this.reader = thread;
			thread.start();
			this.promoter.start();
			this.crons.start();
			this.recovery.start();
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
		boolean backlog = false;
		while (this.active) {
			int taken = takeSlots(backlog);
			if (taken == 0) {
				continue;
			}
			int ahead = this.readAhead.take(backlog, this.settings.batchSize() - taken);
			List<TaskDelivery> deliveries;
			try {
				deliveries = this.backend.pop(this.queue, taken + ahead, ahead, this.settings.pollTimeout());
				backOff = null;
			}
			catch (RuntimeException ex) {
				this.slots.release(taken);
				this.readAhead.release(ahead);
				backOff = (backOff != null) ? backOff : this.settings.backOff().start();
				long wait = backOff.nextBackOff();
				logger.warn("Worker of queue '{}' failed to read tasks, retrying in {} ms: {}", this.queue,
						(wait != BackOffExecution.STOP) ? wait : 0, ex.getMessage());
				OutcomeWriter.pause((wait != BackOffExecution.STOP) ? wait : this.settings.pollTimeout().toMillis());
				continue;
			}
			// those taken to start now start in the slots taken, those held wait for a slot
			int waits = (int) deliveries.stream().filter(TaskDelivery::held).count();
			int starting = deliveries.size() - waits;
			this.slots.release(taken - starting);
			this.readAhead.release(ahead - waits);
			backlog = deliveries.size() == taken + ahead;
			if (!this.active) {
				this.writer.handBack(deliveries);
				this.slots.release(starting);
				this.readAhead.release(waits);
				break;
			}
			for (TaskDelivery delivery : deliveries) {
				if (delivery.held()) {
					this.waiting.add(track(delivery));
				}
				else {
					this.dispatcher.dispatch(track(delivery));
				}
			}
			if (waits > 0) {
				startWaiting();
			}
		}
	}

	/**
	 * Take the slots of the next read: at least one, and as many more as are free, up to the batch size. After a read
	 * that found as many tasks as it had slots for (the queue has a backlog), wait a moment for half a batch of free
	 * slots, so that the next read takes more tasks at once: each read costs a round trip and a script call of its own.
	 */
	private int takeSlots(boolean backlog) {
		try {
			if (!this.slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
				return 0;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return 0;
		}
		int taken = 1;
		int half = Math.min(this.settings.batchSize(), this.settings.concurrency()) / 2 - 1;
		if (backlog && half > 0 && this.slots.availablePermits() < half) {
			try {
				if (this.slots.tryAcquire(half, BACKLOG_GATHER_MICROS, TimeUnit.MICROSECONDS)) {
					taken += half;
				}
			}
			catch (InterruptedException ex) {
				// the read that follows takes nothing and frees the slots
				Thread.currentThread().interrupt();
			}
		}
		int more = Math.min(this.settings.batchSize() - taken, this.slots.availablePermits());
		if (more > 0 && this.slots.tryAcquire(more)) {
			taken += more;
		}
		return taken;
	}

	private RunningTask track(TaskDelivery delivery) {
		RunningTask run = new RunningTask(delivery);
		this.running.put(delivery.task().getId(), run);
		return run;
	}

	/**
	 * Hand back a run that could not start because the executor refused it a thread.
	 */
	private void rejected(RunningTask run, RuntimeException ex) {
		logger.warn("Worker of queue '{}' could not start task {}; handing it back", this.queue, run.task().getId(),
				ex);
		if (run.settle()) {
			this.writer.handBack(List.of(run.delivery()));
			finish(run);
		}
	}

	/**
	 * Start the tasks read ahead for as long as slots are free. Both the reader, after adding tasks that wait, and a
	 * run that frees its slot call this, so that no task is left waiting while a slot is free.
	 */
	private void startWaiting() {
		while (this.active && !this.waiting.isEmpty() && this.slots.tryAcquire()) {
			RunningTask run = this.waiting.poll();
			if (run == null) {
				this.slots.release();
				continue;
			}
			this.readAhead.release(1);
			this.dispatcher.dispatch(run);
		}
	}

	/**
	 * Free a slot, and give it to a task read ahead if one waits.
	 */
	private void freeSlot() {
		this.slots.release();
		if (!this.waiting.isEmpty()) {
			startWaiting();
		}
	}

	private void run(RunningTask run) {
		if (run.isSettled()) {
			// handed back at shutdown before it started
			return;
		}
		run.startedOn(Thread.currentThread());
		if (run.delivery().held()) {
			this.writer.started(run.delivery());
		}
		Task<Object> task = run.task();
		Duration timeout = task.getConfig().timeoutDuration();
		ScheduledFuture<?> watch = (timeout != null && this.timeouts != null) ? this.timeouts.watch(run, timeout) : null;
		Task<Object> outcome = null;
		long started = System.nanoTime();
		try {
			outcome = this.processor.process(task, run::isTimedOut);
		}
		finally {
			this.readAhead.ran(System.nanoTime() - started);
			if (watch != null) {
				watch.cancel(false);
			}
			if (run.settle()) {
				if (outcome != null) {
					// a late timeout interrupt must not be left on the thread
					Thread.interrupted();
					// the slot is free once the task has run; the run counts as running here until it is stored
					try {
						this.writer.submit(outcome, run.delivery().deliveryId(), () -> forget(run));
					}
					finally {
						freeSlot();
					}
				}
				else {
					finish(run);
				}
			}
			else {
				if (this.abandoned.remove(run)) {
					resizeOwnExecutor(-1);
				}
				logger.info("Task {} ({}) ended with {} after its outcome was settled without it; that outcome was "
						+ "dropped", task.getId(), task.getName(), (outcome != null) ? outcome.getStatus() : "an error");
			}
		}
	}

	/**
	 * Settle a run that ignored the interrupt of its timeout: record the timeout and free its slot; the run's own
	 * outcome will be dropped when it ends.
	 */
	private void abandonTimedOut(RunningTask run) {
		Task<Object> task = run.task();
		Thread thread = run.thread();
		logger.warn("Task {} ({}) ignored the interrupt after its timeout of {} and still runs on thread '{}'; it is "
				+ "recorded as timed out and its slot is freed", task.getId(), task.getName(),
				task.getConfig().timeoutDuration(), (thread != null) ? thread.getName() : "?");
		Task<Object> outcome = this.processor.timedOut(task);
		if (this.abandoned.add(run)) {
			resizeOwnExecutor(1);
		}
		try {
			this.writer.submit(outcome, run.delivery().deliveryId(), () -> forget(run));
		}
		finally {
			freeSlot();
		}
	}

	/**
	 * Give the container's own thread pool more threads (or fewer), for the runs that keep a thread after their slot
	 * was freed.
	 */
	private void resizeOwnExecutor(int delta) {
		ThreadPoolTaskExecutor executor = this.ownExecutor;
		if (executor == null) {
			return;
		}
		synchronized (this.abandoned) {
			if (delta > 0) {
				executor.setMaxPoolSize(executor.getMaxPoolSize() + delta);
				executor.setCorePoolSize(executor.getCorePoolSize() + delta);
			}
			else {
				executor.setCorePoolSize(executor.getCorePoolSize() + delta);
				executor.setMaxPoolSize(executor.getMaxPoolSize() + delta);
			}
		}
	}

	private void finish(RunningTask run) {
		forget(run);
		freeSlot();
	}

	private void forget(RunningTask run) {
		this.running.remove(run.task().getId(), run);
	}

	private void drain() {
		this.crons.stop();
		this.promoter.stop();
		Thread thread = this.reader;
		try {
			if (thread != null) {
				thread.join(this.settings.pollTimeout().toMillis() * 2 + 5000);
			}
			handBackWaiting();
			long deadline = System.nanoTime() + this.settings.shutdownTimeout().toNanos();
			this.writer.giveUpAt(deadline);
			while (getActiveCount() > 0 && System.nanoTime() < deadline) {
				TimeUnit.MILLISECONDS.sleep(Math.min(50, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		abandonRunning();
		this.writer.stop();
		this.recovery.stop();
		if (this.timeouts != null) {
			this.timeouts.shutdown();
		}
		if (this.ownExecutor != null) {
			this.ownExecutor.shutdown();
		}
		logger.info("Stopped worker of queue '{}'", this.queue);
	}

	/**
	 * Hand back the tasks read ahead that never started, for any worker to run.
	 */
	private void handBackWaiting() {
		List<TaskDelivery> deliveries = new ArrayList<>();
		RunningTask run;
		while ((run = this.waiting.poll()) != null) {
			if (run.settle()) {
				deliveries.add(run.delivery());
				forget(run);
			}
			this.readAhead.release(1);
		}
		if (!deliveries.isEmpty()) {
			this.writer.handBack(deliveries);
		}
	}

	private void abandonRunning() {
		// a reader that outlived its wait may have read ahead since
		handBackWaiting();
		for (RunningTask run : List.copyOf(this.running.values())) {
			if (!run.settle()) {
				// it ended meanwhile and stores its own outcome
				continue;
			}
			Task<Object> task = run.task();
			if (run.thread() == null) {
				// it never started: any worker may run it
				this.writer.handBack(List.of(run.delivery()));
			}
			else if (task.getConfig().retryOnCrash()) {
				logger.warn("Task {} ({}) did not finish within the shutdown timeout of {}; handing it back",
						task.getId(), task.getName(), this.settings.shutdownTimeout());
				this.writer.handBack(List.of(run.delivery()));
			}
			else {
				logger.warn("Task {} ({}) did not finish within the shutdown timeout of {}; recording it as crashed",
						task.getId(), task.getName(), this.settings.shutdownTimeout());
				this.writer.crashed(run.delivery(),
						"The worker stopped after waiting " + this.settings.shutdownTimeout() + " for the task to finish");
			}
			// only now: an interrupted task ends at once, and its own outcome must not be stored before this one
			run.interrupt();
			finish(run);
		}
	}

	private AsyncTaskExecutor defaultExecutor() {
		String prefix = "sheppy-" + this.queue + "-";
		if (Runtime.version().feature() >= 21) {
			this.ownExecutor = null;
			return new VirtualThreadTaskExecutor(prefix);
		}
		// 'concurrency' threads, one per slot; while a run that ignored its timeout keeps its thread, the pool has a
		// thread more
		// runs abandoned before a restart keep the threads of the pool they ran on, not of this one
		this.abandoned.clear();
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		executor.setCorePoolSize(this.settings.concurrency());
		executor.setMaxPoolSize(this.settings.concurrency());
		executor.setQueueCapacity(Integer.MAX_VALUE);
		executor.setThreadNamePrefix(prefix);
		executor.initialize();
		this.ownExecutor = executor;
		return executor;
	}

}
