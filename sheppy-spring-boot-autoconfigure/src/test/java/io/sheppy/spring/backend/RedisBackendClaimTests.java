package io.sheppy.spring.backend;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskSpec;
import io.sheppy.spring.core.TaskStatus;

import static io.sheppy.spring.backend.BackendContractTests.taken;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests of how {@link RedisBackend#pop} claims the tasks it reads: a claimed task's record is marked processing in the
 * layout it was queued in, a record that changed since is left as it is, and, while a queue has a backlog (after a
 * read that took as many entries as it asked for), the next read claims the entries it reads in the same step and
 * hands what that step cannot claim to the claim of read entries, with the same outcome for every kind of entry.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
class RedisBackendClaimTests {

	private static final String QUEUE = "claims";

	private final TaskJson taskJson = new TaskJson();

	private LettuceConnectionFactory connectionFactory;

	private StringRedisTemplate redis;

	private RedisBackend backend;

	@BeforeEach
	void setUp(RedisServer server) {
		this.connectionFactory = RedisTestSupport.connectionFactory(server);
		this.redis = RedisTestSupport.redisTemplate(this.connectionFactory);
		this.backend = new RedisBackend(this.connectionFactory, this.taskJson);
	}

	@AfterEach
	void tearDown() {
		this.backend.close();
		this.connectionFactory.destroy();
	}

	@Test
	void marksARecordInPythonsLayoutInThatLayoutAndStoresTheOutcomeOverIt() {
		String id = UUID.randomUUID().toString();
		String json = "{\"id\": \"" + id + "\", \"status\": \"new\", \"exception\": null, \"result\": null, "
				+ "\"spec\": {\"func\": \"fxtasks:add\", \"args\": [1, 2.0], \"kwargs\": {}}}";
		queueAsPythonDoes(id, json);

		TaskDelivery delivery = this.backend.pop(QUEUE, 1, null).get(0);

		assertThat(delivery.task().getStatus()).isEqualTo(TaskStatus.PROCESSING);
		assertThat(record(UUID.fromString(id))).isEqualTo(json.replace("\"new\"", "\"processing\""));
		assertThat(this.backend.cancel(QUEUE, delivery.task().getId())).isEmpty();
		Task<Object> completed = delivery.task()
			.mutate()
			.status(TaskStatus.COMPLETED)
			.result(3)
			.finishedAt(Task.now())
			.build();
		assertThat(this.backend.storeResults(QUEUE, List.of(new TaskDelivery(completed, delivery.deliveryId()))))
			.containsExactly(true);
		assertThat(this.backend.getTasks(QUEUE, List.of(completed.getId())).get(completed.getId()).getResult())
			.isEqualTo(3);
		assertThat(this.redis.opsForStream().size(RedisKeys.pending(QUEUE))).isZero();
	}

	@Test
	void doesNotMarkARecordThatChangedSinceItsEntryWasQueued() {
		Task<Object> task = task(1);
		this.backend.append(QUEUE, List.of(task), true);
		Task<Object> changed = task.mutate().status(TaskStatus.PENDING).retryCount(2).build();
		this.redis.opsForValue().set(RedisKeys.task(QUEUE, task.getId()), this.taskJson.write(changed));

		List<TaskDelivery> taken = this.backend.pop(QUEUE, 1, null);

		assertThat(taken).singleElement().satisfies((delivery) -> assertThat(delivery.task().getRetryCount()).isZero());
		assertThat(record(task.getId())).isEqualTo(this.taskJson.write(changed));
	}

	@Test
	void readsTheBacklogInOrderAndMarksEveryTaskAsProcessing() {
		List<Task<Object>> tasks = List.of(task(1), task(2), task(3), task(4), task(5));
		this.backend.append(QUEUE, tasks, true);

		List<TaskDelivery> first = this.backend.pop(QUEUE, 2, null);
		this.redis.execute((RedisCallback<Object>) (connection) -> {
			connection.serverCommands().resetConfigStats();
			return null;
		});
		List<TaskDelivery> second = this.backend.pop(QUEUE, 2, null);
		List<TaskDelivery> third = this.backend.pop(QUEUE, 2, null);
		// read and claimed in one step each: two scripts, no claim of read entries (its XPENDING)
		assertThat(commandCalls("evalsha")).isEqualTo(2);
		assertThat(commandCalls("xreadgroup")).isEqualTo(2);
		assertThat(commandCalls("xpending")).isZero();

		assertThat(first).extracting(TaskDelivery::task).containsExactly(taken(tasks.get(0)), taken(tasks.get(1)));
		assertThat(second).extracting(TaskDelivery::task).containsExactly(taken(tasks.get(2)), taken(tasks.get(3)));
		assertThat(third).extracting(TaskDelivery::task).containsExactly(taken(tasks.get(4)));
		assertThat(this.backend.pop(QUEUE, 2, null)).isEmpty();
		for (Task<Object> task : tasks) {
			assertThat(record(task.getId())).isEqualTo(this.taskJson.write(taken(task)));
			assertThat(this.backend.cancel(QUEUE, task.getId())).isEmpty();
		}
		assertThat(this.redis.opsForStream().pending(RedisKeys.pending(QUEUE), "workers").getTotalPendingMessages())
			.isEqualTo(5);
	}

	@Test
	void storesTheOutcomeOfATaskClaimedWithItsReadOverTheRecordItMarked() {
		List<Task<Object>> tasks = List.of(task(1), task(2));
		this.backend.append(QUEUE, tasks, true);
		this.backend.pop(QUEUE, 1, null);
		TaskDelivery delivery = this.backend.pop(QUEUE, 1, null).get(0);
		Task<Object> completed = delivery.task()
			.mutate()
			.status(TaskStatus.COMPLETED)
			.result(2)
			.finishedAt(Task.now())
			.build();

		assertThat(this.backend.storeResults(QUEUE, List.of(new TaskDelivery(completed, delivery.deliveryId()))))
			.containsExactly(true);

		assertThat(this.backend.getTasks(QUEUE, List.of(completed.getId())).get(completed.getId()))
			.isEqualTo(completed);
		assertThat(this.redis.opsForStream().size(RedisKeys.pending(QUEUE))).isOne();
		assertThat(this.redis.opsForHash().hasKey(RedisKeys.pendingIds(QUEUE), completed.getId().toString())).isFalse();
	}

	@Test
	void keepsPythonsLayoutWhenItReadsAndClaimsABacklogInOneStep() {
		this.backend.append(QUEUE, List.of(task(0)), true);
		this.backend.pop(QUEUE, 1, null);
		String id = UUID.randomUUID().toString();
		String json = "{\"id\": \"" + id + "\", \"status\": \"pending\", \"exception\": null, \"result\": null, "
				+ "\"spec\": {\"func\": \"fxtasks:add\", \"args\": [1, 2.0], \"kwargs\": {}}}";
		queueAsPythonDoes(id, json);

		TaskDelivery delivery = this.backend.pop(QUEUE, 1, null).get(0);

		assertThat(delivery.task().getId()).hasToString(id);
		assertThat(delivery.task().getStatus()).isEqualTo(TaskStatus.PROCESSING);
		assertThat(delivery.task().getSpec().args()).containsExactly(1, 2.0);
		assertThat(record(UUID.fromString(id))).isEqualTo(json.replace("\"pending\"", "\"processing\""));
	}

	@Test
	void leavesATaskWhoseRecordChangedSinceItWasQueuedUnmarkedAndRunsItAsQueued() {
		List<Task<Object>> tasks = List.of(task(1), task(2));
		this.backend.append(QUEUE, tasks, true);
		this.backend.pop(QUEUE, 1, null);
		Task<Object> changed = tasks.get(1).mutate().status(TaskStatus.PENDING).retryCount(3).build();
		this.redis.opsForValue().set(RedisKeys.task(QUEUE, changed.getId()), this.taskJson.write(changed));

		List<TaskDelivery> taken = this.backend.pop(QUEUE, 1, null);

		assertThat(taken).extracting(TaskDelivery::task).containsExactly(taken(tasks.get(1)));
		assertThat(record(changed.getId())).isEqualTo(this.taskJson.write(changed));
	}

	@Test
	void doesNotRunATaskWhoseRecordFinishedOrIsGone() {
		List<Task<Object>> tasks = List.of(task(1), task(2), task(3));
		this.backend.append(QUEUE, tasks, true);
		this.backend.pop(QUEUE, 1, null);
		Task<Object> finished = tasks.get(1).mutate().status(TaskStatus.COMPLETED).finishedAt(Task.now()).build();
		this.redis.opsForValue().set(RedisKeys.task(QUEUE, finished.getId()), this.taskJson.write(finished));
		this.redis.delete(RedisKeys.task(QUEUE, tasks.get(2).getId()));

		assertThat(this.backend.pop(QUEUE, 2, null)).isEmpty();

		assertThat(record(finished.getId())).isEqualTo(this.taskJson.write(finished));
		assertThat(this.redis.opsForStream().size(RedisKeys.pending(QUEUE))).isOne();
		assertThat(this.redis.opsForStream().pending(RedisKeys.pending(QUEUE), "workers").getTotalPendingMessages())
			.isOne();
	}

	@Test
	void recordsATaskThatCannotBeReadAsFailedAndMovesAnEntryWithoutATaskAside() {
		this.backend.append(QUEUE, List.of(task(0)), true);
		this.backend.pop(QUEUE, 1, null);
		String invalid = UUID.randomUUID().toString();
		queueAsPythonDoes(invalid, "{\"id\":\"" + invalid + "\",\"status\":\"pending\",\"spec\":{\"args\":[]}}");
		this.redis.opsForStream()
			.add(StreamRecords.string(Map.of("payload", "x")).withStreamKey(RedisKeys.pending(QUEUE)));
		Task<Object> valid = task(3);
		this.backend.append(QUEUE, List.of(valid), true);

		List<TaskDelivery> taken = this.backend.pop(QUEUE, 3, null);

		assertThat(taken).extracting(TaskDelivery::task).containsExactly(taken(valid));
		Task<Object> failed = this.backend.getTasks(QUEUE, List.of(UUID.fromString(invalid)))
			.get(UUID.fromString(invalid));
		assertThat(failed.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(failed.getException().message()).contains("Required field 'spec.func' is missing");
		List<MapRecord<String, Object, Object>> dead = this.redis.opsForStream()
			.range(RedisKeys.dead(QUEUE), Range.unbounded());
		assertThat(dead).singleElement().satisfies((entry) -> assertThat(entry.getValue()).containsKey("reason"));
	}

	private void queueAsPythonDoes(String id, String json) {
		this.redis.opsForValue().set(RedisKeys.task(QUEUE, UUID.fromString(id)), json);
		String entry = this.redis.opsForStream()
			.add(StreamRecords.string(Map.of("data", json)).withStreamKey(RedisKeys.pending(QUEUE)))
			.getValue();
		this.redis.opsForHash().put(RedisKeys.pendingIds(QUEUE), id, entry);
	}

	private long commandCalls(String command) {
		Properties stats = this.redis.execute((RedisCallback<Properties>) (connection) -> connection.serverCommands()
			.info("commandstats"));
		String line = stats.getProperty("cmdstat_" + command);
		return (line != null) ? Long.parseLong(line.replaceAll("^calls=(\\d+),.*$", "$1")) : 0;
	}

	private String record(UUID id) {
		return this.redis.opsForValue().get(RedisKeys.task(QUEUE, id));
	}

	private static Task<Object> task(int number) {
		return Task.builder(TaskSpec.of("tests:run", number)).build();
	}

}
