package io.sheppy.spring.listener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.data.redis.connection.stream.PendingMessagesSummary;
import org.springframework.data.redis.core.StringRedisTemplate;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.backend.TaskDelivery;
import io.sheppy.spring.config.DefaultTaskListenerContainerFactory;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.queue.TaskQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end tests of tasks read ahead of free slots, on a real Redis: once short runs have been seen, a worker
 * claims tasks ahead of its free slots without marking them as processing, still runs no more at once than its
 * concurrency (on an executor with a thread per run, so that only the worker limits them), and hands the tasks it read
 * ahead back to the queue when it stops; a lost worker's tasks read ahead are queued again, not recorded as crashed,
 * unless they had started.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
class WorkerPrefetchTests {

	private static final String QUEUE = "prefetch";

	private static final String READER = "sheppy-" + QUEUE + "-reader";

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private ConfigurableApplicationContext producer;

	private TaskQueue taskQueue;

	@BeforeEach
	void startProducer(RedisServer server) {
		PrefetchTasks.reset();
		this.producer = WorkerApplications.start(server, WorkerApplication.class, "sheppy.queue=" + QUEUE,
				"sheppy.worker.enabled=false");
		this.taskQueue = this.producer.getBean(TaskQueue.class);
	}

	@AfterEach
	void stopProducer() {
		PrefetchTasks.gate.open();
		this.producer.close();
	}

	@Test
	void tasksReadAheadWaitForAFreeSlot(RedisServer server) {
		List<Task<Integer>> gated = addShortTasksThenGatedTasks();
		try (ConfigurableApplicationContext worker = startWorker(server, "worker-a")) {
			await().atMost(TIMEOUT).until(() -> PrefetchTasks.gate.running() == 2);
			// more gated tasks are claimed than run: they were read ahead and wait for a slot, held: their records
			// are not marked as processing, only those of the two that run are
			await().atMost(TIMEOUT).until(() -> claimedBy("worker-a") > 2);
			await().atMost(TIMEOUT).until(() -> processing(gated) == 2);
			await().during(Duration.ofMillis(300))
				.atMost(TIMEOUT)
				.until(() -> PrefetchTasks.gate.running() == 2 && processing(gated) == 2);

			PrefetchTasks.gate.open();
			Map<UUID, Task<?>> done = this.taskQueue.waitFor(gated, TIMEOUT);

			assertThat(done.values()).hasSize(gated.size())
				.allMatch((task) -> task.getStatus() == TaskStatus.COMPLETED);
			assertThat(PrefetchTasks.gate.maxRunning()).isEqualTo(2);
		}
	}

	@Test
	void tasksReadAheadAreHandedBackWhenTheWorkerStops(RedisServer server) throws Exception {
		List<Task<Integer>> gated = addShortTasksThenGatedTasks();
		ConfigurableApplicationContext workerA = startWorker(server, "worker-a");
		List<Task<Integer>> readAhead;
		try {
			await().atMost(TIMEOUT).until(() -> PrefetchTasks.gate.running() == 2 && claimedBy("worker-a") > 2);
			readAhead = gated.stream()
				.filter((task) -> !PrefetchTasks.runs.containsKey(task.getSpec().args().get(0)))
				.toList();
			assertThat(readAhead).isNotEmpty();

			CompletableFuture<Void> closing = CompletableFuture.runAsync(workerA::close);
			await().atMost(TIMEOUT).until(() -> !WorkerApplications.isThreadAlive(READER));
			PrefetchTasks.gate.open();
			closing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		}
		finally {
			workerA.close();
		}
		for (Task<Integer> task : readAhead) {
			Task<Integer> stored = this.taskQueue.getTask(task).orElseThrow();
			assertThat(stored.isFinished()).as("task %s was read ahead", task.getSpec().args()).isFalse();
			assertThat(stored.getStatus()).isNotEqualTo(TaskStatus.PROCESSING);
		}

		try (ConfigurableApplicationContext workerB = startWorker(server, "worker-b")) {
			Map<UUID, Task<?>> done = this.taskQueue.waitFor(gated, TIMEOUT);

			assertThat(done.values()).hasSize(gated.size())
				.allMatch((task) -> task.getStatus() == TaskStatus.COMPLETED);
		}
		for (Task<Integer> task : readAhead) {
			assertThat(PrefetchTasks.runs.get(task.getSpec().args().get(0))).containsExactly("worker-b");
		}
	}

