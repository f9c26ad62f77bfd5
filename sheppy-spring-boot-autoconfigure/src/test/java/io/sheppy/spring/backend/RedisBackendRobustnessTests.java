package io.sheppy.spring.backend;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.types.RedisClientInfo;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskSpec;
import io.sheppy.spring.core.TaskStatus;

import static io.sheppy.spring.backend.BackendContractTests.taken;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests of {@link RedisBackend} that only a real Redis can show: bad entries in the stream, blocking reads, the reuse
 * of connections, large batches and a Redis that goes away.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
@ExtendWith(OutputCaptureExtension.class)
class RedisBackendRobustnessTests {

	private static final String QUEUE = "emails";

	private final TaskJson taskJson = new TaskJson();

	private RedisServer server;

	private LettuceConnectionFactory connectionFactory;

	private StringRedisTemplate redis;

	private RedisBackend backend;

	@BeforeEach
	void setUp(RedisServer server) {
		this.server = server;
		this.connectionFactory = RedisTestSupport.connectionFactory(server, Duration.ofSeconds(2));
		this.redis = RedisTestSupport.redisTemplate(this.connectionFactory);
		this.backend = new RedisBackend(this.connectionFactory, this.taskJson);
	}

	@AfterEach
	void tearDown() {
		this.backend.close();
		this.connectionFactory.destroy();
	}

	@Test
	void malformedEntriesDoNotBreakThePopOfGoodOnesAndAreMovedToTheDeadLetterStreamAndLoggedOnce(
			CapturedOutput output) {
		String stream = RedisKeys.pending(QUEUE);
		this.redis.opsForStream().createGroup(stream, ReadOffset.from("0"), "workers");
		String notJson = this.redis.opsForStream()
			.add(StreamRecords.string(Map.of("data", "not json")).withStreamKey(stream))
			.getValue();
		String noData = this.redis.opsForStream()
			.add(StreamRecords.string(Map.of("other", "x")).withStreamKey(stream))
			.getValue();
		Task<Object> good = task(1);
		this.backend.append(QUEUE, List.of(good), true);

		assertThat(this.backend.pop(QUEUE, 10, null)).extracting(TaskDelivery::task).containsExactly(taken(good));

		assertThat(this.redis.opsForStream().range(stream, Range.unbounded())).hasSize(1);
		assertThat(this.redis.opsForStream().pending(stream, "workers").getTotalPendingMessages()).isOne();
		assertThat(this.backend.pop(QUEUE, 10, null)).isEmpty();
		assertThat(output.getOut()).containsOnlyOnce("Moved entry " + notJson)
			.containsOnlyOnce("Moved entry " + noData)
			.contains("not json")
			.contains("no 'data' field");
		List<MapRecord<String, Object, Object>> dead = this.redis.opsForStream()
			.range(RedisKeys.dead(QUEUE), Range.unbounded());
		assertThat(dead).hasSize(2);
		assertThat(dead.get(0).getValue()).containsEntry("entry", notJson)
			.containsEntry("data", "not json")
			.hasEntrySatisfying("reason", (reason) -> assertThat(reason.toString()).contains("Malformed task JSON"));
		assertThat(dead.get(1).getValue()).containsEntry("entry", noData)
			.containsEntry("data", "")
			.containsEntry("reason", "it has no 'data' field");
	}

	@Test
	void malformedEntryAloneInABlockingPopDoesNotMakeItLoop() {
		String stream = RedisKeys.pending(QUEUE);
		this.redis.opsForStream().createGroup(stream, ReadOffset.from("0"), "workers");
		this.redis.opsForStream().add(StreamRecords.string(Map.of("data", "[1, 2]")).withStreamKey(stream));
		assertThat(this.backend.pop(QUEUE, 1, Duration.ofMillis(100))).isEmpty();
		assertThat(this.backend.size(QUEUE)).isZero();
	}

	@Test
	void popWithoutAConsumerGroupCreatesIt() {
		Task<Object> task = task(1);
		this.backend.append(QUEUE, List.of(task), true);
		this.redis.opsForStream().destroyGroup(RedisKeys.pending(QUEUE), "workers");
		assertThat(this.backend.pop(QUEUE, 1, null)).extracting(TaskDelivery::task).containsExactly(taken(task));
		this.redis.delete(RedisKeys.pending(QUEUE));
		assertThat(this.backend.pop(QUEUE, 1, Duration.ofMillis(50))).isEmpty();
	}

