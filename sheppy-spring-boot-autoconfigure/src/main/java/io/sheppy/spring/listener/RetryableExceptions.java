package io.sheppy.spring.listener;

import java.util.List;

import org.springframework.util.Assert;

/**
 * Which exceptions of a task method are worth a retry: those listed in {@code retryOn} (all when it is empty), except
 * those listed in {@code noRetryOn}; subclasses count as listed.
 *
 * @param retryOn the exceptions to retry on, empty for all
 * @param noRetryOn the exceptions never to retry on
 * @author Sheppy for Spring
 */
public record RetryableExceptions(List<Class<? extends Throwable>> retryOn,
		List<Class<? extends Throwable>> noRetryOn) {

	/** Every exception is worth a retry. */
	public static final RetryableExceptions ALL = new RetryableExceptions(List.of(), List.of());

	public RetryableExceptions {
		Assert.notNull(retryOn, "'retryOn' must not be null");
		Assert.notNull(noRetryOn, "'noRetryOn' must not be null");
		retryOn = List.copyOf(retryOn);
		noRetryOn = List.copyOf(noRetryOn);
	}

	/**
	 * Return whether a run that failed with the given exception may be retried.
	 * @param ex the exception
	 * @return whether to retry
	 */
	public boolean test(Throwable ex) {
		if (this.noRetryOn.stream().anyMatch((type) -> type.isInstance(ex))) {
			return false;
		}
		return this.retryOn.isEmpty() || this.retryOn.stream().anyMatch((type) -> type.isInstance(ex));
	}

}
