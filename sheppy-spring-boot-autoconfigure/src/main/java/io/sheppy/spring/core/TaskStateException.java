package io.sheppy.spring.core;

/**
 * Thrown when a task is not in a state that allows what was asked: cancelling a task a worker already runs or that
 * has finished, retrying a task that has not finished, deleting a task that has not finished.
 *
 * @author Sheppy for Spring
 */
public class TaskStateException extends SheppyException {

	public TaskStateException(String message) {
		super(message);
	}

}
