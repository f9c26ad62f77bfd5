package io.sheppy.spring.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link CronSchedule} gives the fire times that croniter, the library Python Sheppy uses, gave for the same
 * expressions (UTC), and refuses the expressions croniter refused. The table, {@code croniter-cases.tsv}, was recorded
 * by {@code src/test/croniter/record_cases.py}.
 */
class CronScheduleCroniterCasesTests {

	@ParameterizedTest(name = "''{0}'' after {1}")
	@MethodSource("cases")
	void fireTimesAreCroniters(String expression, String start, String expected) {
		BigDecimal seconds = new BigDecimal(start);
		Instant time = Instant.ofEpochSecond(seconds.longValue(),
				seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
		if (expected.startsWith("ERR")) {
			assertThatIllegalArgumentException().isThrownBy(() -> CronSchedule.parse(expression));
			return;
		}
		CronSchedule schedule = CronSchedule.parse(expression);
		List<Long> fireTimes = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			time = schedule.next(time);
			fireTimes.add(time.getEpochSecond());
		}
		assertThat(fireTimes).isEqualTo(Arrays.stream(expected.split(" ")).map(Long::valueOf).toList());
	}

	static Stream<Arguments> cases() {
		InputStream table = CronScheduleCroniterCasesTests.class.getResourceAsStream("croniter-cases.tsv");
		assertThat(table).as("croniter-cases.tsv").isNotNull();
		try (BufferedReader reader = new BufferedReader(new InputStreamReader(table, StandardCharsets.UTF_8))) {
			List<Arguments> cases = reader.lines()
				.filter((line) -> !line.isBlank() && !line.startsWith("#"))
				.map((line) -> line.split("\t"))
				.map((fields) -> Arguments.of(fields[0], fields[1], fields[2]))
				.toList();
			assertThat(cases).hasSizeGreaterThan(800);
			return cases.stream();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
