package io.sheppy.spring.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

import io.sheppy.spring.listener.TaskListenerContainer;

import org.springframework.context.SmartLifecycle;
import org.springframework.util.Assert;

/**
 * Owns the listener containers, one per queue: creates them from the registered endpoints, starts them with the
 * application context and stops them before the connections they use are closed.
 *
 * @author Sheppy for Spring
 */
public class TaskEndpointRegistry implements SmartLifecycle {

	/** The phase of the registry: started late and stopped early. */
	public static final int DEFAULT_PHASE = Integer.MAX_VALUE - 100;

	private final Map<String, TaskListenerContainer> containers = new LinkedHashMap<>();

	private final Map<String, TaskEndpoint> endpoints = new LinkedHashMap<>();

	private final Object monitor = new Object();

	private String defaultQueue = "default";

	private int phase = DEFAULT_PHASE;

	private boolean autoStartup = true;

	private volatile boolean running;

	/**
	 * Create the container of a queue.
	 * @param queue the queue
	 * @param endpoints the tasks that run on it
	 * @param factory the factory that creates the container
	 * @return the container
	 */
	public TaskListenerContainer registerQueue(String queue, List<TaskEndpoint> endpoints,
			TaskListenerContainerFactory factory) {
		Assert.hasText(queue, "'queue' must not be empty");
		Assert.notEmpty(endpoints, "'endpoints' must not be empty");
		synchronized (this.monitor) {
			Assert.state(!this.containers.containsKey(queue), () -> "Queue '" + queue + "' already has a container");
			TaskListenerContainer container = factory.createContainer(queue, endpoints);
			this.containers.put(queue, container);
			endpoints.forEach((endpoint) -> this.endpoints.put(endpoint.getName(), endpoint));
			if (this.running) {
				container.start();
			}
			return container;
		}
	}

	/**
	 * Return the container of a queue.
	 * @param queue the queue
	 * @return the container, or {@code null} if the queue has none
	 */
	public @Nullable TaskListenerContainer getContainer(String queue) {
		synchronized (this.monitor) {
			return this.containers.get(queue);
		}
	}

	/**
	 * Return all containers.
	 * @return the containers
	 */
	public Collection<TaskListenerContainer> getContainers() {
		synchronized (this.monitor) {
			return Collections.unmodifiableList(new ArrayList<>(this.containers.values()));
		}
	}

	/**
	 * Return the endpoint of a task.
	 * @param name the task name
	 * @return the endpoint, or {@code null} if this application does not run the task
	 */
	public @Nullable TaskEndpoint getEndpoint(String name) {
		synchronized (this.monitor) {
			return this.endpoints.get(name);
		}
	}

	/**
	 * Set the queue of tasks that name none.
	 * @param defaultQueue the default queue
	 */
	public void setDefaultQueue(String defaultQueue) {
		Assert.hasText(defaultQueue, "'defaultQueue' must not be empty");
		this.defaultQueue = defaultQueue;
	}

	public String getDefaultQueue() {
		return this.defaultQueue;
	}

	public void setPhase(int phase) {
		this.phase = phase;
	}

	public void setAutoStartup(boolean autoStartup) {
		this.autoStartup = autoStartup;
	}

	@Override
	public int getPhase() {
		return this.phase;
	}

	@Override
	public boolean isAutoStartup() {
		return this.autoStartup;
	}

	@Override
	public void start() {
		synchronized (this.monitor) {
			this.containers.values().forEach(TaskListenerContainer::start);
			this.running = true;
		}
	}

	@Override
	public void stop() {
		synchronized (this.monitor) {
			this.running = false;
			this.containers.values().forEach(TaskListenerContainer::stop);
		}
	}

	@Override
	public void stop(Runnable callback) {
		List<TaskListenerContainer> toStop;
		synchronized (this.monitor) {
			this.running = false;
			toStop = new ArrayList<>(this.containers.values());
		}
		if (toStop.isEmpty()) {
			callback.run();
			return;
		}
		AtomicInteger remaining = new AtomicInteger(toStop.size());
		for (TaskListenerContainer container : toStop) {
			container.stop(() -> {
				if (remaining.decrementAndGet() == 0) {
					callback.run();
				}
			});
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
