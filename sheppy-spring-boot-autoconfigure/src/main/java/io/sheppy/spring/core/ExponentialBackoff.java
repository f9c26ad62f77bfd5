package io.sheppy.spring.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Exponential backoff between retries, turned into a {@link RetryDelay} list per task: the k-th retry waits
 * {@code delay * multiplier^(k-1)} spread at random by {@code jitter}, and never longer than {@code maxDelay}.
 *
 * @param delay the delay before the first retry
 * @param multiplier the factor between one delay and the next, at least 1
 * @param maxDelay the longest delay, or {@code null} for no limit
 * @param jitter how much each delay is spread, from 0 to 1
 * @author Sheppy for Spring
 */
public record ExponentialBackoff(Duration delay, double multiplier, @Nullable Duration maxDelay, double jitter) {

	public ExponentialBackoff {
		Assert.notNull(delay, "'delay' must not be null");
		Assert.isTrue(!delay.isNegative(), () -> "A backoff delay must not be negative but was " + delay);
		Assert.isTrue(multiplier >= 1 && Double.isFinite(multiplier),
				() -> "A backoff multiplier must be at least 1 but was " + multiplier);
		Assert.isTrue(maxDelay == null || maxDelay.compareTo(delay) >= 0,
				() -> "A backoff's maxDelay (" + maxDelay + ") must not be shorter than its delay (" + delay + ")");
		Assert.isTrue(jitter >= 0 && jitter <= 1, () -> "A backoff jitter must be between 0 and 1 but was " + jitter);
	}

	/**
	 * Return the delays of the given number of retries, without jitter: the same every time, as a cron needs (its
	 * config is part of its identity).
	 * @param retries the number of retries, at least 1 delay is returned
	 * @return the delays as a list
	 */
	public RetryDelay delaysWithoutJitter(int retries) {
		return new ExponentialBackoff(this.delay, this.multiplier, this.maxDelay, 0).delays(retries, () -> 0L);
	}

	/**
	 * Return the delays of the given number of retries, with jitter drawn from the given generator.
	 * @param retries the number of retries, at least 1 delay is returned
	 * @param random the source of jitter
	 * @return the delays as a list
	 */
	public RetryDelay delays(int retries, RandomGenerator random) {
		List<Double> seconds = new ArrayList<>(Math.max(1, retries));
		double first = this.delay.toNanos() / 1e9;
		double max = (this.maxDelay != null) ? this.maxDelay.toNanos() / 1e9 : Double.MAX_VALUE;
		for (int k = 0; k < Math.max(1, retries); k++) {
			double base = Math.min(first * Math.pow(this.multiplier, k), max);
			double spread = (this.jitter > 0) ? base * this.jitter * (2 * random.nextDouble() - 1) : 0;
			// the jitter spreads a capped delay downwards only: maxDelay is the longest delay
			seconds.add(Math.min(Math.round((base + spread) * 1000) / 1000.0, max));
		}
		return RetryDelay.of(seconds);
	}

}
