package io.sheppy.spring.core;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * The states of a task, with their wire values.
 *
 * @author Sheppy for Spring
 */
public enum TaskStatus {

	/** Created and added to a queue, not yet picked up. */
	NEW("new"),

	/** Queued again after being scheduled or retried. */
	PENDING("pending"),

	/** Waiting in the schedule for its due time. */
	SCHEDULED("scheduled"),

	/** Running on a worker. Python Sheppy never writes it but reads it. */
	PROCESSING("processing"),

	/** Failed and scheduled for another attempt. */
	RETRYING("retrying"),

	/** Finished successfully. */
	COMPLETED("completed"),

	/** Finished with an exception and no retries left. */
	FAILED("failed"),

	/** Its worker was lost while it ran. */
	CRASHED("crashed"),

	/** Cancelled before it ran. */
	CANCELLED("cancelled");

	private static final Map<String, TaskStatus> BY_WIRE_VALUE = Arrays.stream(values())
		.collect(Collectors.toUnmodifiableMap(TaskStatus::wireValue, Function.identity()));

	private final String wireValue;

	TaskStatus(String wireValue) {
		this.wireValue = wireValue;
	}

	/**
	 * Return the value written to the {@code status} field.
	 * @return the wire value
	 */
	public String wireValue() {
		return this.wireValue;
	}

	/**
	 * Return whether a task in this state is finished: it ran to an end or was cancelled, and will not run again
	 * unless retried by hand.
	 * @return whether the state is final
	 */
	public boolean isFinished() {
		return this == COMPLETED || this == FAILED || this == CRASHED || this == CANCELLED;
	}

	/**
	 * Return the status with the given wire value.
	 * @param wireValue the value of a {@code status} field
	 * @return the status, or {@code null} if the value names none
	 */
	public static @Nullable TaskStatus fromWireValue(String wireValue) {
		return BY_WIRE_VALUE.get(wireValue);
	}

	@Override
	public String toString() {
		return this.wireValue;
	}

}
