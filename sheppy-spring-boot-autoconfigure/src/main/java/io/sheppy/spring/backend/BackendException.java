package io.sheppy.spring.backend;

import org.jspecify.annotations.Nullable;

import io.sheppy.spring.core.SheppyException;

/**
 * Thrown when a backend cannot carry out an operation, for example because Redis is unreachable. An operation that
 * fails this way has changed nothing.
 *
 * @author Sheppy for Spring
 */
public class BackendException extends SheppyException {

	public BackendException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
