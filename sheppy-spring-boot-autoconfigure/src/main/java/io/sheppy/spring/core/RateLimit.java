package io.sheppy.spring.core;

import org.springframework.util.Assert;

/**
 * A rate limit on a task: at most {@code maxRate} runs in any {@code ratePeriod} seconds, shared by all workers.
 *
 * @param maxRate the number of runs allowed in one period
 * @param ratePeriod the period in seconds
 * @author Sheppy for Spring
 */
public record RateLimit(int maxRate, double ratePeriod) {

	public RateLimit {
		Assert.isTrue(maxRate > 0, () -> "'max_rate' must be positive but was " + maxRate);
		Assert.isTrue(ratePeriod > 0 && Double.isFinite(ratePeriod),
				() -> "'rate_period' must be a positive number of seconds but was " + ratePeriod);
	}

}
