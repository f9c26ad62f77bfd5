package io.sheppy.spring.config;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import io.sheppy.spring.listener.TaskHandler;

/**
 * A task that this application runs: its name, its queue and the handler that runs it.
 *
 * @author Sheppy for Spring
 * @see MethodTaskEndpoint
 */
public interface TaskEndpoint {

	/**
	 * Return the task's name.
	 * @return the name
	 */
	String getName();

	/**
	 * Return the task's queue.
	 * @return the queue name, or {@code null} for the default queue
	 */
	@Nullable String getQueue();

	/**
	 * Return the bean name of the container factory of the task's queue.
	 * @return the bean name, or {@code null} for the default factory
	 */
	@Nullable String getContainerFactory();

	/**
	 * Return a description of where the task is declared, for messages.
	 * @return the description
	 */
	String describe();

	/**
	 * Create the handler that runs the task.
	 * @param mapper the mapper that converts JSON arguments
	 * @return the handler
	 */
	TaskHandler createHandler(JsonMapper mapper);

}
