package io.sheppy.spring.backend;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.IntStream;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskSpec;
import io.sheppy.spring.core.TaskStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests of how {@link RedisBackend} waits for finished tasks on a real Redis: many waiters share one reader thread and
 * one connection per queue, no notification is missed between a waiter's registration and the reader's reads, and a
 * reader survives Redis refusing its reads, stops when idle and is stopped by {@code close()}.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
@ExtendWith(OutputCaptureExtension.class)
class RedisFinishedTaskListenerTests {

	private static final String QUEUE = "waiters";

	private static final String READER_FAILED = "Failed to read the finished notifications of queue 'waiters'";

	private final TaskJson taskJson = new TaskJson();

	private final List<RedisBackend> backends = new ArrayList<>();

	private final ExecutorService executor = Executors.newFixedThreadPool(8);

	private LettuceConnectionFactory connectionFactory;

	private StringRedisTemplate redis;

	@BeforeEach
	void setUp(RedisServer server) {
		this.connectionFactory = RedisTestSupport.connectionFactory(server, Duration.ofSeconds(5));
		this.redis = RedisTestSupport.redisTemplate(this.connectionFactory);
	}

	@AfterEach
	void tearDown() {
		this.executor.shutdownNow();
		this.backends.forEach(RedisBackend::close);
		this.connectionFactory.destroy();
	}

	@Test
	void aThousandConcurrentWaitersShareOneReaderAndOneConnection() throws Exception {
		RedisBackend backend = backend(RedisFinishedTaskListener.DEFAULT_IDLE_TIMEOUT);
		List<Task<Object>> tasks = IntStream.range(0, 1000).mapToObj(this::task).toList();
		backend.append(QUEUE, tasks, true);
		long clientsBefore = info("clients", "connected_clients");

		List<CompletableFuture<Map<UUID, Task<Object>>>> futures = inParallel(tasks,
				(task) -> backend.whenFinished(QUEUE, List.of(task.getId())));

		await().atMost(Duration.ofSeconds(5)).until(() -> info("clients", "blocked_clients") == 1);
		assertThat(backend.waiterCount(QUEUE)).isEqualTo(1000);
		assertThat(readerThreads(QUEUE)).singleElement()
			.satisfies((thread) -> assertThat(thread.isDaemon()).isTrue());
		long clientsWaiting = info("clients", "connected_clients");
		long xreadsBefore = commandStat("xread", "calls");
		await().during(Duration.ofMillis(1500))
			.atMost(Duration.ofSeconds(3))
			.until(() -> futures.stream().noneMatch(CompletableFuture::isDone));
		long xreadsWhileWaiting = commandStat("xread", "calls") - xreadsBefore;
		System.out.println("1000 waiters: connected_clients " + clientsBefore + " before, " + clientsWaiting
				+ " while waiting; " + xreadsWhileWaiting + " XREAD calls in 1.5 s of waiting");
		assertThat(clientsWaiting).isLessThanOrEqualTo(clientsBefore + 2);
		assertThat(xreadsWhileWaiting).isLessThanOrEqualTo(4);

		inParallel(tasks, (task) -> backend.storeResult(QUEUE, completed(task), null));

		for (int i = 0; i < tasks.size(); i++) {
			Task<Object> task = tasks.get(i);
			assertThat(futures.get(i)).succeedsWithin(Duration.ofSeconds(30))
				.satisfies((finished) -> assertThat(finished.get(task.getId()).getResult())
					.isEqualTo(task.getSpec().args().get(0)));
		}
		assertThat(backend.waiterCount(QUEUE)).isZero();
		assertThat(info("clients", "connected_clients")).isLessThanOrEqualTo(clientsBefore + 2);
	}

