package io.sheppy.spring.config;

import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import io.sheppy.spring.core.TaskConfig;
import io.sheppy.spring.listener.MethodTaskHandler;
import io.sheppy.spring.listener.RetryableExceptions;
import io.sheppy.spring.listener.TaskHandler;

import org.springframework.util.Assert;

/**
 * A task run by invoking a bean method, such as one annotated with
 * {@link io.sheppy.spring.annotation.SheppyTask @SheppyTask}.
 *
 * @author Sheppy for Spring
 */
public class MethodTaskEndpoint implements TaskEndpoint {

	private final Object bean;

	private final Method invocableMethod;

	private final Class<?> targetClass;

	private final String name;

	private final @Nullable String queue;

	private final @Nullable String containerFactory;

	private final TaskConfig config;

	private final RetryableExceptions retryable;

	private final String description;

	/**
	 * Create an endpoint.
	 * @param bean the bean (a proxy is fine)
	 * @param invocableMethod the method to invoke on the bean
	 * @param targetClass the class of the bean behind any proxy
	 * @param name the task name
	 * @param queue the queue, or {@code null} for the default queue
	 * @param containerFactory the bean name of the container factory, or {@code null} for the default one
	 * @param config the config of tasks created from the method
	 * @param retryable which exceptions of the method are worth a retry
	 * @param description where the task is declared, for messages
	 */
	public MethodTaskEndpoint(Object bean, Method invocableMethod, Class<?> targetClass, String name,
			@Nullable String queue, @Nullable String containerFactory, TaskConfig config, RetryableExceptions retryable,
			String description) {
		Assert.notNull(bean, "'bean' must not be null");
		Assert.notNull(invocableMethod, "'invocableMethod' must not be null");
		Assert.hasText(name, "'name' must not be empty");
		Assert.notNull(config, "'config' must not be null");
		Assert.notNull(retryable, "'retryable' must not be null");
		this.bean = bean;
		this.invocableMethod = invocableMethod;
		this.targetClass = targetClass;
		this.name = name;
		this.queue = queue;
		this.containerFactory = containerFactory;
		this.config = config;
		this.retryable = retryable;
		this.description = description;
	}

	@Override
	public String getName() {
		return this.name;
	}

	@Override
	public @Nullable String getQueue() {
		return this.queue;
	}

	@Override
	public @Nullable String getContainerFactory() {
		return this.containerFactory;
	}

	/**
	 * Return the config of tasks created from the method.
	 * @return the config
	 */
	public TaskConfig getConfig() {
		return this.config;
	}

	@Override
	public String describe() {
		return this.description;
	}

	@Override
	public TaskHandler createHandler(JsonMapper mapper) {
		return new MethodTaskHandler(this.bean, this.invocableMethod, this.targetClass, mapper, this.retryable);
	}

	@Override
	public String toString() {
		return "MethodTaskEndpoint[" + this.name + " -> " + this.description + "]";
	}

}
