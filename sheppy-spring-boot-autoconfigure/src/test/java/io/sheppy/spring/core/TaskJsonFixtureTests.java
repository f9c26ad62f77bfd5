package io.sheppy.spring.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every task and cron that Python Sheppy 0.0.7 wrote reads into the model and writes back as the same JSON: the same
 * fields, value types and datetime forms.
 */
class TaskJsonFixtureTests {

	private final TaskJson json = new TaskJson();

	@ParameterizedTest(name = "{0}")
	@MethodSource("fixtureTasks")
	void taskWrittenByPythonRoundTripsUnchanged(JsonNode fixture) {
		Task<Object> task = this.json.read(SheppyFixtures.write(fixture));
		JsonNode written = SheppyFixtures.parse(this.json.write(task));
		assertThat(written).isEqualTo(fixture);
		assertThat(fieldNames(written)).containsExactlyElementsOf(fieldNames(fixture));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("fixtureCrons")
	void cronWrittenByPythonRoundTripsUnchanged(JsonNode fixture) {
		TaskCron cron = this.json.readCron(SheppyFixtures.write(fixture));
		JsonNode written = SheppyFixtures.parse(this.json.writeCron(cron));
		assertThat(written).isEqualTo(fixture);
		assertThat(fieldNames(written)).containsExactlyElementsOf(fieldNames(fixture));
	}

	static Stream<Named<JsonNode>> fixtureTasks() {
		List<Named<JsonNode>> tasks = new ArrayList<>();
		for (String file : List.of("tasks-created.json", "tasks-finished.json")) {
			SheppyFixtures.tree(file)
				.properties()
				.forEach((entry) -> tasks.add(Named.of(file + " " + entry.getKey(), entry.getValue())));
		}
		tasks.add(Named.of("task-retrying.json", SheppyFixtures.tree("task-retrying.json")));
		tasks.add(Named.of("task-cancelled.json", SheppyFixtures.tree("task-cancelled.json")));
		JsonNode keys = SheppyFixtures.tree("redis-after-enqueue.json").get("keys");
		keys.properties().forEach((key) -> {
			if (key.getKey().startsWith("sheppy:tasks:")) {
				tasks.add(Named.of("redis-after-enqueue.json " + key.getKey(),
						SheppyFixtures.parse(key.getValue().get("value").stringValue())));
			}
		});
		keys.get("sheppy:pending:fixtures").get("value").forEach((entry) -> tasks.add(Named
			.of("redis-after-enqueue.json stream entry " + entry.get(0).stringValue(),
					SheppyFixtures.parse(entry.get(1).get("data").stringValue()))));
		return tasks.stream();
	}

	static Stream<Named<JsonNode>> fixtureCrons() {
		List<Named<JsonNode>> crons = new ArrayList<>();
		SheppyFixtures.tree("crons-stored.json").forEach((cron) -> crons.add(Named.of("crons-stored.json", cron)));
		SheppyFixtures.tree("redis-after-enqueue.json")
			.get("keys")
			.get("sheppy:cron:fixtures")
			.get("value")
			.properties()
			.forEach((entry) -> crons.add(Named.of("redis-after-enqueue.json cron " + entry.getKey(),
					SheppyFixtures.parse(entry.getValue().stringValue()))));
		return crons.stream();
	}

	private static List<String> fieldNames(JsonNode node) {
		List<String> names = new ArrayList<>();
		node.properties().stream().map(Map.Entry::getKey).forEach(names::add);
		return names;
	}

}
