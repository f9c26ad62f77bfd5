package io.sheppy.spring.core;

import java.time.Duration;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ExponentialBackoff}.
 *
 * @author Sheppy for Spring
 */
class ExponentialBackoffTests {

	/** Draws the largest jitter upwards: {@code nextDouble()} is just below 1. */
	private static final RandomGenerator HIGHEST = () -> -1L;

	/** Draws the largest jitter downwards: {@code nextDouble()} is 0. */
	private static final RandomGenerator LOWEST = () -> 0L;

	private final ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofMillis(100), 2,
			Duration.ofMillis(300), 0.5);

	@Test
	void theDelaysGrowByTheMultiplierUpToTheMaxDelayOneForEachRetry() {
		assertThat(this.backoff.delaysWithoutJitter(4).seconds()).containsExactly(0.1, 0.2, 0.3, 0.3);
	}

	@Test
	void aJitteredDelayIsNeverLongerThanTheMaxDelay() {
		assertThat(this.backoff.delays(4, HIGHEST).seconds()).containsExactly(0.15, 0.3, 0.3, 0.3);
	}

	@Test
	void aJitteredDelayIsAtLeastItsShareOfTheDelay() {
		assertThat(this.backoff.delays(4, LOWEST).seconds()).containsExactly(0.05, 0.1, 0.15, 0.15);
	}

	@Test
	void withoutAMaxDelayTheJitterSpreadsEveryDelayBothWays() {
		ExponentialBackoff unbounded = new ExponentialBackoff(Duration.ofSeconds(1), 3, null, 0.1);
		assertThat(unbounded.delays(3, HIGHEST).seconds()).containsExactly(1.1, 3.3, 9.9);
		assertThat(unbounded.delays(3, LOWEST).seconds()).containsExactly(0.9, 2.7, 8.1);
	}

}