	@Test
	void tasksReadAheadByALostWorkerAreQueuedAgainAndOnlyThoseThatStartedAreRecordedAsCrashed(RedisServer server) {
		Backend lostWorker = this.producer.getBean(Backend.class);
		List<Task<Integer>> tasks = IntStream.range(200, 203)
			.mapToObj((i) -> this.taskQueue.task(PrefetchTasks::gated, i))
			.toList();
		this.taskQueue.add(tasks);
		// a worker takes three tasks: one starts, two are held; then one of those starts too, and the worker is lost
		List<TaskDelivery> taken = lostWorker.pop(QUEUE, 3, 2, null);
		assertThat(taken).extracting(TaskDelivery::held).containsExactly(false, true, true);
		lostWorker.markStarted(QUEUE, List.of(taken.get(1)));
		PrefetchTasks.gate.open();

		try (ConfigurableApplicationContext worker = startWorker(server, "worker-b",
				"sheppy.worker.lease-timeout=600ms", "sheppy.worker.reclaim-interval=100ms")) {
			Map<UUID, Task<?>> done = this.taskQueue.waitFor(tasks, TIMEOUT);

			assertThat(tasks).extracting((task) -> done.get(task.getId()).getStatus())
				.containsExactly(TaskStatus.CRASHED, TaskStatus.CRASHED, TaskStatus.COMPLETED);
			assertThat(done.get(tasks.get(2).getId()).getRetryCount()).isZero();
			assertThat(PrefetchTasks.runs).containsOnlyKeys(202);
			assertThat(PrefetchTasks.runs.get(202)).containsExactly("worker-b");
		}
	}

	/**
	 * Return how many entries of the queue a worker has claimed and not yet acknowledged.
	 */
	private long claimedBy(String worker) {
		PendingMessagesSummary pending = this.producer.getBean(StringRedisTemplate.class)
			.opsForStream()
			.pending("sheppy:pending:" + QUEUE, "workers");
		Long count = (pending != null) ? pending.getPendingMessagesPerConsumer().get(worker) : null;
		return (count != null) ? count : 0;
	}

	/**
	 * Queue short tasks, which teach the worker that runs are short, followed by tasks that wait at a gate.
	 * @return the tasks that wait at the gate
	 */
	private List<Task<Integer>> addShortTasksThenGatedTasks() {
		List<Task<Integer>> tasks = new ArrayList<>();
		IntStream.range(0, 40).forEach((i) -> tasks.add(this.taskQueue.task(PrefetchTasks::quick, i)));
		List<Task<Integer>> gated = IntStream.range(100, 115)
			.mapToObj((i) -> this.taskQueue.task(PrefetchTasks::gated, i))
			.toList();
		tasks.addAll(gated);
		this.taskQueue.add(tasks);
		return gated;
	}

	private long processing(List<Task<Integer>> tasks) {
		return tasks.stream().filter((task) -> status(task) == TaskStatus.PROCESSING).count();
	}

	private TaskStatus status(Task<Integer> task) {
		return this.taskQueue.getTask(task).orElseThrow().getStatus();
	}

	private static ConfigurableApplicationContext startWorker(RedisServer server, String name, String... more) {
		List<String> properties = new ArrayList<>(List.of("sheppy.queue=" + QUEUE, "sheppy.redis.consumer-name=" + name,
				"sheppy.worker.poll-timeout=250ms", "sheppy.worker.concurrency=2", "sheppy.worker.batch-size=12",
				"sheppy.worker.prefetch=10", "sheppy.worker.shutdown-timeout=10s"));
		properties.addAll(List.of(more));
		return WorkerApplications.start(server, WorkerApplication.class, properties.toArray(String[]::new));
	}

	static class PrefetchTasks {

		static final GatedRuns gate = new GatedRuns();

		static final Map<Object, List<String>> runs = new ConcurrentHashMap<>();

		private final String worker;

		PrefetchTasks(@Value("${sheppy.redis.consumer-name:producer}") String worker) {
			this.worker = worker;
		}

		static void reset() {
			gate.reset();
			runs.clear();
		}

		@SheppyTask("prefetch:quick")
		int quick(int value) {
			return value;
		}

		@SheppyTask("prefetch:gated")
		int gated(int value) throws InterruptedException {
			runs.computeIfAbsent(value, (key) -> new CopyOnWriteArrayList<>()).add(this.worker);
			return gate.pass(value);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(PrefetchTasks.class)
	static class WorkerApplication {

		/**
		 * A thread per run: only the worker limits how many run at once.
		 */
		@Bean
		static BeanPostProcessor threadPerRun() {
			return new BeanPostProcessor() {

				@Override
				public Object postProcessAfterInitialization(Object bean, String beanName) {
					if (bean instanceof DefaultTaskListenerContainerFactory factory) {
						factory.setTaskExecutor(new SimpleAsyncTaskExecutor("prefetch-run-"));
					}
					return bean;
				}

			};
		}

	}

}
