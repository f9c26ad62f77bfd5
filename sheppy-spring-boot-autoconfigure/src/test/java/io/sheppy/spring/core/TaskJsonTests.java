package io.sheppy.spring.core;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link TaskJson}: leniency where Python Sheppy is lenient, errors that name the field otherwise.
 */
class TaskJsonTests {

	private final TaskJson json = new TaskJson();

	@Test
	void unknownFieldsAreIgnored() {
		ObjectNode task = fixtureTask();
		task.put("trace_headers", "x");
		((ObjectNode) task.get("config")).put("future_option", 1);
		((ObjectNode) task.get("spec")).putArray("middleware");
		Task<Object> read = this.json.read(SheppyFixtures.write(task));
		assertThat(read.getId()).isEqualTo(UUID.fromString("b8856b8b-88f2-4f90-8b63-c67bed0a850a"));
		assertThat(read.getSpec().args()).containsExactly(1, 2);
	}

	@Test
	void absentOptionalFieldsTakePythonsDefaults() {
		Task<Object> read = this.json.read("{\"id\": \"b8856b8b-88f2-4f90-8b63-c67bed0a850a\", "
				+ "\"spec\": {\"func\": \"fxtasks:add\"}}");
		assertThat(read.getStatus()).isEqualTo(TaskStatus.NEW);
		assertThat(read.getConfig()).isEqualTo(TaskConfig.DEFAULT);
		assertThat(read.getSpec().args()).isEmpty();
		assertThat(read.getSpec().kwargs()).isEmpty();
		assertThat(read.getRetryCount()).isZero();
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "id", "spec", "spec.func" })
	void missingRequiredFieldIsNamed(String field) {
		ObjectNode task = fixtureTask();
		remove(task, field);
		assertThatExceptionOfType(InvalidTaskException.class).isThrownBy(() -> this.json.read(SheppyFixtures.write(task)))
			.withMessage("Required field '" + field + "' is missing")
			.satisfies((ex) -> assertThat(ex.getField()).isEqualTo(field));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			value = { "id|\"not-a-uuid\"|a UUID", "status|\"bogus\"|one of new, pending", "status|3|a string",
					"retry_count|\"many\"|an integer", "retry_count|1.5|an integer", "created_at|\"yesterday\"|an ISO-8601 datetime",
					"spec.args|5|a list", "spec.kwargs|[1]|an object", "spec.func|7|a string", "config.retry|\"x\"|an integer",
					"config.retry_delay|\"soon\"|a number or a non-empty list of numbers",
					"config.retry_delay|[]|a number or a non-empty list of numbers", "config.timeout|\"long\"|a number",
					"config.retry_on_crash|\"yes\"|true or false", "config.ttl|\"forever\"|a positive whole number",
					"config.rate_limit.max_rate|\"two\"|an integer" })
	void fieldOfTheWrongTypeIsNamed(String field, String value, String expected) {
		ObjectNode task = fixtureTask();
		if (field.startsWith("config.rate_limit")) {
			((ObjectNode) task.get("config")).putObject("rate_limit").put("rate_period", 5.0);
		}
		set(task, field, SheppyFixtures.parse(value));
		assertThatExceptionOfType(InvalidTaskException.class).isThrownBy(() -> this.json.read(SheppyFixtures.write(task)))
			.withMessageContaining("'" + field + "'")
			.withMessageContaining(expected)
			.satisfies((ex) -> assertThat(ex.getField()).isEqualTo(field));
	}

	@Test
	void utf8BytesReadAsTheTextTheyEncodeAndWrittenBytesAreTheWrittenText() {
		Task<Object> task = Task.builder(TaskSpec.of("tests:greet", "Zürich ☃", 3)).build();

		byte[] bytes = this.json.writeBytes(task);

		assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(this.json.write(task));
		assertThat(this.json.read(bytes)).isEqualTo(this.json.read(this.json.write(task))).isEqualTo(task);
	}

	@Test
	void bytesThatAreNotUtf8AreReadAsTextWithReplacementCharacters() {
		String text = this.json.write(Task.builder(TaskSpec.of("tests:greet", "AB")).build());
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		int at = text.indexOf("AB");
		bytes[at] = (byte) 0xFF;

		Task<Object> read = this.json.read(bytes);

		assertThat(read.getSpec().args()).containsExactly("\uFFFDB");
	}

	@Test
	void malformedJsonIsReportedAsSuch() {
		assertThatExceptionOfType(InvalidTaskException.class).isThrownBy(() -> this.json.read("{\"id\": "))
			.withMessageStartingWith("Malformed task JSON");
		assertThatExceptionOfType(InvalidTaskException.class).isThrownBy(() -> this.json.read("[1, 2]"))
			.withMessageContaining("must be a JSON object");
	}

	@Test
	void datetimesWithAnOffsetOrWithoutOneAreReadAsUtc() {
		ObjectNode task = fixtureTask();
		task.put("created_at", "2026-11-26T20:16:24.713947+01:00");
		task.put("finished_at", "2026-11-26T19:16:25");
		Task<Object> read = this.json.read(SheppyFixtures.write(task));
		assertThat(read.getCreatedAt()).isEqualTo(Instant.parse("2026-11-26T19:16:24.713947Z"));
		assertThat(read.getFinishedAt()).isEqualTo(Instant.parse("2026-11-26T19:16:25Z"));
		JsonNode written = SheppyFixtures.parse(this.json.write(read));
		assertThat(written.get("created_at").stringValue()).isEqualTo("2026-11-26T19:16:24.713947Z");
		assertThat(written.get("finished_at").stringValue()).isEqualTo("2026-11-26T19:16:25Z");
	}

	@Test
	void resultOfAUserTypeIsWrittenWithTheValueMapper() {
		record Point(int x, int y) {
		}
		Task<Object> task = Task.builder(TaskSpec.of("geo:point", 1, 2)).result(new Point(1, 2)).build();
		Task<Object> read = this.json.read(this.json.write(task));
		assertThat(read.getResult()).isEqualTo(Map.of("x", 1, "y", 2));
		assertThat(read.getSpec().args()).isEqualTo(List.of(1, 2));
	}

	@Test
	void exceptionOfAJavaFailureIsRecordedWithTypeModuleMessageArgsAndTraceback() {
		TaskException exception = TaskException.of(new IllegalStateException("boom"));
		assertThat(exception.type()).isEqualTo("IllegalStateException");
		assertThat(exception.module()).isEqualTo("java.lang");
		assertThat(exception.message()).isEqualTo("boom");
		assertThat(exception.args()).containsExactly("boom");
		assertThat(exception.traceback()).startsWith("java.lang.IllegalStateException: boom")
			.contains("TaskJsonTests.exceptionOfAJavaFailure");
		Task<Object> task = Task.builder(TaskSpec.of("x:y")).exception(exception).build();
		assertThat(this.json.read(this.json.write(task)).getException()).isEqualTo(exception);
	}

	private static ObjectNode fixtureTask() {
		return (ObjectNode) SheppyFixtures.tree("tasks-created.json").get("add");
	}

	private static void remove(ObjectNode task, String field) {
		String[] path = field.split("\\.");
		ObjectNode parent = task;
		for (int i = 0; i < path.length - 1; i++) {
			parent = (ObjectNode) parent.get(path[i]);
		}
		parent.remove(path[path.length - 1]);
	}

	private static void set(ObjectNode task, String field, JsonNode value) {
		String[] path = field.split("\\.");
		ObjectNode parent = task;
		for (int i = 0; i < path.length - 1; i++) {
			parent = (ObjectNode) parent.get(path[i]);
		}
		parent.set(path[path.length - 1], value);
	}

}
