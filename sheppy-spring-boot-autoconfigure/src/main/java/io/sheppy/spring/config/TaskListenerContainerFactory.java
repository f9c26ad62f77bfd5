package io.sheppy.spring.config;

import java.util.List;

import io.sheppy.spring.listener.TaskListenerContainer;

/**
 * Creates the listener container of a queue for the tasks that run on it.
 *
 * @author Sheppy for Spring
 * @see DefaultTaskListenerContainerFactory
 */
@FunctionalInterface
public interface TaskListenerContainerFactory {

	/**
	 * Create a container.
	 * @param queue the queue
	 * @param endpoints the tasks that run on it, at least one
	 * @return the container, not started
	 */
	TaskListenerContainer createContainer(String queue, List<TaskEndpoint> endpoints);

}
