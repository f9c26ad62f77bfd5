package io.sheppy.spring.config;

import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import io.sheppy.spring.annotation.TaskMethodDefinition;
import io.sheppy.spring.listener.MethodTaskHandler;
import io.sheppy.spring.listener.TaskHandler;

import org.springframework.util.Assert;

/**
 * A task declared by a bean method annotated with {@link io.sheppy.spring.annotation.SheppyTask @SheppyTask}.
 *
 * @author Sheppy for Spring
 */
public class MethodTaskEndpoint implements TaskEndpoint {

	private final Object bean;

	private final Method invocableMethod;

	private final Class<?> targetClass;

	private final TaskMethodDefinition definition;

	/**
	 * Create an endpoint.
	 * @param bean the bean (a proxy is fine)
	 * @param invocableMethod the method to invoke on the bean
	 * @param targetClass the class of the bean behind any proxy
	 * @param definition the task the method declares
	 */
	public MethodTaskEndpoint(Object bean, Method invocableMethod, Class<?> targetClass,
			TaskMethodDefinition definition) {
		Assert.notNull(bean, "'bean' must not be null");
		Assert.notNull(invocableMethod, "'invocableMethod' must not be null");
		Assert.notNull(definition, "'definition' must not be null");
		this.bean = bean;
		this.invocableMethod = invocableMethod;
		this.targetClass = targetClass;
		this.definition = definition;
	}

	public TaskMethodDefinition getDefinition() {
		return this.definition;
	}

	@Override
	public String getName() {
		return this.definition.name();
	}

	@Override
	public @Nullable String getQueue() {
		return this.definition.queue();
	}

	@Override
	public @Nullable String getContainerFactory() {
		return this.definition.containerFactory();
	}

	@Override
	public String describe() {
		return this.definition.describeMethod();
	}

	@Override
	public TaskHandler createHandler(JsonMapper mapper) {
		return new MethodTaskHandler(this.bean, this.invocableMethod, this.targetClass, mapper);
	}

	@Override
	public String toString() {
		return "MethodTaskEndpoint[" + getName() + " -> " + describe() + "]";
	}

}
