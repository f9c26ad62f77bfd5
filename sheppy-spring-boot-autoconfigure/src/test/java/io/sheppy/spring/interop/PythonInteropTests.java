package io.sheppy.spring.interop;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import io.sheppy.spring.test.redis.RedisServerTestConfiguration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.dao.DataAccessException;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamInfo.XInfoGroup;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.annotation.DirtiesContext;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.core.SheppyFixtures;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.queue.TaskBuilder;
import io.sheppy.spring.queue.TaskQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end tests of the wire compatibility with Python Sheppy 0.0.7 on a real Redis: a task written with the Redis
 * commands and the JSON that Python Sheppy uses runs on a Java worker and is stored as a Python reader expects it, and
 * a task added by Java is queued exactly as Python queues it. The reference is the golden data recorded from Python.
 *
 * @author Sheppy for Spring
 */
@SpringBootTest(classes = PythonInteropTests.WorkerApplication.class, properties = "sheppy.queue=" + PythonInteropTests.QUEUE)
@DirtiesContext
class PythonInteropTests {

	static final String QUEUE = "interop";

	private static final Pattern PYTHON_DATETIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z");

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@Autowired
	private StringRedisTemplate redis;

	@Autowired
	private TaskQueue taskQueue;

	@ParameterizedTest
	@CsvSource({ "add, 3", "add_kwargs, 7" })
	void aTaskQueuedByPythonRunsOnAJavaWorkerAndIsStoredAsPythonStoresIt(String fixture, int expectedResult) {
		JsonNode created = SheppyFixtures.tree("tasks-created.json").get(fixture);
		String fixtureId = created.get("id").stringValue();
		String id = UUID.randomUUID().toString();
		// the exact bytes Python wrote for this task, with its ", " and ": " separators
		String json = SheppyFixtures.tree("redis-after-enqueue.json")
			.get("keys")
			.get("sheppy:tasks:fixtures:" + fixtureId)
			.get("value")
			.stringValue()
			.replace(fixtureId, id);
		assertThat(json).contains("\"spec\": {\"func\": \"fxtasks:add\", ");
		assertThat(SheppyFixtures.parse(json)).isEqualTo(withId(created, id));
		long completedBefore = completedCount();

		enqueueAsPythonDoes(id, json);

		MapRecord<String, Object, Object> notification = await().atMost(TIMEOUT)
			.until(() -> finishedNotification(id), Optional::isPresent)
			.orElseThrow();
		assertThat(notification.getValue()).containsOnlyKeys("task_id");
		JsonNode stored = SheppyFixtures.parse(this.redis.opsForValue().get(taskKey(QUEUE, id)));
		JsonNode expected = SheppyFixtures.tree("tasks-finished.json").get(fixture);
		assertSameLayout(stored, expected, Set.of("id", "finished_at"), "");
		assertThat(stored.get("id").stringValue()).isEqualTo(id);
		assertThat(stored.get("status").stringValue()).isEqualTo("completed");
		assertThat(stored.get("result").isInt()).isTrue();
		assertThat(stored.get("result").intValue()).isEqualTo(expectedResult);
		assertThat(stored.get("finished_at").stringValue()).matches(PYTHON_DATETIME);
		assertThat(completedCount()).isEqualTo(completedBefore + 1);
		assertThat(this.redis.opsForStream().size(pendingKey(QUEUE))).isZero();
		assertThat(this.redis.opsForStream().pending(pendingKey(QUEUE), "workers").getTotalPendingMessages()).isZero();
	}

	@ParameterizedTest
	@CsvSource({ "add, 0", "add_kwargs, 1" })
	void aTaskAddedByJavaIsQueuedAsPythonQueuesIt(String fixture, int fixtureEntry) {
		String queue = "python-" + fixture;
		TaskBuilder<Object> builder = this.taskQueue.queue(queue).task("fxtasks:add");
		builder = fixture.equals("add") ? builder.args(1, 2) : builder.kwarg("x", 3).kwarg("y", 4);
		Task<Integer> task = builder.resultType(Integer.class).build();

		assertThat(this.taskQueue.add(task)).isTrue();

		List<MapRecord<String, Object, Object>> entries = this.redis.opsForStream()
			.range(pendingKey(queue), Range.unbounded());
		assertThat(entries).hasSize(1);
		MapRecord<String, Object, Object> entry = entries.get(0);
		assertThat(entry.getValue()).containsOnlyKeys("data");
		JsonNode data = SheppyFixtures.parse((String) entry.getValue().get("data"));
		JsonNode pythonEntry = SheppyFixtures.tree("redis-after-enqueue.json")
			.get("keys")
			.get("sheppy:pending:fixtures")
			.get("value")
			.get(fixtureEntry)
			.get(1)
			.get("data");
		JsonNode expected = SheppyFixtures.parse(pythonEntry.stringValue());
		assertSameLayout(data, expected, Set.of("id", "created_at"), "");
		assertThat(data.get("id").stringValue()).isEqualTo(task.getId().toString());
		assertThat(data.get("created_at").stringValue()).matches(PYTHON_DATETIME);
		assertThat(SheppyFixtures.parse(this.redis.opsForValue().get(taskKey(queue, task.getId().toString()))))
			.isEqualTo(data);
		assertThat(this.redis.opsForHash().get("sheppy:pending_ids:" + queue, task.getId().toString()))
			.isEqualTo(entry.getId().getValue());
		assertThat(this.redis.opsForHash().get("sheppy:_queues", queue)).isEqualTo("{}");
		List<XInfoGroup> groups = new ArrayList<>();
		this.redis.opsForStream().groups(pendingKey(queue)).forEach(groups::add);
		assertThat(groups).singleElement().satisfies((group) -> {
			assertThat(group.groupName()).isEqualTo("workers");
			assertThat(group.lastDeliveredId()).isEqualTo("0-0");
		});
	}

