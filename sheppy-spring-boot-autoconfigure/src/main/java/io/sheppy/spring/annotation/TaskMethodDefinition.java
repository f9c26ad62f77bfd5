package io.sheppy.spring.annotation;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.time.ZoneId;

import org.jspecify.annotations.Nullable;

import io.sheppy.spring.core.ExponentialBackoff;
import io.sheppy.spring.core.TaskConfig;
import io.sheppy.spring.listener.RetryableExceptions;

/**
 * A {@link SheppyTask @SheppyTask} method as the task it declares: name, queue, config and result type, with
 * placeholders resolved.
 *
 * @param name the task name
 * @param queue the queue, or {@code null} for the default queue
 * @param config the config of the task's runs
 * @param method the annotated method
 * @param resultType the type of the task's result (the method's return type, {@code Void} for {@code void}, the
 * value type for a {@link java.util.concurrent.CompletionStage})
 * @param containerFactory the bean name of the container factory, or {@code null} for the default one
 * @param backoff the exponential backoff that gives each task its retry delays, or {@code null} for the fixed delays
 * of the config
 * @param retryable which exceptions are worth a retry
 * @param cron the cron expression on which the task runs by itself, or {@code null}
 * @param zone the time zone of the cron, or {@code null} for UTC
 * @author Sheppy for Spring
 */
public record TaskMethodDefinition(String name, @Nullable String queue, TaskConfig config, Method method,
		Type resultType, @Nullable String containerFactory, @Nullable ExponentialBackoff backoff,
		RetryableExceptions retryable, @Nullable String cron, @Nullable ZoneId zone) {

	/**
	 * Return a readable description of the method, for messages.
	 * @return the declaring class, method name and parameter types
	 */
	public String describeMethod() {
		return describe(this.method);
	}

	static String describe(Method method) {
		StringBuilder text = new StringBuilder(method.getDeclaringClass().getName()).append('.')
			.append(method.getName())
			.append('(');
		Class<?>[] types = method.getParameterTypes();
		for (int i = 0; i < types.length; i++) {
			text.append((i > 0) ? ", " : "").append(types[i].getSimpleName());
		}
		return text.append(')').toString();
	}

}
