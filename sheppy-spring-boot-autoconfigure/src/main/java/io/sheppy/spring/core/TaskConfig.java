package io.sheppy.spring.core;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * How a task runs: retries and their delays, its timeout, rate limit and how long its record is kept.
 *
 * @param retry how many times a failed task is tried again ({@code retry = N} gives up to {@code N + 1} attempts)
 * @param retryDelay the delays before the retries
 * @param timeout the time a run may take in seconds, or {@code null} for no limit
 * @param retryOnTimeout whether a run that timed out is retried
 * @param retryOnCrash whether a run whose worker was lost is retried
 * @param rateLimit the rate limit, or {@code null} for none
 * @param ttl how long the record of a completed task is kept
 * @param errorTtl how long the record of a failed, crashed or cancelled task is kept
 * @author Sheppy for Spring
 */
public record TaskConfig(int retry, RetryDelay retryDelay, @Nullable Double timeout, boolean retryOnTimeout,
		boolean retryOnCrash, @Nullable RateLimit rateLimit, Ttl ttl, Ttl errorTtl) {

	/** The defaults, as Python Sheppy's. */
	public static final TaskConfig DEFAULT = new TaskConfig(0, RetryDelay.DEFAULT, null, false, false, null,
			Ttl.INHERIT, Ttl.INHERIT);

	public TaskConfig {
		Assert.isTrue(retry >= 0, () -> "'retry' must not be negative but was " + retry);
		Assert.notNull(retryDelay, "'retryDelay' must not be null");
		Assert.isTrue(timeout == null || (timeout > 0 && Double.isFinite(timeout)),
				() -> "'timeout' must be a positive number of seconds but was " + timeout);
		Assert.notNull(ttl, "'ttl' must not be null");
		Assert.notNull(errorTtl, "'errorTtl' must not be null");
	}

	public TaskConfig withRetry(int retry) {
		return new TaskConfig(retry, this.retryDelay, this.timeout, this.retryOnTimeout, this.retryOnCrash,
				this.rateLimit, this.ttl, this.errorTtl);
	}

	public TaskConfig withRetryDelay(RetryDelay retryDelay) {
		return new TaskConfig(this.retry, retryDelay, this.timeout, this.retryOnTimeout, this.retryOnCrash,
				this.rateLimit, this.ttl, this.errorTtl);
	}

	public TaskConfig withTimeout(@Nullable Duration timeout) {
		Double seconds = (timeout != null) ? timeout.toNanos() / 1_000_000_000.0 : null;
		return new TaskConfig(this.retry, this.retryDelay, seconds, this.retryOnTimeout, this.retryOnCrash,
				this.rateLimit, this.ttl, this.errorTtl);
	}

	public TaskConfig withRetryOnTimeout(boolean retryOnTimeout) {
		return new TaskConfig(this.retry, this.retryDelay, this.timeout, retryOnTimeout, this.retryOnCrash,
				this.rateLimit, this.ttl, this.errorTtl);
	}

	public TaskConfig withRetryOnCrash(boolean retryOnCrash) {
		return new TaskConfig(this.retry, this.retryDelay, this.timeout, this.retryOnTimeout, retryOnCrash,
				this.rateLimit, this.ttl, this.errorTtl);
	}

	public TaskConfig withRateLimit(@Nullable RateLimit rateLimit) {
		return new TaskConfig(this.retry, this.retryDelay, this.timeout, this.retryOnTimeout, this.retryOnCrash,
				rateLimit, this.ttl, this.errorTtl);
	}

	public TaskConfig withTtl(Ttl ttl) {
		return new TaskConfig(this.retry, this.retryDelay, this.timeout, this.retryOnTimeout, this.retryOnCrash,
				this.rateLimit, ttl, this.errorTtl);
	}

	public TaskConfig withErrorTtl(Ttl errorTtl) {
		return new TaskConfig(this.retry, this.retryDelay, this.timeout, this.retryOnTimeout, this.retryOnCrash,
				this.rateLimit, this.ttl, errorTtl);
	}

	/**
	 * Return the timeout as a duration.
	 * @return the timeout, or {@code null} for no limit
	 */
	public @Nullable Duration timeoutDuration() {
		return (this.timeout != null) ? Duration.ofNanos(Math.round(this.timeout * 1_000_000_000L)) : null;
	}

}
