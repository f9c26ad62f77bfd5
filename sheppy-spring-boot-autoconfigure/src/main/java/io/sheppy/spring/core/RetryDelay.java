package io.sheppy.spring.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * The delays between attempts of a task, in seconds: one delay for every retry, or a list where the k-th retry waits
 * the k-th delay and the last one repeats. On the wire a single delay is a number and a list is a list.
 *
 * @author Sheppy for Spring
 */
public final class RetryDelay {

	/** Python Sheppy's default: one second before every retry. */
	public static final RetryDelay DEFAULT = new RetryDelay(List.of(1.0), false);

	private final List<Double> seconds;

	private final boolean list;

	private RetryDelay(List<Double> seconds, boolean list) {
		this.seconds = seconds;
		this.list = list;
	}

	/**
	 * Return one delay used before every retry.
	 * @param seconds the delay in seconds
	 * @return the retry delay
	 */
	public static RetryDelay of(double seconds) {
		return new RetryDelay(List.of(checked(seconds, 0)), false);
	}

	/**
	 * Return a list of delays: the k-th retry waits the k-th delay, later retries the last one.
	 * @param seconds the delays in seconds, at least one
	 * @return the retry delay
	 */
	public static RetryDelay of(List<? extends Number> seconds) {
		Assert.notNull(seconds, "'seconds' must not be null");
		Assert.isTrue(!seconds.isEmpty(), "A retry delay list must not be empty");
		List<Double> values = new ArrayList<>(seconds.size());
		for (int i = 0; i < seconds.size(); i++) {
			Number value = seconds.get(i);
			Assert.notNull(value, "A retry delay list must not contain null");
			values.add(checked(value.doubleValue(), i));
		}
		return new RetryDelay(Collections.unmodifiableList(values), true);
	}

	/**
	 * Return a list of delays from durations.
	 * @param delays the delays, at least one
	 * @return the retry delay
	 */
	public static RetryDelay ofDurations(List<Duration> delays) {
		Assert.notNull(delays, "'delays' must not be null");
		return of(delays.stream().map((delay) -> delay.toNanos() / 1_000_000_000.0).toList());
	}

	private static double checked(double seconds, int index) {
		Assert.isTrue(Double.isFinite(seconds) && seconds >= 0,
				() -> "A retry delay must be zero or a positive number of seconds but element " + index + " was "
						+ seconds);
		return seconds;
	}

	/**
	 * Return the delay before the given retry.
	 * @param retry the retry, counting from 1 for the first retry
	 * @return the delay
	 */
	public Duration delayBefore(int retry) {
		Assert.isTrue(retry >= 1, () -> "'retry' counts from 1 but was " + retry);
		double value = this.seconds.get(Math.min(retry, this.seconds.size()) - 1);
		return Duration.ofNanos(Math.round(value * 1_000_000_000L));
	}

	/**
	 * Return the delays in seconds.
	 * @return the delays, one element when {@link #isList()} is false
	 */
	public List<Double> seconds() {
		return this.seconds;
	}

	/**
	 * Return whether the delay is written as a list.
	 * @return whether the delay is a list
	 */
	public boolean isList() {
		return this.list;
	}

	/**
	 * Return the value in Python Sheppy's JSON: a number or a list of numbers.
	 * @return the wire value
	 */
	public Object wireValue() {
		return this.list ? this.seconds : this.seconds.get(0);
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (other instanceof RetryDelay delay) && delay.list == this.list && delay.seconds.equals(this.seconds);
	}

	@Override
	public int hashCode() {
		return this.seconds.hashCode() * 31 + Boolean.hashCode(this.list);
	}

	@Override
	public String toString() {
		return String.valueOf(wireValue());
	}

}
