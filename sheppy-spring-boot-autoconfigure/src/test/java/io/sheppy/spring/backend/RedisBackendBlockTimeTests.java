package io.sheppy.spring.backend;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for how {@link RedisTaskReader} turns the time left before a deadline into the {@code BLOCK} time of one
 * blocking read, and {@link RedisBackend} due times into schedule scores.
 *
 * @author Sheppy for Spring
 */
class RedisBackendBlockTimeTests {

	@Test
	void lessThanOneMillisecondLeftMeansTheDeadlineHasPassedNeverBlockZero() {
		assertThat(RedisTaskReader.blockMillis(400_000, 5000)).isZero();
		assertThat(RedisTaskReader.blockMillis(999_999, 5000)).isZero();
		assertThat(RedisTaskReader.blockMillis(0, 5000)).isZero();
		assertThat(RedisTaskReader.blockMillis(-3_000_000, 5000)).isZero();
	}

	@Test
	void blockTimeIsTheWholeMillisecondsLeft() {
		assertThat(RedisTaskReader.blockMillis(1_000_000, 5000)).isOne();
		assertThat(RedisTaskReader.blockMillis(1_999_999, 5000)).isOne();
		assertThat(RedisTaskReader.blockMillis(250_400_000, 5000)).isEqualTo(250);
	}

	@Test
	void longWaitsAreSplitIntoBlocksOfAtMostTheLimit() {
		assertThat(RedisTaskReader.blockMillis(60_000_000_000L, 5000)).isEqualTo(5000);
		assertThat(RedisTaskReader.blockMillis(Long.MAX_VALUE, 5000)).isEqualTo(5000);
	}

	@Test
	void scoresAreEpochSecondsAsPythonWritesThem() {
		assertThat(RedisBackend.score(Instant.parse("2030-01-01T00:00:00Z"))).isEqualTo("1893456000");
		assertThat(RedisBackend.score(Instant.parse("2030-01-01T00:00:00.000001Z"))).isEqualTo("1893456000.000001");
		assertThat(RedisBackend.score(Instant.parse("1969-12-31T23:59:59.5Z"))).isEqualTo("-0.5");
		assertThat(RedisBackend.instant(1893456000.123456)).isEqualTo(Instant.parse("2030-01-01T00:00:00.123456Z"));
	}

}
