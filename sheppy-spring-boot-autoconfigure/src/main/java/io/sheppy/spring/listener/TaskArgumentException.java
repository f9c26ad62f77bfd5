package io.sheppy.spring.listener;

import org.jspecify.annotations.Nullable;

import io.sheppy.spring.core.SheppyException;

/**
 * Thrown when a task's arguments do not bind to the parameters of the method that runs it: too many or too few, an
 * unknown keyword, or a value that cannot be read as the parameter's type. Retrying cannot help, so such a task fails
 * at once.
 *
 * @author Sheppy for Spring
 */
public class TaskArgumentException extends SheppyException {

	public TaskArgumentException(String message) {
		super(message);
	}

	public TaskArgumentException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
