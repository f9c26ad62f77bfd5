package io.sheppy.spring.core;

import java.time.DateTimeException;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link WireTimes}: Python Sheppy's datetime form, written and read.
 */
class WireTimesTests {

	@ParameterizedTest
	@CsvSource({ "2026-11-26T19:16:24.713947Z, 2026-11-26T19:16:24.713947Z",
			"2026-11-26T19:16:24.713947+00:00, 2026-11-26T19:16:24.713947Z",
			"2026-11-26T20:16:24.713947+01:00, 2026-11-26T19:16:24.713947Z",
			"2026-11-26T13:46:24.5-05:30, 2026-11-26T19:16:24.500Z", "2026-11-26T19:16:24, 2026-11-26T19:16:24Z",
			"2026-11-26T19:16:24Z, 2026-11-26T19:16:24Z", "2026-11-26T19:16:24.123456789Z, 2026-11-26T19:16:24.123456Z",
			"2028-02-29T00:00:00.1Z, 2028-02-29T00:00:00.100Z", "2026-11-26T20:16:24.713947+01:00[Europe/Paris], "
					+ "2026-11-26T19:16:24.713947Z" })
	void readsEveryFormOfDatetimeAsAnInstantInMicroseconds(String text, Instant expected) {
		assertThat(WireTimes.parse(text)).isEqualTo(expected);
	}

	@ParameterizedTest
	@ValueSource(strings = { "yesterday", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-26T25:00:00Z",
			"2026-11-26 19:16:24Z", "" })
	void refusesWhatIsNoDatetime(String text) {
		assertThatExceptionOfType(DateTimeException.class).isThrownBy(() -> WireTimes.parse(text));
	}

	@ParameterizedTest
	@CsvSource({ "2026-11-26T19:16:24.713947Z, 2026-11-26T19:16:24.713947Z",
			"2030-01-01T00:00:00Z, 2030-01-01T00:00:00Z", "2026-11-26T19:16:24.000100Z, 2026-11-26T19:16:24.000100Z",
			"2026-11-26T19:16:24.700Z, 2026-11-26T19:16:24.700000Z",
			"2026-11-26T19:16:24.000000900Z, 2026-11-26T19:16:24Z", "0900-01-02T03:04:05Z, 0900-01-02T03:04:05Z" })
	void writesUtcWithMicrosecondsOrNoFractionAsPythonDoes(Instant instant, String expected) {
		assertThat(WireTimes.format(instant)).isEqualTo(expected);
	}

	@Test
	void readsBackWhatItWrites() {
		Instant now = Task.now();
		assertThat(WireTimes.parse(WireTimes.format(now))).isEqualTo(now);
	}

}
