package io.sheppy.spring.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The golden data recorded from Python Sheppy 0.0.7, read from {@code ../shared/fixtures/sheppy-0.0.7}.
 */
public final class SheppyFixtures {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private SheppyFixtures() {
	}

	/**
	 * Return the fixtures directory: the {@code sheppy.fixtures.dir} system property that the build sets, else
	 * {@code ../shared/fixtures/sheppy-0.0.7} above the project root.
	 * @return the directory
	 */
	public static Path directory() {
		String configured = System.getProperty("sheppy.fixtures.dir");
		Path directory = (configured != null) ? Path.of(configured)
				: Path.of("").toAbsolutePath().getParent().resolveSibling("shared/fixtures/sheppy-0.0.7");
		if (!Files.isDirectory(directory)) {
			throw new IllegalStateException("Sheppy fixtures not found at " + directory.toAbsolutePath()
					+ "; they are expected in ../shared/fixtures/sheppy-0.0.7 next to the project");
		}
		return directory;
	}

	public static String text(String name) {
		try {
			return Files.readString(directory().resolve(name), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public static JsonNode tree(String name) {
		return MAPPER.readTree(text(name));
	}

	public static JsonNode parse(String json) {
		return MAPPER.readTree(json);
	}

	public static String write(JsonNode node) {
		return MAPPER.writeValueAsString(node);
	}

}
