package io.sheppy.spring.backend;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.sheppy.spring.core.TaskStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ClaimMark}.
 *
 * @author Sheppy for Spring
 */
class ClaimMarkTests {

	@Test
	void replacesTheStatusAndKeepsEveryOtherByte() {
		ClaimMark mark = ClaimMark.of(bytes("{\"id\":\"a\",\"status\":\"pending\",\"result\":null}"),
				TaskStatus.PROCESSING);
		assertThat(mark).isNotNull();
		assertThat(string(mark.json())).isEqualTo("{\"id\":\"a\",\"status\":\"processing\",\"result\":null}");
		assertThat(string(mark.queuedPrefix())).isEqualTo("{\"id\":\"a\",\"status\":\"pending\"");
		assertThat(string(mark.markedPrefix())).isEqualTo("{\"id\":\"a\",\"status\":\"processing\"");
	}

	@Test
	void keepsPythonsLayout() {
		ClaimMark mark = ClaimMark.of(bytes("{\"id\": \"a\", \"status\": \"new\", \"spec\": {\"args\": [1, 2.0]}}"),
				TaskStatus.PROCESSING);
		assertThat(mark).isNotNull();
		assertThat(string(mark.json()))
			.isEqualTo("{\"id\": \"a\", \"status\": \"processing\", \"spec\": {\"args\": [1, 2.0]}}");
		assertThat(string(mark.queuedPrefix())).isEqualTo("{\"id\": \"a\", \"status\": \"new\"");
	}

	@Test
	void findsTheTopLevelStatusAfterNestedOnes() {
		ClaimMark mark = ClaimMark.of(bytes("{\"spec\":{\"status\":\"x\",\"a\":[{\"status\":\"y\"}]},\"status\":\"new\"}"),
				TaskStatus.PROCESSING);
		assertThat(mark).isNotNull();
		assertThat(string(mark.json()))
			.isEqualTo("{\"spec\":{\"status\":\"x\",\"a\":[{\"status\":\"y\"}]},\"status\":\"processing\"}");
		assertThat(string(mark.markedPrefix())).isEqualTo(string(mark.json()).substring(0, mark.json().length - 1));
	}

	@Test
	void keepsMultiByteCharactersBeforeTheStatus() {
		ClaimMark mark = ClaimMark.of(bytes("{\"name\":\"\u00e9t\u00e9 \u2603\",\"status\":\"new\"}"),
				TaskStatus.PROCESSING);
		assertThat(mark).isNotNull();
		assertThat(string(mark.json())).isEqualTo("{\"name\":\"\u00e9t\u00e9 \u2603\",\"status\":\"processing\"}");
	}

	@Test
	void givesNoMarkWithoutAStatusString() {
		assertThat(ClaimMark.of(bytes("{\"id\":\"a\"}"), TaskStatus.PROCESSING)).isNull();
		assertThat(ClaimMark.of(bytes("{\"id\":\"a\",\"status\":null}"), TaskStatus.PROCESSING)).isNull();
		assertThat(ClaimMark.of(bytes("[\"status\",\"new\"]"), TaskStatus.PROCESSING)).isNull();
		assertThat(ClaimMark.of(bytes("{\"id\":"), TaskStatus.PROCESSING)).isNull();
		assertThat(ClaimMark.of(bytes("not json"), TaskStatus.PROCESSING)).isNull();
	}

	@Test
	void givesNoMarkForAnEscapedStatus() {
		assertThat(ClaimMark.of(bytes("{\"status\":\"n\\u0065w\"}"), TaskStatus.PROCESSING)).isNull();
	}

	private static byte[] bytes(String json) {
		return json.getBytes(StandardCharsets.UTF_8);
	}

	private static String string(byte[] json) {
		return new String(json, StandardCharsets.UTF_8);
	}

}
