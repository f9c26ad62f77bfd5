package io.sheppy.spring.core;

import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cron ids computed here equal those Python Sheppy computed for the examples in {@code cron-ids.json}.
 */
class CronIdFixtureTests {

	private final TaskJson json = new TaskJson();

	@ParameterizedTest(name = "{0}")
	@MethodSource("examples")
	void hashedTextIsPydanticCompactJsonOfSpecAndConfigFollowedByTheExpression(JsonNode example) {
		TaskCron cron = cronOf(example);
		assertThat(PythonFormat.json(cron.spec()) + PythonFormat.json(cron.config()) + cron.expression())
			.isEqualTo(example.get("id_input").stringValue());
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("examples")
	void deterministicIdEqualsPythons(JsonNode example) {
		assertThat(cronOf(example).deterministicId())
			.isEqualTo(UUID.fromString(example.get("deterministic_id").stringValue()));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("examples")
	void instanceTaskIdEqualsPythons(JsonNode example) {
		OffsetDateTime fireTime = OffsetDateTime.parse(example.get("fire_time").stringValue());
		assertThat(PythonFormat.str(fireTime.toEpochSecond())).isEqualTo(example.get("fire_timestamp_str").stringValue());
		assertThat(cronOf(example).instanceTaskId(fireTime.toInstant()))
			.isEqualTo(UUID.fromString(example.get("instance_task_id").stringValue()));
	}

	static Stream<Named<JsonNode>> examples() {
		return StreamSupport.stream(SheppyFixtures.tree("cron-ids.json").spliterator(), false)
			.map((example) -> Named.of(example.get("expression").stringValue(), example));
	}

	private TaskCron cronOf(JsonNode example) {
		ObjectNode cron = ((ObjectNode) example).deepCopy();
		cron.put("id", UUID.randomUUID().toString());
		return this.json.readCron(SheppyFixtures.write(cron));
	}

}
