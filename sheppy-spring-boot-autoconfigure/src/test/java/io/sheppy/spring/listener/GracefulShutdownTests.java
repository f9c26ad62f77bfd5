package io.sheppy.spring.listener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.connection.stream.StreamInfo.XInfoGroups;
import org.springframework.data.redis.core.StringRedisTemplate;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskException;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.queue.TaskQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end tests of how a worker stops with its application on a real Redis: running tasks may finish within the
 * shutdown timeout, tasks that never started are left or handed back to other workers, and a task still running after
 * the timeout is recorded as crashed (or handed back when it allows a retry on crash).
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
@ExtendWith(OutputCaptureExtension.class)
class GracefulShutdownTests {

	private static final String QUEUE = "shutdown";

	private static final String READER = "sheppy-" + QUEUE + "-reader";

	private static final String RESULTS_READER = "sheppy-" + QUEUE + "-results";

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private ConfigurableApplicationContext producer;

	private TaskQueue taskQueue;

	@BeforeEach
	void startProducer(RedisServer server) {
		SlowTasks.reset();
		this.producer = WorkerApplications.start(server, WorkerApplication.class, "sheppy.queue=" + QUEUE,
				"sheppy.worker.enabled=false");
		this.taskQueue = this.producer.getBean(TaskQueue.class);
	}

	@AfterEach
	void stopProducer() {
		SlowTasks.gate.countDown();
		this.producer.close();
	}

