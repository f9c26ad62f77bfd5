package io.sheppy.spring.core;

import java.util.UUID;

/**
 * Thrown when a task that an operation needs does not exist (any more) in its queue.
 *
 * @author Sheppy for Spring
 */
public class TaskNotFoundException extends SheppyException {

	public TaskNotFoundException(String queue, UUID id) {
		super("There is no task " + id + " in queue '" + queue + "'");
	}

}
