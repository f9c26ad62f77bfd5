package io.sheppy.spring.core;

import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * How long a finished task's record is kept: a number of seconds, never expiring ({@code null} on the wire), or
 * {@code "inherit"} (the next setting in line decides).
 *
 * @author Sheppy for Spring
 */
public final class Ttl {

	/** Leave the decision to the next setting in line. */
	public static final Ttl INHERIT = new Ttl(-1);

	/** Keep the record until it is deleted. */
	public static final Ttl NEVER = new Ttl(0);

	/** The wire value of {@link #INHERIT}. */
	public static final String INHERIT_VALUE = "inherit";

	private final long seconds;

	private Ttl(long seconds) {
		this.seconds = seconds;
	}

	/**
	 * Return a time to live of the given number of seconds.
	 * @param seconds a positive number of seconds
	 * @return the time to live
	 */
	public static Ttl ofSeconds(long seconds) {
		Assert.isTrue(seconds > 0, () -> "A ttl must be a positive number of seconds but was " + seconds);
		return new Ttl(seconds);
	}

	/**
	 * Return a time to live of the given duration, rounded up to whole seconds.
	 * @param duration a positive duration, or {@code null} for {@link #NEVER}
	 * @return the time to live
	 */
	public static Ttl of(@Nullable Duration duration) {
		if (duration == null) {
			return NEVER;
		}
		Assert.isTrue(!duration.isNegative() && !duration.isZero(), () -> "A ttl must be positive but was " + duration);
		long seconds = duration.getSeconds() + ((duration.getNano() > 0) ? 1 : 0);
		return ofSeconds(seconds);
	}

	public boolean isInherit() {
		return this.seconds < 0;
	}

	public boolean isNever() {
		return this.seconds == 0;
	}

	/**
	 * Return the number of seconds of a time to live that is neither {@link #INHERIT} nor {@link #NEVER}.
	 * @return the seconds
	 */
	public long seconds() {
		Assert.state(this.seconds > 0, () -> "A ttl of " + this + " has no seconds");
		return this.seconds;
	}

	/**
	 * Return the value of this time to live in Python Sheppy's JSON: a number, {@code null} or {@code "inherit"}.
	 * @return the wire value
	 */
	public @Nullable Object wireValue() {
		if (isInherit()) {
			return INHERIT_VALUE;
		}
		return isNever() ? null : this.seconds;
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (other instanceof Ttl ttl) && ttl.seconds == this.seconds;
	}

	@Override
	public int hashCode() {
		return Objects.hashCode(this.seconds);
	}

	@Override
	public String toString() {
		if (isInherit()) {
			return INHERIT_VALUE;
		}
		return isNever() ? "never" : this.seconds + "s";
	}

}