	/**
	 * Write a task with the commands of Python Sheppy's {@code RedisBackend.append}: the consumer group, the record
	 * (SET NX), the registry of queues, the stream entry and the index of unclaimed entries.
	 */
	private void enqueueAsPythonDoes(String id, String json) {
		byte[] stream = pendingKey(QUEUE).getBytes(StandardCharsets.UTF_8);
		this.redis.execute((RedisCallback<Object>) (connection) -> {
			try {
				connection.streamCommands().xGroupCreate(stream, "workers", ReadOffset.from("0"), true);
			}
			catch (DataAccessException ex) {
				assertThat(ex.getMostSpecificCause()).hasMessageContaining("BUSYGROUP");
			}
			return null;
		});
		assertThat(this.redis.opsForValue().setIfAbsent(taskKey(QUEUE, id), json)).isTrue();
		this.redis.opsForHash().putIfAbsent("sheppy:_queues", QUEUE, "{}");
		RecordId entry = this.redis.opsForStream()
			.add(StreamRecords.string(Map.of("data", json)).withStreamKey(pendingKey(QUEUE)));
		this.redis.opsForHash().put("sheppy:pending_ids:" + QUEUE, id, entry.getValue());
	}

	private Optional<MapRecord<String, Object, Object>> finishedNotification(String id) {
		List<MapRecord<String, Object, Object>> entries = this.redis.opsForStream()
			.range("sheppy:finished:" + QUEUE, Range.unbounded());
		return entries.stream().filter((entry) -> id.equals(entry.getValue().get("task_id"))).findFirst();
	}

	private long completedCount() {
		String count = this.redis.opsForValue().get("sheppy:completed:" + QUEUE);
		return (count != null) ? Long.parseLong(count) : 0;
	}

	/**
	 * Assert that two JSON trees have the same field names in the same order and values of the same JSON types (an
	 * integer is not a float), and equal values except in the named fields.
	 */
	private static void assertSameLayout(JsonNode actual, JsonNode expected, Set<String> ignoredValues, String path) {
		String where = path.isEmpty() ? "the task" : path;
		assertThat(actual.getNodeType()).as("type of %s", where).isEqualTo(expected.getNodeType());
		if (expected.isObject()) {
			assertThat(actual.propertyNames()).as("fields of %s", where)
				.containsExactlyElementsOf(expected.propertyNames());
			for (String name : expected.propertyNames()) {
				String child = path.isEmpty() ? name : path + "." + name;
				if (ignoredValues.contains(child)) {
					assertThat(actual.get(name).getNodeType()).as("type of %s", child)
						.isEqualTo(expected.get(name).getNodeType());
				}
				else {
					assertSameLayout(actual.get(name), expected.get(name), ignoredValues, child);
				}
			}
		}
		else if (expected.isArray()) {
			assertThat(actual.size()).as("size of %s", where).isEqualTo(expected.size());
			for (int i = 0; i < expected.size(); i++) {
				assertSameLayout(actual.get(i), expected.get(i), ignoredValues, path + "[" + i + "]");
			}
		}
		else {
			assertThat(actual.isIntegralNumber()).as("%s is an integer", where).isEqualTo(expected.isIntegralNumber());
			assertThat(actual.isFloatingPointNumber()).as("%s is a float", where)
				.isEqualTo(expected.isFloatingPointNumber());
			assertThat(actual).as("value of %s", where).isEqualTo(expected);
		}
	}

	private static JsonNode withId(JsonNode task, String id) {
		ObjectNode copy = (ObjectNode) task.deepCopy();
		copy.put("id", id);
		return copy;
	}

	private static String taskKey(String queue, String id) {
		return "sheppy:tasks:" + queue + ":" + id;
	}

	private static String pendingKey(String queue) {
		return "sheppy:pending:" + queue;
	}

	/**
	 * The Java side of Python's {@code fxtasks.add}.
	 */
	static class FxTasks {

		@SheppyTask(name = "fxtasks:add")
		int add(int x, int y) {
			return x + y;
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ RedisServerTestConfiguration.class, FxTasks.class })
	static class WorkerApplication {

	}

}
