package io.sheppy.spring.listener;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import io.sheppy.spring.core.Task;

import org.springframework.util.Assert;
import org.springframework.util.ReflectionUtils;

/**
 * Runs tasks by invoking a bean method: the task's arguments are bound to the method's parameters by
 * {@link TaskArguments}, and the method's return value (or the value of a returned
 * {@link CompletionStage}) is the result.
 *
 * @author Sheppy for Spring
 */
public class MethodTaskHandler implements TaskHandler {

	private final Object bean;

	private final Method method;

	private final TaskArguments arguments;

	private final RetryableExceptions retryable;

	/**
	 * Create a handler.
	 * @param bean the bean to invoke the method on (a proxy is fine)
	 * @param method the method, invocable on the bean
	 * @param targetClass the class of the bean behind any proxy, to resolve generic parameter types
	 * @param mapper the mapper that converts JSON values to parameter types
	 */
	public MethodTaskHandler(Object bean, Method method, Class<?> targetClass, JsonMapper mapper) {
		this(bean, method, targetClass, mapper, RetryableExceptions.ALL);
	}

	/**
	 * Create a handler.
	 * @param bean the bean to invoke the method on (a proxy is fine)
	 * @param method the method, invocable on the bean
	 * @param targetClass the class of the bean behind any proxy, to resolve generic parameter types
	 * @param mapper the mapper that converts JSON values to parameter types
	 * @param retryable which exceptions of the method are worth a retry
	 */
	public MethodTaskHandler(Object bean, Method method, Class<?> targetClass, JsonMapper mapper,
			RetryableExceptions retryable) {
		Assert.notNull(bean, "'bean' must not be null");
		Assert.notNull(method, "'method' must not be null");
		this.bean = bean;
		this.method = method;
		this.arguments = new TaskArguments(method, targetClass, mapper);
		this.retryable = retryable;
		ReflectionUtils.makeAccessible(method);
	}

	@Override
	public @Nullable Object handle(Task<Object> task) throws Exception {
		@Nullable Object[] args = this.arguments.bind(task);
		Object result;
		try {
			result = this.method.invoke(this.bean, args);
		}
		catch (InvocationTargetException ex) {
			throw rethrowable(ex.getTargetException());
		}
		if (result instanceof CompletionStage<?> stage) {
			try {
				return stage.toCompletableFuture().get();
			}
			catch (ExecutionException ex) {
				throw rethrowable((ex.getCause() != null) ? ex.getCause() : ex);
			}
		}
		return (result instanceof Optional<?> optional) ? optional.orElse(null) : result;
	}

	@Override
	public boolean isRetryable(Throwable ex) {
		return this.retryable.test(ex);
	}

	private static Exception rethrowable(Throwable ex) {
		if (ex instanceof Exception exception) {
			return exception;
		}
		if (ex instanceof Error error) {
			throw error;
		}
		return new IllegalStateException(ex);
	}

	@Override
	public String toString() {
		return "MethodTaskHandler[" + this.method + "]";
	}

}
