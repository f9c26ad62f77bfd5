package io.sheppy.spring.core;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link TaskJsonReader}: whatever it reads, it reads as the tree reader of {@link TaskJson} does, and what
 * it is not sure of it leaves to the tree reader.
 *
 * @author Sheppy for Spring
 */
class TaskJsonReaderTests {

	private final TaskJsonReader reader = new TaskJsonReader(JsonMapper.builder().build());

	private final TaskJson json = new TaskJson();

	@ParameterizedTest(name = "{0}")
	@MethodSource("io.sheppy.spring.core.TaskJsonFixtureTests#fixtureTasks")
	void readsEveryTaskThatPythonWroteWithoutAnExceptionAsTheTreeReaderDoes(JsonNode fixture) {
		String written = SheppyFixtures.write(fixture);
		Task<Object> task = this.reader.read(bytes(written));
		if (fixture.path("exception").isNull()) {
			assertThat(task).isNotNull();
			assertSameTask(task, this.json.read(written));
		}
		else {
			assertThat(task).isNull();
		}
	}

	@Test
	void readsTasksWithEveryKindOfValueAndConfigAsTheTreeReaderDoes() {
		Map<String, Object> nested = new LinkedHashMap<>();
		nested.put("list", Arrays.asList(1, 2.5, "x", null, true, List.of()));
		nested.put("map", Map.of("deep", Map.of("deeper", -7)));
		List<Task<Object>> tasks = List.of(
				Task.builder(TaskSpec.of("tests:none")).build(),
				Task.builder(new TaskSpec("tests:values", Arrays.asList(1, 3_000_000_000L,
						new BigInteger("123456789012345678901234567890"), 0.1, -2.0, "\u00e9t\u00e9 \u2603", "\"quoted\"",
						null, false, nested), nested)).build(),
				Task.builder(TaskSpec.of("tests:config"))
					.config(TaskConfig.DEFAULT.withRetry(3)
						.withRetryDelay(RetryDelay.of(List.of(1.0, 2.5, 10.0)))
						.withTimeout(Duration.ofMillis(1500))
						.withRetryOnTimeout(true)
						.withRetryOnCrash(true)
						.withRateLimit(new RateLimit(5, 1.5))
						.withTtl(Ttl.ofSeconds(60))
						.withErrorTtl(Ttl.NEVER))
					.build(),
				Task.builder(TaskSpec.of("tests:state", 1))
					.status(TaskStatus.RETRYING)
					.result(Map.of("sum", 3))
					.createdAt(Instant.parse("2026-01-02T03:04:05.123456Z"))
					.scheduledAt(Instant.parse("2026-01-02T03:05:00Z"))
					.retryCount(2)
					.lastRetryAt(Instant.parse("2026-01-02T03:04:06Z"))
					.nextRetryAt(Instant.parse("2026-01-02T03:04:09.5Z"))
					.workflowId(UUID.randomUUID())
					.cronId(UUID.randomUUID())
					.build(),
				Task.builder(TaskSpec.of("tests:done"))
					.status(TaskStatus.COMPLETED)
					.result(List.of("a", 1))
					.finishedAt(Instant.parse("2026-01-02T03:04:07Z"))
					.config(TaskConfig.DEFAULT.withRetryDelay(RetryDelay.of(0.5)).withTtl(Ttl.INHERIT))
					.build());
		for (Task<Object> task : tasks) {
			byte[] written = this.json.writeBytes(task);
			Task<Object> read = this.reader.read(written);
			assertThat(read).as(new String(written, StandardCharsets.UTF_8)).isNotNull();
			assertSameTask(read, this.json.read(new String(written, StandardCharsets.UTF_8)));
			assertThat(read).isEqualTo(task);
		}
	}

