package io.sheppy.spring.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Exponential backoff between the retries of a {@link SheppyTask @SheppyTask}: the k-th retry waits
 * {@code delay * multiplier^(k-1)}, at most {@code maxDelay}, spread by {@code jitter}. The delays are computed when
 * a task is created and written to its {@code retry_delay} list, so Python workers honour them too.
 *
 * <pre class="code">
 * &#064;SheppyTask(retry = 5, backoff = &#064;Backoff(delay = "1s", multiplier = 2, maxDelay = "1m", jitter = 0.2))
 * </pre>
 *
 * @author Sheppy for Spring
 */
@Target({})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Backoff {

	/**
	 * The delay before the first retry (for example {@code 1s}; a plain number is seconds). Empty for no backoff.
	 * @return the first delay
	 */
	String delay() default "";

	/**
	 * The factor between one delay and the next, at least 1.
	 * @return the multiplier
	 */
	double multiplier() default 2;

	/**
	 * The longest delay (for example {@code 5m}). Empty for no limit.
	 * @return the longest delay
	 */
	String maxDelay() default "";

	/**
	 * How much each delay is spread at random, from 0 (not at all) to 1: a delay {@code d} becomes a value between
	 * {@code d * (1 - jitter)} and {@code d * (1 + jitter)}, but no longer than {@link #maxDelay()}, so that tasks
	 * that failed together do not retry together.
	 * @return the jitter
	 */
	double jitter() default 0;

}
