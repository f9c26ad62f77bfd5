package io.sheppy.spring.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the IDE metadata of {@link SheppyProperties} that the configuration processor generates.
 *
 * @author Sheppy for Spring
 */
class SheppyPropertiesMetadataTests {

	private static final String METADATA = "META-INF/spring-configuration-metadata.json";

	@Test
	void describesEverySheppyProperty() throws IOException {
		Map<String, JsonNode> properties = sheppyProperties();
		assertThat(properties).containsOnlyKeys("sheppy.backend", "sheppy.queue", "sheppy.ttl", "sheppy.error-ttl",
				"sheppy.worker.enabled", "sheppy.worker.concurrency", "sheppy.worker.batch-size",
				"sheppy.worker.prefetch", "sheppy.worker.poll-timeout", "sheppy.worker.shutdown-timeout", "sheppy.worker.cron-interval",
				"sheppy.worker.lease-timeout", "sheppy.worker.reclaim-interval", "sheppy.worker.max-deliveries",
				"sheppy.crons", "sheppy.redis.consumer-group", "sheppy.redis.consumer-name",
				"sheppy.redis.finished-retention");
		assertThat(properties).allSatisfy((name, property) -> assertThat(property.path("description").asString())
			.as("description of %s", name)
			.isNotBlank()
			.endsWith("."));
	}

	@Test
	void givesTheTypesAndDefaultsOfTheProperties() throws IOException {
		Map<String, JsonNode> properties = sheppyProperties();
		assertThat(properties.get("sheppy.backend").path("type").asString())
			.isEqualTo(SheppyProperties.BackendType.class.getName());
		assertThat(properties.get("sheppy.backend").path("defaultValue").asString()).isEqualTo("redis");
		assertThat(properties.get("sheppy.queue").path("defaultValue").asString()).isEqualTo("default");
		assertThat(properties.get("sheppy.ttl").path("type").asString()).isEqualTo("java.time.Duration");
		assertThat(properties.get("sheppy.ttl").path("defaultValue").asString()).isEqualTo("30d");
		assertThat(properties.get("sheppy.worker.enabled").path("defaultValue").asBoolean()).isTrue();
		assertThat(properties.get("sheppy.worker.concurrency").path("defaultValue").asInt()).isEqualTo(10);
		assertThat(properties.get("sheppy.worker.prefetch").get("defaultValue").asInt()).isZero();
		assertThat(properties.get("sheppy.worker.poll-timeout").path("defaultValue").asString()).isEqualTo("1s");
		assertThat(properties.get("sheppy.redis.consumer-group").path("defaultValue").asString()).isEqualTo("workers");
	}

	@Test
	void startsTheDescriptionOfABooleanWithWhether() throws IOException {
		assertThat(sheppyProperties().get("sheppy.worker.enabled").path("description").asString())
			.startsWith("Whether ");
	}

	private static Map<String, JsonNode> sheppyProperties() throws IOException {
		JsonMapper mapper = JsonMapper.builder().build();
		List<URL> resources = new ArrayList<>(
				Collections.list(SheppyPropertiesMetadataTests.class.getClassLoader().getResources(METADATA)));
		Map<String, JsonNode> properties = new LinkedHashMap<>();
		for (URL resource : resources) {
			try (InputStream in = resource.openStream()) {
				for (JsonNode property : mapper.readTree(in).path("properties")) {
					String name = property.path("name").asString();
					if (name.startsWith("sheppy.")) {
						assertThat(properties).as("properties described twice").doesNotContainKey(name);
						properties.put(name, property);
					}
				}
			}
		}
		assertThat(properties).as("sheppy.* properties in %s", resources).isNotEmpty();
		return properties;
	}

}