	@Test
	void readsTheLastOfTwoEqualFieldsAsTheTreeReaderDoes() {
		String written = "{\"id\":\"" + UUID.randomUUID() + "\",\"status\":\"new\",\"status\":\"pending\","
				+ "\"created_at\":\"2026-01-02T03:04:05.000001Z\","
				+ "\"spec\":{\"func\":\"a\",\"args\":[1],\"args\":[2],\"kwargs\":{\"x\":1,\"y\":2,\"x\":3}},\"x\":[{}]}";
		Task<Object> read = this.reader.read(bytes(written));
		assertThat(read).isNotNull();
		assertSameTask(read, this.json.read(written));
		assertThat(read.getStatus()).isEqualTo(TaskStatus.PENDING);
		assertThat(read.getSpec().args()).containsExactly(2);
	}

	@ParameterizedTest
	@ValueSource(strings = { "{\"status\":\"new\",\"spec\":{\"func\":\"a\"}}", "{\"id\":\"not a uuid\",\"spec\":{\"func\":\"a\"}}",
			"{\"id\":\"ID\",\"spec\":{\"func\":\"\"}}", "{\"id\":\"ID\",\"spec\":{\"func\":\"a\"},\"status\":\"odd\"}",
			"{\"id\":\"ID\",\"spec\":{\"func\":\"a\"},\"created_at\":\"yesterday\"}",
			"{\"id\":\"ID\",\"spec\":{\"func\":\"a\"},\"config\":{\"retry\":2.0}}",
			"{\"id\":\"ID\",\"spec\":{\"func\":\"a\"},\"config\":{\"retry\":-1}}",
			"{\"id\":\"ID\",\"spec\":{\"func\":\"a\"},\"config\":{\"ttl\":60.0}}",
			"{\"id\":\"ID\",\"spec\":{\"func\":\"a\"},\"config\":{\"retry_delay\":[]}}",
			"{\"id\":\"ID\",\"spec\":{\"func\":\"a\"},\"config\":{\"rate_limit\":{\"max_rate\":1}}}",
			"{\"id\":\"ID\",\"spec\":{\"func\":\"a\"},\"exception\":{\"type\":\"E\"}}",
			"{\"id\":\"ID\",\"spec\":{\"func\":\"a\",\"args\":{}}}", "{\"id\":\"ID\",\"spec\":{\"func\":\"a\"}} []",
			"{\"id\":\"ID\",\"spec\":{\"func\":\"a\"}", "[]", "" })
	void leavesWhatItIsNotSureOfToTheTreeReader(String template) {
		String written = template.replace("ID", UUID.randomUUID().toString());
		assertThat(this.reader.read(bytes(written))).isNull();
	}

	@Test
	void taskJsonGivesTheTreeReadersErrorForWhatTheReaderLeaves() {
		String written = "{\"id\":\"" + UUID.randomUUID() + "\",\"spec\":{\"func\":\"a\"},\"config\":{\"retry\":\"x\"}}";
		assertThatExceptionOfType(InvalidTaskException.class).isThrownBy(() -> this.json.read(bytes(written)))
			.withMessage("Field 'config.retry' must be an integer but was \"x\"");
	}

	private static void assertSameTask(Task<Object> actual, Task<Object> expected) {
		assertThat(actual).isEqualTo(expected);
		assertThat(actual.getSpec().args()).containsExactlyElementsOf(expected.getSpec().args());
		assertThat(actual.getSpec().kwargs()).containsExactlyEntriesOf(expected.getSpec().kwargs());
		assertThat(actual.getResult()).isEqualTo(expected.getResult());
		if (actual.getResult() != null) {
			assertThat(actual.getResult().getClass()).isEqualTo(expected.getResult().getClass());
		}
		for (int i = 0; i < actual.getSpec().args().size(); i++) {
			Object arg = actual.getSpec().args().get(i);
			Object expectedArg = expected.getSpec().args().get(i);
			assertThat((arg != null) ? arg.getClass() : null)
				.isEqualTo((expectedArg != null) ? expectedArg.getClass() : null);
		}
	}

	private static byte[] bytes(String json) {
		return json.getBytes(StandardCharsets.UTF_8);
	}

}