	@Test
	void blockingPopWakesAsSoonAsATaskIsAppended() {
		CompletableFuture<List<TaskDelivery>> popped = CompletableFuture
			.supplyAsync(() -> this.backend.pop(QUEUE, 1, Duration.ofSeconds(30)));
		await().atMost(Duration.ofSeconds(5)).until(() -> blockedClients() == 1);
		long appended = System.nanoTime();
		Task<Object> task = task(1);
		this.backend.append(QUEUE, List.of(task), true);
		assertThat(popped).succeedsWithin(Duration.ofSeconds(5))
			.satisfies((deliveries) -> assertThat(deliveries).extracting(TaskDelivery::task)
				.containsExactly(taken(task)));
		assertThat(Duration.ofNanos(System.nanoTime() - appended)).isLessThan(Duration.ofSeconds(1));
	}

	@Test
	void interruptedBlockingPopReturnsNothingAndKeepsTheInterrupt() {
		AtomicReference<List<TaskDelivery>> popped = new AtomicReference<>();
		AtomicBoolean interrupted = new AtomicBoolean();
		Thread worker = new Thread(() -> {
			popped.set(this.backend.pop(QUEUE, 1, Duration.ofSeconds(30)));
			interrupted.set(Thread.currentThread().isInterrupted());
		});
		worker.start();
		await().atMost(Duration.ofSeconds(5)).until(() -> blockedClients() == 1);
		worker.interrupt();
		await().atMost(Duration.ofSeconds(5)).until(() -> popped.get() != null);
		assertThat(popped.get()).isEmpty();
		assertThat(interrupted).isTrue();
		Task<Object> task = task(1);
		this.backend.append(QUEUE, List.of(task), true);
		assertThat(this.backend.pop(QUEUE, 1, Duration.ofSeconds(1))).extracting(TaskDelivery::task)
			.containsExactly(taken(task));
	}

	@Test
	void scriptsFlushedFromRedisAreLoadedAgain() {
		Task<Object> first = task(1);
		this.backend.append(QUEUE, List.of(first), true);
		this.redis.execute((RedisCallback<Object>) (connection) -> {
			connection.scriptingCommands().scriptFlush();
			return null;
		});
		Task<Object> second = task(2);
		assertThat(this.backend.append(QUEUE, List.of(second), true)).containsExactly(true);
		assertThat(this.backend.pop(QUEUE, 10, null)).extracting(TaskDelivery::task)
			.containsExactly(taken(first), taken(second));
		assertThat(this.backend.listQueues()).containsEntry(QUEUE, 2L);
	}

