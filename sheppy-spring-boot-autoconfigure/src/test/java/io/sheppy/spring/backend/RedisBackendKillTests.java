package io.sheppy.spring.backend;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskSpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests of producers of {@link RedisBackend} on a Redis that is killed while they add tasks: they get a
 * {@link BackendException} that says what failed for which queue, and a task is stored either whole (record, queue
 * entry and index of unclaimed entries) or not at all. Redis writes an append-only file fsynced on every write, so
 * every add that returned survives the kill.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer(aof = true)
class RedisBackendKillTests {

	private static final String QUEUE = "outage";

	private static final int PRODUCERS = 4;

	private static final int BATCH = 5;

	private final TaskJson taskJson = new TaskJson();

	private final ExecutorService executor = Executors.newFixedThreadPool(PRODUCERS);

	private LettuceConnectionFactory connectionFactory;

	private StringRedisTemplate redis;

	private RedisBackend backend;

	@BeforeEach
	void setUp(RedisServer server) {
		this.connectionFactory = RedisTestSupport.connectionFactory(server, Duration.ofSeconds(1));
		this.redis = RedisTestSupport.redisTemplate(this.connectionFactory);
		this.backend = new RedisBackend(this.connectionFactory, this.taskJson);
	}

	@AfterEach
	void tearDown() {
		this.executor.shutdownNow();
		this.backend.close();
		this.connectionFactory.destroy();
	}

	@Test
	void producersGetABackendExceptionWhenRedisIsKilledAndEveryTaskIsStoredWholeOrNotAtAll(RedisServer server)
			throws Exception {
		Set<UUID> confirmed = ConcurrentHashMap.newKeySet();
		Set<UUID> attempted = ConcurrentHashMap.newKeySet();
		ConcurrentLinkedQueue<BackendException> failures = new ConcurrentLinkedQueue<>();
		List<Future<?>> producers = new ArrayList<>();
		for (int p = 0; p < PRODUCERS; p++) {
			producers.add(this.executor.submit(() -> {
				while (true) {
					List<Task<Object>> batch = IntStream.range(0, BATCH).mapToObj(RedisBackendKillTests::task).toList();
					batch.forEach((task) -> attempted.add(task.getId()));
					try {
						assertThat(this.backend.append(QUEUE, batch, true)).containsOnly(true);
					}
					catch (BackendException ex) {
						failures.add(ex);
						return;
					}
					batch.forEach((task) -> confirmed.add(task.getId()));
				}
			}));
		}
		await().atMost(Duration.ofSeconds(20)).until(() -> confirmed.size() >= 500);

		server.kill();

		for (Future<?> producer : producers) {
			assertThat(producer).succeedsWithin(Duration.ofSeconds(20));
		}
		assertThat(failures).hasSize(PRODUCERS)
			.allSatisfy((failure) -> assertThat(failure).hasMessageStartingWith(
					"Failed to add " + BATCH + " tasks to queue '" + QUEUE + "': "));
		assertThatExceptionOfType(BackendException.class)
			.isThrownBy(() -> this.backend.append(QUEUE, List.of(task(0)), true))
			.withMessageStartingWith("Failed to add 1 task to queue '" + QUEUE + "': ");

		server.start();

		await().atMost(Duration.ofSeconds(20))
			.ignoreException(BackendException.class)
			.until(() -> this.backend.size(QUEUE) > 0);
		Map<UUID, String> records = records();
		Map<UUID, MapRecord<String, Object, Object>> entries = new HashMap<>();
		for (MapRecord<String, Object, Object> entry : this.redis.opsForStream()
			.range(RedisKeys.pending(QUEUE), Range.unbounded())) {
			UUID id = this.taskJson.read((String) entry.getValue().get("data")).getId();
			assertThat(entries.put(id, entry)).as("entries of task %s", id).isNull();
		}
		Map<Object, Object> unclaimed = this.redis.opsForHash().entries(RedisKeys.pendingIds(QUEUE));

		assertThat(records.keySet()).as("every confirmed add survived the kill").containsAll(confirmed);
		assertThat(attempted).containsAll(records.keySet());
		assertThat(entries.keySet()).isEqualTo(records.keySet());
		assertThat(unclaimed).hasSameSizeAs(records);
		records.forEach((id, json) -> {
			MapRecord<String, Object, Object> entry = entries.get(id);
			assertThat(entry.getValue()).as("entry of task %s", id).containsExactly(Map.entry("data", json));
			assertThat(unclaimed).containsEntry(id.toString(), entry.getId().getValue());
		});
		System.out.printf("Killed Redis after %d confirmed adds; %d tasks stored, %d attempted%n", confirmed.size(),
				records.size(), attempted.size());
	}

	private Map<UUID, String> records() {
		Map<UUID, String> records = new HashMap<>();
		ScanOptions options = ScanOptions.scanOptions().match(RedisKeys.taskPrefix(QUEUE) + "*").count(1000).build();
		List<String> keys = new ArrayList<>();
		try (Cursor<String> cursor = this.redis.scan(options)) {
			cursor.forEachRemaining(keys::add);
		}
		for (String key : keys) {
			UUID id = UUID.fromString(key.substring(RedisKeys.taskPrefix(QUEUE).length()));
			records.put(id, this.redis.opsForValue().get(key));
		}
		return records;
	}

	private static Task<Object> task(int number) {
		return Task.builder(TaskSpec.of("tests:run", number)).build();
	}

}
