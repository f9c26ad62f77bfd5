package io.sheppy.spring.core;

import org.jspecify.annotations.Nullable;

/**
 * Base class of the exceptions thrown by the task queue.
 *
 * @author Sheppy for Spring
 */
public class SheppyException extends RuntimeException {

	public SheppyException(String message) {
		super(message);
	}

	public SheppyException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