	@Test
	void aRunningTaskFinishesWithinTheShutdownTimeoutAndTheOthersRunOnAnotherWorker(RedisServer server)
			throws Exception {
		ConfigurableApplicationContext workerA = startWorker(server, "worker-a", "sheppy.worker.concurrency=1",
				"sheppy.worker.batch-size=10", "sheppy.worker.shutdown-timeout=10s");
		List<Task<Integer>> tasks = IntStream.range(0, 5)
			.mapToObj((i) -> this.taskQueue.task(SlowTasks::slow, i))
			.toList();
		try {
			this.taskQueue.add(tasks);
			await().atMost(TIMEOUT).until(() -> SlowTasks.runs.containsKey(0));

			CompletableFuture<Void> closing = CompletableFuture.runAsync(workerA::close);
			// once the reader has ended, the worker takes no more tasks; the running one is still held by the gate
			await().atMost(TIMEOUT).until(() -> !WorkerApplications.isThreadAlive(READER));
			assertThat(closing).isNotDone();
			SlowTasks.gate.countDown();
			closing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		}
		finally {
			workerA.close();
		}

		Task<Integer> first = this.taskQueue.getTask(tasks.get(0)).orElseThrow();
		assertThat(first.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(first.getResult()).isZero();
		for (Task<Integer> task : tasks.subList(1, 5)) {
			assertThat(this.taskQueue.getTask(task).orElseThrow().isFinished()).isFalse();
		}
		assertThat(SlowTasks.runs).containsOnlyKeys(0);
		assertThat(this.taskQueue.size()).isEqualTo(4);

		try (ConfigurableApplicationContext workerB = startWorker(server, "worker-b")) {
			Map<UUID, Task<?>> done = this.taskQueue.waitFor(tasks, TIMEOUT);

			for (int i = 0; i < tasks.size(); i++) {
				Task<?> task = done.get(tasks.get(i).getId());
				assertThat(task.getStatus()).as("status of task %d", i).isEqualTo(TaskStatus.COMPLETED);
				assertThat(task.getResult()).isEqualTo(i);
			}
		}
		assertThat(SlowTasks.runs).containsExactlyInAnyOrderEntriesOf(Map.of(0, List.of("worker-a"), 1,
				List.of("worker-b"), 2, List.of("worker-b"), 3, List.of("worker-b"), 4, List.of("worker-b")));
	}

	@Test
	void tasksReadWhileTheWorkerStopsAreHandedBackToAnotherWorker(RedisServer server) throws Exception {
		ConfigurableApplicationContext workerA = startWorker(server, "worker-a", "sheppy.worker.poll-timeout=5s");
		List<Task<Integer>> tasks = IntStream.range(0, 5)
			.mapToObj((i) -> this.taskQueue.task(SlowTasks::slow, i))
			.toList();
		SlowTasks.gate.countDown();
		try {
			await().atMost(TIMEOUT).until(() -> WorkerApplications.isThreadAlive(READER));
			CompletableFuture<Void> closing = CompletableFuture.runAsync(workerA::close);
			// the stopper runs once the worker has stopped taking tasks; its reader still waits for some
			await().atMost(TIMEOUT).until(() -> WorkerApplications.isThreadAlive("sheppy-" + QUEUE + "-stopper"));
			this.taskQueue.add(tasks);
			closing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		}
		finally {
			workerA.close();
		}

		StringRedisTemplate redis = this.producer.getBean(StringRedisTemplate.class);
		XInfoGroups groups = redis.opsForStream().groups("sheppy:pending:" + QUEUE);
		assertThat(groups.get(0).lastDeliveredId()).as("the tasks were delivered to worker A").isNotEqualTo("0-0");
		assertThat(SlowTasks.runs).isEmpty();
		assertThat(this.taskQueue.size()).isEqualTo(5);
		for (Task<Integer> task : tasks) {
			assertThat(this.taskQueue.getTask(task).orElseThrow().isFinished()).isFalse();
		}

		try (ConfigurableApplicationContext workerB = startWorker(server, "worker-b")) {
			Map<UUID, Task<?>> done = this.taskQueue.waitFor(tasks, TIMEOUT);

			assertThat(done.values()).hasSize(5).allMatch((task) -> task.getStatus() == TaskStatus.COMPLETED);
		}
		assertThat(SlowTasks.runs.values()).hasSize(5).allMatch((workers) -> workers.equals(List.of("worker-b")));
	}

	@Test
	void aTaskStillRunningAfterTheShutdownTimeoutIsRecordedAsCrashed(RedisServer server) {
		ConfigurableApplicationContext workerA = startWorker(server, "worker-a",
				"sheppy.worker.shutdown-timeout=500ms");
		Task<Integer> task = this.taskQueue.task(SlowTasks::stuck, 1);
		try {
			this.taskQueue.add(task);
			await().atMost(TIMEOUT).until(() -> SlowTasks.runs.containsKey(1));
		}
		finally {
			workerA.close();
		}

		Task<Integer> crashed = this.taskQueue.waitFor(task, TIMEOUT);
		assertThat(crashed.getStatus()).isEqualTo(TaskStatus.CRASHED);
		assertThat(crashed.getFinishedAt()).isNotNull();
		assertThat(crashed.getResult()).isNull();
		TaskException exception = crashed.getException();
		assertThat(exception).isNotNull();
		assertThat(exception.type()).isEqualTo("WorkerShutdownException");
		assertThat(exception.message()).contains("PT0.5S");
		await().atMost(TIMEOUT).until(() -> SlowTasks.interrupted.contains(1));
		assertThat(this.taskQueue.getTask(task).orElseThrow().getStatus()).isEqualTo(TaskStatus.CRASHED);
		assertThat(this.taskQueue.size()).isZero();
	}

	@Test
	void aTaskThatIgnoresInterruptsIsRecordedAsCrashedAndKeepsThatStateWhenItEnds(RedisServer server) {
		ConfigurableApplicationContext workerA = startWorker(server, "worker-a",
				"sheppy.worker.shutdown-timeout=500ms");
		Task<Integer> task = this.taskQueue.task(SlowTasks::stubborn, 2);
		try {
			this.taskQueue.add(task);
			await().atMost(TIMEOUT).until(() -> SlowTasks.runs.containsKey(2));
		}
		finally {
			workerA.close();
		}

		assertThat(this.taskQueue.waitFor(task, TIMEOUT).getStatus()).isEqualTo(TaskStatus.CRASHED);
		assertThat(SlowTasks.ended).doesNotContain(2);
		SlowTasks.gate.countDown();
		await().atMost(TIMEOUT).until(() -> SlowTasks.ended.contains(2));
		assertThat(this.taskQueue.getTask(task).orElseThrow().getStatus()).isEqualTo(TaskStatus.CRASHED);
	}

	@Test
	void aTaskThatAllowsARetryOnCrashIsHandedBackWhenItOutlivesTheShutdownTimeout(RedisServer server) {
		ConfigurableApplicationContext workerA = startWorker(server, "worker-a",
				"sheppy.worker.shutdown-timeout=500ms");
		Task<Integer> task = this.taskQueue.task(SlowTasks::stuckOnce, 7);
		try {
			this.taskQueue.add(task);
			await().atMost(TIMEOUT).until(() -> SlowTasks.runs.containsKey(7));
		}
		finally {
			workerA.close();
		}
		await().atMost(TIMEOUT).until(() -> SlowTasks.interrupted.contains(7));

		try (ConfigurableApplicationContext workerB = startWorker(server, "worker-b")) {
			Task<Integer> done = this.taskQueue.waitFor(task, TIMEOUT);

			assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(done.getResult()).isEqualTo(7);
		}
		assertThat(SlowTasks.runs.get(7)).containsExactly("worker-a", "worker-b");
	}

	@Test
	void theOutcomeOfATaskThatOutlastsTheContextsShutdownPhaseTimeoutIsStillStored(RedisServer server) {
		ConfigurableApplicationContext workerA = startWorker(server, "worker-a", "sheppy.worker.shutdown-timeout=10s",
				"spring.lifecycle.timeout-per-shutdown-phase=200ms");
		Task<Integer> task = this.taskQueue.task(SlowTasks::work, 1500);
		try {
			this.taskQueue.add(task);
			await().atMost(TIMEOUT).until(() -> SlowTasks.runs.containsKey(1500));
		}
		finally {
			workerA.close();
		}
		Task<Integer> done = this.taskQueue.getTask(task).orElseThrow();
		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(done.getResult()).isEqualTo(1500);
	}

	@Test
	void aStoppingWorkerClosesEachConnectionOnce(RedisServer server, CapturedOutput output) {
		ConfigurableApplicationContext workerA = startWorker(server, "worker-a");
		Task<Integer> task = this.taskQueue.task(SlowTasks::work, 1);
		try {
			this.taskQueue.add(task);
			assertThat(this.taskQueue.waitFor(task, TIMEOUT).getStatus()).isEqualTo(TaskStatus.COMPLETED);
		}
		finally {
			workerA.close();
		}

		assertThat(output).contains("Stopped worker of queue '" + QUEUE + "'")
			.doesNotContain("Connection is already closed");
	}

	@Test
	void anApplicationThatWaitedForATaskStopsWithoutAWarningOfItsReaderOfFinishedNotifications(RedisServer server,
			CapturedOutput output) {
		ConfigurableApplicationContext workerA = startWorker(server, "worker-a");
		ConfigurableApplicationContext waiting = WorkerApplications.start(server, LateStoppingApplication.class,
				"sheppy.queue=" + QUEUE, "sheppy.worker.enabled=false");
		try {
			TaskQueue queue = waiting.getBean(TaskQueue.class);
			Task<Integer> task = queue.task(SlowTasks::work, 1);
			queue.add(task);
			await().atMost(TIMEOUT)
				.until(() -> queue.getTask(task).map(Task::getStatus).orElse(null) == TaskStatus.COMPLETED);
			// the wait finds the task finished in its record, while its reader has begun a blocking read
			assertThat(queue.waitFor(task, TIMEOUT).getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(WorkerApplications.isThreadAlive(RESULTS_READER)).isTrue();
			waiting.close();
		}
		finally {
			waiting.close();
			workerA.close();
		}

		assertThat(WorkerApplications.isThreadAlive(RESULTS_READER)).isFalse();
		assertThat(output).doesNotContain("Failed to read the finished notifications");
	}

	private static ConfigurableApplicationContext startWorker(RedisServer server, String name,
			String... properties) {
		// short reads, so that a stop does not wait long for the reader; a test may override it
		List<String> all = new ArrayList<>(List.of("sheppy.queue=" + QUEUE, "sheppy.redis.consumer-name=" + name,
				"sheppy.worker.poll-timeout=250ms"));
		all.addAll(List.of(properties));
		return WorkerApplications.start(server, WorkerApplication.class, all.toArray(String[]::new));
	}

	static class SlowTasks {

		static volatile CountDownLatch gate = new CountDownLatch(1);

		static final Map<Integer, List<String>> runs = new ConcurrentHashMap<>();

		static final List<Integer> interrupted = new CopyOnWriteArrayList<>();

		static final List<Integer> ended = new CopyOnWriteArrayList<>();

		private final String worker;

		SlowTasks(@Value("${sheppy.redis.consumer-name:producer}") String worker) {
			this.worker = worker;
		}

		static void reset() {
			gate = new CountDownLatch(1);
			runs.clear();
			interrupted.clear();
			ended.clear();
		}

		@SheppyTask("shutdown:slow")
		int slow(int value) throws InterruptedException {
			runs.computeIfAbsent(value, (key) -> new CopyOnWriteArrayList<>()).add(this.worker);
			if (!gate.await(20, TimeUnit.SECONDS)) {
				throw new IllegalStateException("The gate stayed shut");
			}
			return value;
		}

		@SheppyTask("shutdown:work")
		int work(int millis) throws InterruptedException {
			runs.computeIfAbsent(millis, (key) -> new CopyOnWriteArrayList<>()).add(this.worker);
			// the work itself: a task that takes this long
			Thread.sleep(millis);
			return millis;
		}

		@SheppyTask("shutdown:stuck")
		int stuck(int value) throws InterruptedException {
			runs.computeIfAbsent(value, (key) -> new CopyOnWriteArrayList<>()).add(this.worker);
			return blockUntilInterrupted(value);
		}

		@SheppyTask("shutdown:stubborn")
		int stubborn(int value) {
			runs.computeIfAbsent(value, (key) -> new CopyOnWriteArrayList<>()).add(this.worker);
			StubbornRuns.awaitIgnoringInterrupts(gate, () -> interrupted.add(value));
			ended.add(value);
			return value;
		}

		@SheppyTask(value = "shutdown:stuck-once", retryOnCrash = true)
		int stuckOnce(int value) throws InterruptedException {
			List<String> workers = runs.computeIfAbsent(value, (key) -> new CopyOnWriteArrayList<>());
			workers.add(this.worker);
			return (workers.size() == 1) ? blockUntilInterrupted(value) : value;
		}

		private static int blockUntilInterrupted(int value) throws InterruptedException {
			try {
				new CountDownLatch(1).await(20, TimeUnit.SECONDS);
				throw new IllegalStateException("Not interrupted");
			}
			catch (InterruptedException ex) {
				interrupted.add(value);
				throw ex;
			}
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(SlowTasks.class)
	static class WorkerApplication {

	}

	/**
	 * An application whose last bean to stop waits (at most 5 seconds) for the reader of finished notifications to
	 * end: the reader meets the stopped connection factory before the backend is closed, as it does in an
	 * application whose other beans take a moment to stop.
	 */
	@Import({ WorkerApplication.class, LateStoppingApplication.ReaderEndWatch.class })
	static class LateStoppingApplication {

		static class ReaderEndWatch implements SmartLifecycle {

			private volatile boolean running;

			@Override
			public void start() {
				this.running = true;
			}

			@Override
			public void stop() {
				try {
					await().atMost(Duration.ofSeconds(5))
						.until(() -> !WorkerApplications.isThreadAlive(RESULTS_READER));
				}
				catch (ConditionTimeoutException ex) {
					// the test's assertions tell what the reader did meanwhile
				}
				this.running = false;
			}

			@Override
			public boolean isRunning() {
				return this.running;
			}

			@Override
			public int getPhase() {
				// below the connection factory's phase 0: stopped after it
				return Integer.MIN_VALUE;
			}

		}

	}

}