	@Test
	void twoHundredBlockedGetResultsCallersShareOneReaderAndOneConnection() throws Exception {
		RedisBackend backend = backend(RedisFinishedTaskListener.DEFAULT_IDLE_TIMEOUT);
		List<Task<Object>> tasks = IntStream.range(0, 200).mapToObj(this::task).toList();
		backend.append(QUEUE, tasks, true);
		long clientsBefore = info("clients", "connected_clients");
		ExecutorService callers = Executors.newFixedThreadPool(tasks.size());
		try {
			List<Future<Map<UUID, Task<Object>>>> results = new ArrayList<>();
			for (Task<Object> task : tasks) {
				results.add(callers
					.submit(() -> backend.getResults(QUEUE, List.of(task.getId()), Duration.ofSeconds(60))));
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> backend.waiterCount(QUEUE) == tasks.size());
			long clientsWaiting = info("clients", "connected_clients");
			System.out.println("200 blocked getResults callers: connected_clients " + clientsBefore + " before, "
					+ clientsWaiting + " while waiting");
			assertThat(clientsWaiting).isLessThanOrEqualTo(clientsBefore + 2);
			assertThat(info("clients", "blocked_clients")).isOne();
			assertThat(results).noneMatch(Future::isDone);

			inParallel(tasks, (task) -> backend.storeResult(QUEUE, completed(task), null));

			for (int i = 0; i < tasks.size(); i++) {
				UUID id = tasks.get(i).getId();
				assertThat(results.get(i)).succeedsWithin(Duration.ofSeconds(30))
					.satisfies((finished) -> assertThat(finished.get(id).getStatus()).isEqualTo(TaskStatus.COMPLETED));
			}
		}
		finally {
			callers.shutdownNow();
		}
		assertThat(backend.waiterCount(QUEUE)).isZero();
	}

	@Test
	void waiterSeesATaskThatFinishesRightAfterItRegisteredAlsoBeforeANewReaderReadsOnce() throws Exception {
		RedisBackend backend = backend(Duration.ofMillis(50));
		for (int i = 0; i < 100; i++) {
			// a queue of its own each time, so that each waiter starts a new reader
			String queue = "race-" + i;
			Task<Object> task = task(i);
			backend.append(queue, List.of(task), true);
			CompletableFuture<Map<UUID, Task<Object>>> finished;
			if (i % 2 == 0) {
				finished = backend.whenFinished(queue, List.of(task.getId()));
				backend.storeResult(queue, completed(task), null);
			}
			else {
				CyclicBarrier together = new CyclicBarrier(2);
				Future<Boolean> stored = this.executor.submit(() -> {
					together.await();
					return backend.storeResult(queue, completed(task), null);
				});
				together.await();
				finished = backend.whenFinished(queue, List.of(task.getId()));
				assertThat(stored).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(true);
			}
			assertThat(finished).as(queue)
				.succeedsWithin(Duration.ofSeconds(5))
				.satisfies((tasks) -> assertThat(tasks).containsOnlyKeys(task.getId()));
		}
		for (int i = 0; i < 200; i++) {
			Task<Object> task = task(i);
			backend.append(QUEUE, List.of(task), true);
			CompletableFuture<Map<UUID, Task<Object>>> finished = backend.whenFinished(QUEUE, List.of(task.getId()));
			backend.storeResult(QUEUE, completed(task), null);
			assertThat(finished).succeedsWithin(Duration.ofSeconds(5));
		}
	}

	@Test
	void readerStopsAfterItsIdleTimeAndHandsBackItsConnection() {
		RedisBackend backend = backend(Duration.ofMillis(300));
		Task<Object> first = task(1);
		backend.append(QUEUE, List.of(first), true);
		CompletableFuture<Map<UUID, Task<Object>>> finished = backend.whenFinished(QUEUE, List.of(first.getId()));
		await().atMost(Duration.ofSeconds(5)).until(() -> info("clients", "blocked_clients") == 1);
		assertThat(readerThreads(QUEUE)).hasSize(1);
		backend.storeResult(QUEUE, completed(first), null);
		assertThat(finished).succeedsWithin(Duration.ofSeconds(5));

		await().atMost(Duration.ofSeconds(5)).until(() -> readerThreads(QUEUE).isEmpty());
		assertThat(info("clients", "blocked_clients")).isZero();
		long connectionsBefore = info("stats", "total_connections_received");
		assertThat(backend.pop("elsewhere", 1, Duration.ofMillis(10))).isEmpty();
		assertThat(info("stats", "total_connections_received")).isEqualTo(connectionsBefore);

		Task<Object> second = task(2);
		backend.append(QUEUE, List.of(second), true);
		CompletableFuture<Map<UUID, Task<Object>>> again = backend.whenFinished(QUEUE, List.of(second.getId()));
		assertThat(readerThreads(QUEUE)).hasSize(1);
		backend.storeResult(QUEUE, completed(second), null);
		assertThat(again).succeedsWithin(Duration.ofSeconds(5));
	}

