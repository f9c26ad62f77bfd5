package io.sheppy.spring.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.listener.ContainerSettings;
import io.sheppy.spring.listener.QueueTaskListenerContainer;
import io.sheppy.spring.listener.TaskHandler;
import io.sheppy.spring.listener.TaskListenerContainer;
import io.sheppy.spring.listener.TaskProcessor;

import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.util.Assert;

/**
 * Creates {@link QueueTaskListenerContainer}s that take tasks from a {@link Backend}, with the given settings.
 *
 * @author Sheppy for Spring
 */
public class DefaultTaskListenerContainerFactory implements TaskListenerContainerFactory {

	private final Backend backend;

	private final JsonMapper mapper;

	private ContainerSettings settings = ContainerSettings.DEFAULT;

	private @Nullable AsyncTaskExecutor taskExecutor;

	/**
	 * Create a factory.
	 * @param backend the backend to take tasks from
	 * @param mapper the mapper that converts task arguments to parameter types
	 */
	public DefaultTaskListenerContainerFactory(Backend backend, JsonMapper mapper) {
		Assert.notNull(backend, "'backend' must not be null");
		Assert.notNull(mapper, "'mapper' must not be null");
		this.backend = backend;
		this.mapper = mapper;
	}

	/**
	 * Set the settings of the containers.
	 * @param settings the settings
	 */
	public void setSettings(ContainerSettings settings) {
		Assert.notNull(settings, "'settings' must not be null");
		this.settings = settings;
	}

	public ContainerSettings getSettings() {
		return this.settings;
	}

	/**
	 * Set the executor that runs tasks, instead of one created per container.
	 * @param taskExecutor the executor
	 */
	public void setTaskExecutor(@Nullable AsyncTaskExecutor taskExecutor) {
		this.taskExecutor = taskExecutor;
	}

	@Override
	public TaskListenerContainer createContainer(String queue, List<TaskEndpoint> endpoints) {
		Assert.notEmpty(endpoints, "'endpoints' must not be empty");
		Map<String, TaskHandler> handlers = new LinkedHashMap<>();
		for (TaskEndpoint endpoint : endpoints) {
			handlers.put(endpoint.getName(), endpoint.createHandler(this.mapper));
		}
		QueueTaskListenerContainer container = new QueueTaskListenerContainer(this.backend, queue,
				new TaskProcessor(queue, handlers), this.settings);
		if (this.taskExecutor != null) {
			container.setTaskExecutor(this.taskExecutor);
		}
		return container;
	}

}