	@Test
	void blockingReadsLongerThanTheCommandTimeoutWaitInChunks() {
		// the connection factory's command timeout is 2 s: longer waits must not fail with a command timeout
		long start = System.nanoTime();
		assertThat(this.backend.pop(QUEUE, 1, Duration.ofMillis(2500))).isEmpty();
		assertThatExceptionOfType(WaitTimeoutException.class)
			.isThrownBy(() -> this.backend.getResults(QUEUE, List.of(UUID.randomUUID()), Duration.ofMillis(2500)));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(8));
	}

	@Test
	void blockingReadsReuseTheirConnections() {
		this.backend.pop(QUEUE, 1, Duration.ofMillis(10));
		this.backend.getResults(QUEUE, List.of(UUID.randomUUID()), null);
		long connectionsBefore = info("stats", "total_connections_received");
		long clientsBefore = info("clients", "connected_clients");
		for (int i = 0; i < 50; i++) {
			assertThat(this.backend.pop(QUEUE, 1, Duration.ofMillis(10))).isEmpty();
		}
		for (int i = 0; i < 20; i++) {
			UUID id = UUID.randomUUID();
			assertThatExceptionOfType(WaitTimeoutException.class)
				.isThrownBy(() -> this.backend.getResults(QUEUE, List.of(id), Duration.ofMillis(10)));
		}
		for (int i = 0; i < 20; i++) {
			this.backend.append(QUEUE, List.of(task(i)), true);
			this.backend.getStats(QUEUE);
		}
		assertThat(info("stats", "total_connections_received")).isLessThanOrEqualTo(connectionsBefore + 3);
		assertThat(info("clients", "connected_clients")).isLessThanOrEqualTo(clientsBefore + 3);
	}

	@Test
	void closedBackendClosesItsConnectionsAndRefusesBlockingReads() {
		Set<String> before = clientAddresses();
		this.backend.pop(QUEUE, 1, Duration.ofMillis(10));
		Set<String> opened = clientAddresses();
		opened.removeAll(before);
		assertThat(opened).isNotEmpty();
		this.backend.close();
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(clientAddresses()).doesNotContainAnyElementsOf(opened));
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> this.backend.pop(QUEUE, 1, Duration.ofMillis(10)));
	}

	@Test
	void batchesLargerThanOneScriptCallKeepOrderAndUniqueness() {
		List<Task<Object>> tasks = new ArrayList<>(IntStream.range(0, 2500).mapToObj(this::task).toList());
		tasks.set(1000, tasks.get(999));
		List<Boolean> queued = this.backend.append(QUEUE, tasks, true);
		assertThat(queued).hasSize(2500).containsOnlyOnce(false);
		assertThat(queued.get(1000)).isFalse();
		assertThat(this.backend.size(QUEUE)).isEqualTo(2499);
		assertThat(this.backend.getAllTasks(QUEUE)).hasSize(2499);
		assertThat(this.backend.getTasks(QUEUE, tasks.stream().map(Task::getId).toList())).hasSize(2499);
		assertThat(this.backend.getPending(QUEUE, 3000)).extracting(Task::getId)
			.containsExactlyElementsOf(tasks.stream().map(Task::getId).distinct().toList());
		assertThat(this.backend.clear(QUEUE)).isEqualTo(2499);
	}

	@Test
	void clearKeepsThePendingStreamAndItsGroupForRunningWorkers() {
		Task<Object> running = task(1);
		this.backend.append(QUEUE, List.of(running, task(2)), true);
		TaskDelivery delivery = this.backend.pop(QUEUE, 1, null).get(0);
		assertThat(this.backend.clear(QUEUE)).isEqualTo(2);
		assertThat(this.redis.hasKey(RedisKeys.pending(QUEUE))).isTrue();
		assertThat(this.redis.opsForStream().groups(RedisKeys.pending(QUEUE))).hasSize(1);
		assertThat(this.backend.size(QUEUE)).isZero();
		this.backend.acknowledge(QUEUE, List.of(delivery.deliveryId()));
		assertThat(this.redis.opsForStream().pending(RedisKeys.pending(QUEUE), "workers").getTotalPendingMessages())
			.isZero();
		Task<Object> next = task(3);
		this.backend.append(QUEUE, List.of(next), true);
		assertThat(this.backend.pop(QUEUE, 1, null)).extracting(TaskDelivery::task).containsExactly(taken(next));
	}

	@Test
	void scheduleScoresAreEpochSecondsWithMicroseconds() {
		Task<Object> task = task(1).mutate().status(TaskStatus.SCHEDULED).build();
		Instant at = Instant.parse("2030-01-01T00:00:00.123456Z");
		this.backend.schedule(QUEUE, task, at, true);
		assertThat(this.redis.opsForZSet().score(RedisKeys.scheduled(QUEUE), task.getId().toString()))
			.isEqualTo(1893456000.123456);
		assertThat(this.backend.nextScheduledAt(QUEUE)).contains(at);
		assertThat(this.backend.popScheduled(QUEUE, at.minusNanos(1000), 10)).isEmpty();
		assertThat(this.backend.popScheduled(QUEUE, at, 10)).hasSize(1);
	}

	@Test
	void failuresOfRedisAreBackendExceptionsThatSayWhatFailedForWhichQueue() {
		try {
			this.server.stop();
			assertThatExceptionOfType(BackendException.class)
				.isThrownBy(() -> this.backend.append(QUEUE, List.of(task(1), task(2), task(3)), true))
				.withMessageStartingWith("Failed to add 3 tasks to queue 'emails': ");
			assertThatExceptionOfType(BackendException.class)
				.isThrownBy(() -> this.backend.pop(QUEUE, 1, Duration.ofMillis(100)))
				.withMessageStartingWith("Failed to take tasks from queue 'emails': ");
			assertThatExceptionOfType(BackendException.class)
				.isThrownBy(() -> this.backend.getResults(QUEUE, List.of(UUID.randomUUID()), Duration.ofSeconds(1)))
				.withMessageStartingWith("Failed to wait for 1 task of queue 'emails': ");
		}
		finally {
			this.server.start();
		}
		Task<Object> task = task(4);
		await().atMost(Duration.ofSeconds(20))
			.ignoreException(BackendException.class)
			.until(() -> this.backend.append(QUEUE, List.of(task), true).equals(List.of(true)));
		assertThat(this.backend.pop(QUEUE, 1, Duration.ofSeconds(1))).extracting(TaskDelivery::task)
			.containsExactly(taken(task));
	}

	private Task<Object> task(int number) {
		return Task.builder(TaskSpec.of("tests:run", number)).build();
	}

	private Set<String> clientAddresses() {
		List<RedisClientInfo> clients = this.redis.getClientList();
		return clients.stream().map(RedisClientInfo::getAddressPort).collect(Collectors.toCollection(HashSet::new));
	}

	private long blockedClients() {
		return info("clients", "blocked_clients");
	}

	private long info(String section, String field) {
		return RedisTestSupport.info(this.redis, section, field);
	}

}