	@Test
	void readerThatCannotReadKeepsItsWaitersAndFindsTasksWhoseNotificationWasTrimmedAway(CapturedOutput output) {
		RedisBackend backend = backend(RedisFinishedTaskListener.DEFAULT_IDLE_TIMEOUT);
		Task<Object> task = task(1);
		backend.append(QUEUE, List.of(task), true);
		CompletableFuture<Map<UUID, Task<Object>>> finished = backend.whenFinished(QUEUE, List.of(task.getId()));
		await().atMost(Duration.ofSeconds(5)).until(() -> info("clients", "blocked_clients") == 1);
		try {
			acl("-xread");
			await().atMost(Duration.ofSeconds(15)).until(() -> commandStat("xread", "rejected_calls") >= 3);
			assertThat(finished).isNotDone();

			assertThat(backend.storeResult(QUEUE, completed(task), null)).isTrue();
			this.redis.delete(RedisKeys.finished(QUEUE));

			assertThat(finished).succeedsWithin(Duration.ofSeconds(10))
				.satisfies((tasks) -> assertThat(tasks.get(task.getId()).getResult()).isEqualTo(1));
			assertThat(output.getOut()).containsOnlyOnce(READER_FAILED);
		}
		finally {
			acl("+xread");
		}
		Task<Object> next = task(2);
		backend.append(QUEUE, List.of(next), true);
		CompletableFuture<Map<UUID, Task<Object>>> nextFinished = backend.whenFinished(QUEUE, List.of(next.getId()));
		await().atMost(Duration.ofSeconds(10)).until(() -> output.getOut().contains("queue 'waiters' again after"));
		backend.storeResult(QUEUE, completed(next), null);
		assertThat(nextFinished).succeedsWithin(Duration.ofSeconds(5));
		assertThat(readerThreads(QUEUE)).hasSize(1);
	}

	@Test
	void closeFailsTheWaitingFuturesStopsTheReaderAndRefusesNewWaits() {
		RedisBackend backend = backend(RedisFinishedTaskListener.DEFAULT_IDLE_TIMEOUT);
		Task<Object> task = task(1);
		backend.append(QUEUE, List.of(task), true);
		CompletableFuture<Map<UUID, Task<Object>>> finished = backend.whenFinished(QUEUE, List.of(task.getId()));
		Future<Map<UUID, Task<Object>>> results = this.executor
			.submit(() -> backend.getResults(QUEUE, List.of(task.getId()), Duration.ZERO));
		await().atMost(Duration.ofSeconds(5)).until(() -> backend.waiterCount(QUEUE) == 2);

		backend.close();

		assertThat(readerThreads(QUEUE)).isEmpty();
		assertThat(finished).failsWithin(Duration.ofSeconds(5))
			.withThrowableOfType(ExecutionException.class)
			.havingCause()
			.isInstanceOf(BackendException.class)
			.withMessageContaining("closed")
			.withMessageContaining(task.getId().toString());
		assertThat(results).failsWithin(Duration.ofSeconds(5))
			.withThrowableOfType(ExecutionException.class)
			.havingCause()
			.isInstanceOf(BackendException.class);
		assertThatIllegalStateException().isThrownBy(() -> backend.whenFinished(QUEUE, List.of(task.getId())));
	}

	@Test
	void waiterForATaskWhoseRecordIsNotATaskFailsAndSaysWhy() {
		RedisBackend backend = backend(RedisFinishedTaskListener.DEFAULT_IDLE_TIMEOUT);
		UUID broken = UUID.randomUUID();
		this.redis.opsForValue().set(RedisKeys.task(QUEUE, broken), "not json");
		assertThat(backend.whenFinished(QUEUE, List.of(broken))).isCompletedExceptionally()
			.failsWithin(Duration.ZERO)
			.withThrowableOfType(ExecutionException.class)
			.havingCause()
			.isInstanceOf(BackendException.class)
			.withMessageContaining(broken.toString())
			.withMessageContaining("not a valid task");

		Task<Object> task = task(1);
		Task<Object> other = task(2);
		backend.append(QUEUE, List.of(task, other), true);
		CompletableFuture<Map<UUID, Task<Object>>> finished = backend.whenFinished(QUEUE,
				List.of(task.getId(), other.getId()));
		CompletableFuture<Map<UUID, Task<Object>>> otherFinished = backend.whenFinished(QUEUE,
				List.of(other.getId()));
		this.redis.opsForValue().set(RedisKeys.task(QUEUE, task.getId()), "{\"id\": 42}");
		this.redis.opsForStream()
			.add(StreamRecords.string(Map.of("task_id", task.getId().toString()))
				.withStreamKey(RedisKeys.finished(QUEUE)));
		assertThat(finished).failsWithin(Duration.ofSeconds(5))
			.withThrowableOfType(ExecutionException.class)
			.havingCause()
			.isInstanceOf(BackendException.class)
			.withMessageContaining(task.getId().toString());
		backend.storeResult(QUEUE, completed(other), null);
		assertThat(otherFinished).succeedsWithin(Duration.ofSeconds(5));
		assertThat(backend.waiterCount(QUEUE)).isZero();
	}

