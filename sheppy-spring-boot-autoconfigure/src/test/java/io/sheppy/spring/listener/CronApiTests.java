package io.sheppy.spring.listener;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.StringRedisTemplate;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.core.SheppyFixtures;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskConfig;
import io.sheppy.spring.core.TaskCron;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.queue.TaskQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end tests of crons added through {@link TaskQueue} on a real Redis: how they are stored (as Python Sheppy
 * stores them, under Python's ids), how duplicates and bad expressions are answered, and that a worker runs them, and
 * runs a cron that Python stored, with the ids Python gives to its runs.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
class CronApiTests {

	private static final String QUEUE = "crons-api";

	private static final String CRONS_KEY = "sheppy:cron:" + QUEUE;

	private static final Duration TIMEOUT = Duration.ofSeconds(15);

	static final CronRuns runs = new CronRuns();

	private ConfigurableApplicationContext worker;

	private TaskQueue taskQueue;

	private StringRedisTemplate redis;

	@BeforeEach
	void startWorker(RedisServer server) {
		runs.clear();
		this.worker = WorkerApplications.start(server, CronApplication.class, "sheppy.queue=" + QUEUE,
				"sheppy.redis.consumer-name=worker-a", "sheppy.worker.poll-timeout=250ms",
				"sheppy.worker.cron-interval=1s");
		this.taskQueue = this.worker.getBean(TaskQueue.class);
		this.redis = this.worker.getBean(StringRedisTemplate.class);
	}

	@AfterEach
	void stopWorker() {
		this.worker.close();
	}

	@Test
	void addCronAddsACronOnceInPythonsJsonAndDeleteCronDeletesItOnce() {
		Task<Object> task = this.taskQueue.task("fxtasks:add").args(5, 5).build();

		assertThat(this.taskQueue.addCron(task, "*/5 * * * *")).isTrue();
		assertThat(this.taskQueue.addCron(task, "*/5 * * * *")).isFalse();
		assertThat(this.taskQueue.addCron(this.taskQueue.task("fxtasks:add").args(5, 5).build(), "*/5 * * * *"))
			.as("another task with the same name, arguments and config").isFalse();

		List<TaskCron> crons = this.taskQueue.getCrons();
		assertThat(crons).hasSize(1);
		TaskCron cron = crons.get(0);
		assertThat(cron.expression()).isEqualTo("*/5 * * * *");
		assertThat(cron.spec()).isEqualTo(task.getSpec());
		assertThat(cron.config()).isEqualTo(TaskConfig.DEFAULT);
		assertThat(cron.managedBy()).isNull();
		assertThat(cron.zone()).isNull();
		Map<String, String> stored = storedCrons();
		assertThat(stored).containsOnlyKeys(cron.deterministicId().toString());
		JsonNode json = SheppyFixtures.parse(stored.get(cron.deterministicId().toString()));
		JsonNode python = SheppyFixtures.tree("crons-stored.json").get(0);
		assertThat(fieldNames(json)).containsExactly("id", "expression", "spec", "config", "managed_by")
			.containsExactlyElementsOf(fieldNames(python));
		assertThat(shape(json)).isEqualTo(shape(python));
		assertThat(json.get("id").stringValue()).isEqualTo(cron.id().toString());
		// the same spec, config and expression as the cron Python stored: all but the random id is equal
		assertThat(withoutId(json)).isEqualTo(withoutId(python));

		assertThat(this.taskQueue.deleteCron(task, "*/5 * * * *")).isTrue();
		assertThat(this.taskQueue.deleteCron(task, "*/5 * * * *")).isFalse();
		assertThat(this.taskQueue.getCrons()).isEmpty();
		assertThat(this.redis.hasKey(CRONS_KEY)).isFalse();
	}

	@Test
	void theFixtureCronsAddedFromJavaAreStoredUnderPythonsDeterministicIds() {
		TaskJson taskJson = new TaskJson();
		List<String> expected = new ArrayList<>();
		for (JsonNode example : SheppyFixtures.tree("cron-ids.json")) {
			ObjectNode definition = ((ObjectNode) example).deepCopy();
			definition.put("id", UUID.randomUUID().toString());
			TaskCron fixture = taskJson.readCron(SheppyFixtures.write(definition));
			Task<Object> task = this.taskQueue.task(fixture.spec().func())
				.args(fixture.spec().args().toArray())
				.kwargs(fixture.spec().kwargs())
				.config(fixture.config())
				.build();

			assertThat(this.taskQueue.addCron(task, fixture.expression())).as(fixture.expression()).isTrue();
			expected.add(example.get("deterministic_id").stringValue());
		}

		assertThat(storedCrons()).containsOnlyKeys(expected);
	}

	@Test
	void aCronWithAZoneIsAnotherCronAndIsStoredWithItsZone() {
		Task<Object> task = this.taskQueue.task("fxtasks:add").args(5, 5).build();
		ZoneId berlin = ZoneId.of("Europe/Berlin");

		assertThat(this.taskQueue.addCron(task, "0 9 * * *", berlin)).isTrue();
		assertThat(this.taskQueue.addCron(task, "0 9 * * *", berlin)).isFalse();
		assertThat(this.taskQueue.addCron(task, "0 9 * * *")).isTrue();

		Map<ZoneId, TaskCron> byZone = new LinkedHashMap<>();
		this.taskQueue.getCrons().forEach((cron) -> byZone.put((cron.zone() != null) ? cron.zone() : null, cron));
		assertThat(byZone).hasSize(2).containsKeys(berlin, null);
		UUID zoned = byZone.get(berlin).deterministicId();
		UUID utc = byZone.get(null).deterministicId();
		assertThat(zoned).isNotEqualTo(utc);
		assertThat(utc).isEqualTo(PythonCronIds.uuid5("{\"func\":\"fxtasks:add\",\"args\":[5,5],\"kwargs\":{}}"
				+ "{\"retry\":0,\"retry_delay\":1.0,\"timeout\":null,\"retry_on_timeout\":false,"
				+ "\"retry_on_crash\":false,\"rate_limit\":null,\"ttl\":\"inherit\",\"error_ttl\":\"inherit\"}"
				+ "0 9 * * *"));
		Map<String, String> stored = storedCrons();
		assertThat(stored).containsOnlyKeys(zoned.toString(), utc.toString());
		assertThat(SheppyFixtures.parse(stored.get(zoned.toString())).get("zone").stringValue())
			.isEqualTo("Europe/Berlin");
		assertThat(fieldNames(SheppyFixtures.parse(stored.get(utc.toString())))).doesNotContain("zone");

		assertThat(this.taskQueue.deleteCron(task, "0 9 * * *")).isTrue();
		assertThat(this.taskQueue.getCrons()).extracting(TaskCron::zone).containsExactly(berlin);
		assertThat(this.taskQueue.deleteCron(task, "0 9 * * *", berlin)).isTrue();
		assertThat(this.taskQueue.getCrons()).isEmpty();
	}

	@Test
	void anInvalidExpressionIsRefusedWithAMessageThatNamesTheProblem() {
		Task<Object> task = this.taskQueue.task("fxtasks:add").args(5, 5).build();

		assertThatIllegalArgumentException().isThrownBy(() -> this.taskQueue.addCron(task, "61 * * * *"))
			.withMessageContaining("'61 * * * *'")
			.withMessageContaining("61");
		assertThatIllegalArgumentException().isThrownBy(() -> this.taskQueue.addCron(task, "* * *"))
			.withMessageContaining("expected 5 fields")
			.withMessageContaining("found 3");
		assertThatIllegalArgumentException().isThrownBy(() -> this.taskQueue.addCron(task, "@fortnightly"))
			.withMessageContaining("unknown macro '@fortnightly'");
		assertThatIllegalArgumentException().isThrownBy(() -> this.taskQueue.deleteCron(task, "0 0 30 2 *"))
			.withMessageContaining("never fires");
		assertThat(this.taskQueue.getCrons()).isEmpty();
		assertThat(this.redis.hasKey(CRONS_KEY)).isFalse();
	}

	@Test
	void aCronAddedThroughTheApiRunsWithItsArgumentsOncePerFireTime() {
		Task<Object> task = this.taskQueue.task("fxtasks:add").args(2, 3).build();
		assertThat(this.taskQueue.addCron(task, "* * * * * */1")).isTrue();
		TaskCron cron = this.taskQueue.getCrons().get(0);
		UUID cronId = cron.deterministicId();

		await().atMost(TIMEOUT).until(() -> runs.fireTimes(cronId).size() >= 4);
		assertThat(this.taskQueue.deleteCron(task, "* * * * * */1")).isTrue();

		List<CronRuns.Run> ran = runs.of(cronId);
		CronRuns.assertOneRunPerFireTime(ran, Duration.ofSeconds(1), 4);
		for (CronRuns.Run run : ran) {
			assertThat(run.args()).containsExactly(2, 3);
			assertThat(run.taskId()).isEqualTo(cron.instanceTaskId(run.scheduledAt()))
				.isEqualTo(PythonCronIds.instanceTaskId(cronId, run.scheduledAt()));
			Task<Object> done = this.taskQueue.waitFor(this.taskQueue.getTask(run.taskId()).orElseThrow(), TIMEOUT);
			assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(done.getResult()).isEqualTo(5);
			assertThat(done.getCronId()).isEqualTo(cronId);
			assertThat(done.getScheduledAt()).isEqualTo(run.scheduledAt());
		}
	}

	@Test
	void aCronStoredByPythonRunsOnAJavaWorkerWithTheRunIdsPythonGivesThem() {
		JsonNode example = SheppyFixtures.tree("cron-ids.json").get(0);
		String fixtureExpression = example.get("expression").stringValue();
		String idInput = example.get("id_input").stringValue();
		// the helper that stands in for Python here gives Python's ids for the fixture
		UUID fixtureId = UUID.fromString(example.get("deterministic_id").stringValue());
		assertThat(PythonCronIds.uuid5(idInput)).isEqualTo(fixtureId);
		assertThat(PythonCronIds.instanceTaskId(fixtureId, Instant.parse(example.get("fire_time").stringValue())))
			.isEqualTo(UUID.fromString(example.get("instance_task_id").stringValue()));
		// the cron Python stored in the fixture, made to fire every second
		String expression = "* * * * * */1";
		String pythonJson = SheppyFixtures.tree("redis-after-enqueue.json")
			.get("keys")
			.get("sheppy:cron:fixtures")
			.get("value")
			.get(fixtureId.toString())
			.stringValue()
			.replace("\"expression\": \"" + fixtureExpression + "\"", "\"expression\": \"" + expression + "\"");
		assertThat(pythonJson).contains("\"expression\": \"* * * * * */1\", \"spec\": {\"func\": \"fxtasks:add\"");
		UUID cronId = PythonCronIds
			.uuid5(idInput.substring(0, idInput.length() - fixtureExpression.length()) + expression);

		this.redis.opsForHash().put(CRONS_KEY, cronId.toString(), pythonJson);

		await().atMost(TIMEOUT).until(() -> runs.fireTimes(cronId).size() >= 4);
		TaskCron cron = this.taskQueue.getCrons().get(0);
		assertThat(cron.id()).isEqualTo(UUID.fromString("3f3f120e-ad78-4b34-ae4a-2d117e9e5542"));
		assertThat(cron.deterministicId()).isEqualTo(cronId);
		assertThat(this.taskQueue.deleteCron(this.taskQueue.task("fxtasks:add").args(5, 5).build(), expression))
			.as("Java finds the cron Python stored").isTrue();
		assertThat(storedCrons()).isEmpty();

		List<CronRuns.Run> ran = runs.of(cronId);
		assertThat(runs.all()).hasSameSizeAs(ran);
		CronRuns.assertOneRunPerFireTime(ran, Duration.ofSeconds(1), 4);
		for (CronRuns.Run run : ran) {
			assertThat(run.taskId()).isEqualTo(PythonCronIds.instanceTaskId(cronId, run.scheduledAt()))
				.isEqualTo(cron.instanceTaskId(run.scheduledAt()));
			assertThat(run.args()).containsExactly(5, 5);
		}
		CronRuns.Run first = ran.get(0);
		this.taskQueue.waitFor(this.taskQueue.getTask(first.taskId()).orElseThrow(), TIMEOUT);
		JsonNode record = SheppyFixtures
			.parse(this.redis.opsForValue().get("sheppy:tasks:" + QUEUE + ":" + first.taskId()));
		assertThat(record.get("id").stringValue()).isEqualTo(first.taskId().toString());
		assertThat(record.get("cron_id").stringValue()).isEqualTo(cronId.toString());
		assertThat(Instant.parse(record.get("scheduled_at").stringValue())).isEqualTo(first.scheduledAt());
		assertThat(record.get("spec")).isEqualTo(SheppyFixtures.parse(pythonJson).get("spec"));
		assertThat(record.get("config")).isEqualTo(SheppyFixtures.parse(pythonJson).get("config"));
		assertThat(record.get("status").stringValue()).isEqualTo("completed");
		assertThat(record.get("result").intValue()).isEqualTo(10);
	}

	private Map<String, String> storedCrons() {
		Map<String, String> crons = new LinkedHashMap<>();
		this.redis.<String, String>opsForHash().entries(CRONS_KEY).forEach(crons::put);
		return crons;
	}

	private static JsonNode withoutId(JsonNode node) {
		ObjectNode copy = ((ObjectNode) node).deepCopy();
		copy.remove("id");
		return copy;
	}

	private static List<String> fieldNames(JsonNode node) {
		List<String> names = new ArrayList<>();
		Iterator<String> iterator = node.propertyNames().iterator();
		iterator.forEachRemaining(names::add);
		return names;
	}

	/**
	 * Return the field names and JSON types of a tree, without its values.
	 */
	private static Object shape(JsonNode node) {
		if (node.isObject()) {
			Map<String, Object> fields = new LinkedHashMap<>();
			node.properties().forEach((field) -> fields.put(field.getKey(), shape(field.getValue())));
			return fields;
		}
		if (node.isArray()) {
			List<Object> elements = new ArrayList<>();
			node.forEach((element) -> elements.add(shape(element)));
			return elements;
		}
		return node.getNodeType() + (node.isIntegralNumber() ? " (integral)" : "");
	}

	static class FixtureTasks {

		@SheppyTask("fxtasks:add")
		int add(Task<?> task, int a, int b) {
			runs.record(task, "worker-a", a, b);
			return a + b;
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(FixtureTasks.class)
	static class CronApplication {

	}

}
