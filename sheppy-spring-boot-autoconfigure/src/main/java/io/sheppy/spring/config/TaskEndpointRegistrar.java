package io.sheppy.spring.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Collects the task endpoints found in the application, refusing two tasks of the same name, and registers them with
 * the {@link TaskEndpointRegistry}, grouped by queue.
 *
 * @author Sheppy for Spring
 */
public class TaskEndpointRegistrar {

	/** The bean name of the default container factory. */
	public static final String DEFAULT_CONTAINER_FACTORY_BEAN_NAME = "sheppyListenerContainerFactory";

	private final Map<String, TaskEndpoint> endpoints = new LinkedHashMap<>();

	/**
	 * Add an endpoint.
	 * @param endpoint the endpoint
	 * @throws IllegalStateException if another endpoint has the same task name
	 */
	public synchronized void register(TaskEndpoint endpoint) {
		Assert.notNull(endpoint, "'endpoint' must not be null");
		TaskEndpoint existing = this.endpoints.putIfAbsent(endpoint.getName(), endpoint);
		if (existing != null && existing != endpoint) {
			throw new IllegalStateException("Two tasks are named '" + endpoint.getName() + "': " + existing.describe()
					+ " and " + endpoint.describe() + "; give one of them another name with @SheppyTask(name = ...)");
		}
	}

	/**
	 * Return the endpoints added so far.
	 * @return the endpoints
	 */
	public synchronized List<TaskEndpoint> getEndpoints() {
		return List.copyOf(this.endpoints.values());
	}

	/**
	 * Register the endpoints with a registry, one container per queue.
	 * @param registry the registry
	 * @param defaultQueue the queue of endpoints that name none
	 * @param factories resolves a container factory bean name ({@code null} for the default factory) to the factory
	 */
	public synchronized void registerAll(TaskEndpointRegistry registry, String defaultQueue,
			Function<@Nullable String, TaskListenerContainerFactory> factories) {
		Map<String, List<TaskEndpoint>> byQueue = new LinkedHashMap<>();
		for (TaskEndpoint endpoint : this.endpoints.values()) {
			String queue = (endpoint.getQueue() != null) ? endpoint.getQueue() : defaultQueue;
			byQueue.computeIfAbsent(queue, (key) -> new ArrayList<>()).add(endpoint);
		}
		byQueue.forEach((queue, endpoints) -> registry.registerQueue(queue, endpoints,
				factories.apply(containerFactory(queue, endpoints))));
		this.endpoints.clear();
	}

	private static @Nullable String containerFactory(String queue, List<TaskEndpoint> endpoints) {
		String factory = null;
		TaskEndpoint chosenBy = null;
		for (TaskEndpoint endpoint : endpoints) {
			if (endpoint.getContainerFactory() == null) {
				continue;
			}
			if (factory != null && !Objects.equals(factory, endpoint.getContainerFactory())) {
				throw new IllegalStateException("Tasks of queue '" + queue + "' ask for different container factories: '"
						+ factory + "' (" + chosenBy.describe() + ") and '" + endpoint.getContainerFactory() + "' ("
						+ endpoint.describe() + "); one queue has one container");
			}
			factory = endpoint.getContainerFactory();
			chosenBy = endpoint;
		}
		return factory;
	}

}