	@Test
	void notificationsWithoutAUsableTaskIdAreSkipped() {
		RedisBackend backend = backend(RedisFinishedTaskListener.DEFAULT_IDLE_TIMEOUT);
		Task<Object> task = task(1);
		backend.append(QUEUE, List.of(task), true);
		CompletableFuture<Map<UUID, Task<Object>>> finished = backend.whenFinished(QUEUE, List.of(task.getId()));
		String stream = RedisKeys.finished(QUEUE);
		this.redis.opsForStream().add(StreamRecords.string(Map.of("task_id", "not a uuid")).withStreamKey(stream));
		this.redis.opsForStream().add(StreamRecords.string(Map.of("other", "x")).withStreamKey(stream));
		backend.storeResult(QUEUE, completed(task), null);
		assertThat(finished).succeedsWithin(Duration.ofSeconds(5));
	}

	@Test
	void waiterCompletesEvenWhenItsTaskFinishedWithoutANotification() {
		RedisBackend backend = backend(RedisFinishedTaskListener.DEFAULT_IDLE_TIMEOUT, Duration.ofMillis(500));
		Task<Object> task = task(1);
		backend.append(QUEUE, List.of(task), true);
		CompletableFuture<Map<UUID, Task<Object>>> finished = backend.whenFinished(QUEUE, List.of(task.getId()));
		await().atMost(Duration.ofSeconds(5)).until(() -> info("clients", "blocked_clients") == 1);
		// as a writer that died between storing the record and writing the notification leaves it
		this.redis.opsForValue().set(RedisKeys.task(QUEUE, task.getId()), this.taskJson.write(completed(task)));
		assertThat(finished).succeedsWithin(Duration.ofSeconds(5))
			.satisfies((tasks) -> assertThat(tasks.get(task.getId()).getStatus()).isEqualTo(TaskStatus.COMPLETED));
		assertThat(this.redis.hasKey(RedisKeys.finished(QUEUE))).isFalse();
	}

	private RedisBackend backend(Duration readerIdleTimeout) {
		return backend(readerIdleTimeout, RedisFinishedTaskListener.DEFAULT_RECHECK_INTERVAL);
	}

	private RedisBackend backend(Duration readerIdleTimeout, Duration readerRecheckInterval) {
		RedisBackend backend = new RedisBackend(this.connectionFactory, this.taskJson,
				RedisBackend.Settings.defaults(), readerIdleTimeout, readerRecheckInterval);
		this.backends.add(backend);
		return backend;
	}

	private <T> List<T> inParallel(List<Task<Object>> tasks, Function<Task<Object>, T> action)
			throws Exception {
		List<T> results = new CopyOnWriteArrayList<>();
		List<Future<T>> futures = new ArrayList<>();
		for (Task<Object> task : tasks) {
			futures.add(this.executor.submit(() -> action.apply(task)));
		}
		for (Future<T> future : futures) {
			results.add(future.get());
		}
		return results;
	}

	private void acl(String rule) {
		this.redis.execute((RedisCallback<Object>) (connection) -> connection.execute("ACL", bytes("SETUSER"),
				bytes("default"), bytes(rule)));
	}

	private static List<Thread> readerThreads(String queue) {
		String name = "sheppy-" + queue + "-results";
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().equals(name) && thread.isAlive())
			.toList();
	}

	private Task<Object> task(int number) {
		return Task.builder(TaskSpec.of("tests:run", number)).build();
	}

	private static Task<Object> completed(Task<Object> task) {
		return task.mutate()
			.status(TaskStatus.COMPLETED)
			.result(task.getSpec().args().get(0))
			.finishedAt(Task.now())
			.build();
	}

	private long info(String section, String field) {
		return RedisTestSupport.info(this.redis, section, field);
	}

	private long commandStat(String command, String counter) {
		return RedisTestSupport.commandStat(this.redis, command, counter);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
