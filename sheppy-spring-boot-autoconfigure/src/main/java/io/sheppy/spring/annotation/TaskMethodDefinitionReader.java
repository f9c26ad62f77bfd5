package io.sheppy.spring.annotation;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import io.sheppy.spring.core.CronSchedule;
import io.sheppy.spring.core.ExponentialBackoff;
import io.sheppy.spring.core.RetryDelay;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskConfig;
import io.sheppy.spring.core.Ttl;
import io.sheppy.spring.listener.ConcreteTypes;
import io.sheppy.spring.listener.RetryableExceptions;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.annotation.MergedAnnotations.SearchStrategy;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;
import org.springframework.util.StringValueResolver;

/**
 * Reads the {@link SheppyTask @SheppyTask} of a method into a {@link TaskMethodDefinition}, resolving placeholders
 * and failing with a message that names the method and attribute when a value is invalid.
 *
 * @author Sheppy for Spring
 */
public class TaskMethodDefinitionReader {

	private static final Pattern SECONDS = Pattern.compile("\\d+(\\.\\d+)?");

	private final @Nullable StringValueResolver resolver;

	/**
	 * Create a reader.
	 * @param resolver resolves {@code ${...}} placeholders in attribute values, or {@code null} for none
	 */
	public TaskMethodDefinitionReader(@Nullable StringValueResolver resolver) {
		this.resolver = resolver;
	}

	/**
	 * Return whether the method is a task method.
	 * @param method the method
	 * @return whether it is annotated (directly or through a meta-annotation)
	 */
	public static boolean isTaskMethod(Method method) {
		return AnnotatedElementUtils.hasAnnotation(method, SheppyTask.class);
	}

	/**
	 * Read the task declared by a method.
	 * @param method the annotated method
	 * @param targetClass the class of the bean the method belongs to
	 * @return the definition
	 * @throws IllegalStateException if the method is not annotated or an attribute is invalid
	 */
	public TaskMethodDefinition read(Method method, Class<?> targetClass) {
		SheppyTask annotation = AnnotatedElementUtils.findMergedAnnotation(method, SheppyTask.class);
		if (annotation == null) {
			throw new IllegalStateException(
					"Method " + TaskMethodDefinition.describe(method) + " is not annotated with @SheppyTask");
		}
		@Nullable String name;
		@Nullable String queue;
		@Nullable String containerFactory;
		@Nullable ExponentialBackoff backoff;
		@Nullable String cron;
		@Nullable ZoneId zone;
		TaskConfig config = TaskConfig.DEFAULT;
		try {
			name = resolve(annotation.name());
			queue = resolve(annotation.queue());
			containerFactory = resolve(annotation.containerFactory());
			config = config.withRetry(annotation.retry());
			if (annotation.retryDelay().length > 0) {
				config = config.withRetryDelay(retryDelay(method, annotation.retryDelay()));
			}
			config = config.withTimeout(duration(method, "timeout", resolve(annotation.timeout())))
				.withRetryOnTimeout(annotation.retryOnTimeout())
				.withRetryOnCrash(annotation.retryOnCrash())
				.withTtl(ttl(method, "ttl", resolve(annotation.ttl())))
				.withErrorTtl(ttl(method, "errorTtl", resolve(annotation.errorTtl())));
			backoff = backoff(method, annotation.backoff());
			cron = cron(method, resolve(annotation.cron()));
			zone = zone(method, resolve(annotation.zone()));
			if (zone != null && cron == null) {
				throw invalid(method, "zone is only for a cron");
			}
			if (backoff != null && annotation.retryDelay().length > 0) {
				throw invalid(method, "give either retryDelay or backoff, not both");
			}
		}
		catch (IllegalArgumentException ex) {
			throw invalid(method, ex.getMessage());
		}
		String taskName = StringUtils.hasText(name) ? name : defaultName(method);
		return new TaskMethodDefinition(taskName, emptyToNull(queue), config, method, resultType(method, targetClass),
				emptyToNull(containerFactory), backoff,
				new RetryableExceptions(List.of(annotation.retryOn()), List.of(annotation.noRetryOn())), cron, zone);
	}

	private @Nullable String cron(Method method, @Nullable String expression) {
		if (!StringUtils.hasText(expression)) {
			return null;
		}
		CronSchedule.parse(expression);
		for (Class<?> type : method.getParameterTypes()) {
			if (!Task.class.isAssignableFrom(type) && type != Optional.class) {
				throw invalid(method, "a task with a cron runs without arguments, so its method may only take Task "
						+ "and Optional parameters");
			}
		}
		return expression.trim();
	}

	private @Nullable ZoneId zone(Method method, @Nullable String zone) {
		if (!StringUtils.hasText(zone)) {
			return null;
		}
		try {
			return ZoneId.of(zone.trim());
		}
		catch (DateTimeException ex) {
			throw invalid(method, "zone '" + zone + "' is not a time zone id such as Europe/Berlin");
		}
	}

	private @Nullable ExponentialBackoff backoff(Method method, Backoff backoff) {
		Duration delay = duration(method, "backoff.delay", resolve(backoff.delay()));
		if (delay == null) {
			return null;
		}
		return new ExponentialBackoff(delay, backoff.multiplier(),
				duration(method, "backoff.maxDelay", resolve(backoff.maxDelay())), backoff.jitter());
	}

	/**
	 * Return the default name of a task: the class that declares the annotated method, and the method's name. The
	 * class is the one where the annotation is, not the bean's, so that a producer that refers to the method through
	 * an interface or a base class and a worker that finds it on the bean agree on the name.
	 */
	private static String defaultName(Method method) {
		Object source = MergedAnnotations.from(method, SearchStrategy.TYPE_HIERARCHY).get(SheppyTask.class).getSource();
		Class<?> declaringClass = (source instanceof Method annotated) ? annotated.getDeclaringClass()
				: method.getDeclaringClass();
		return ClassUtils.getUserClass(declaringClass).getName() + ":" + method.getName();
	}

	private RetryDelay retryDelay(Method method, String[] values) {
		List<Duration> delays = new ArrayList<>(values.length);
		for (String value : values) {
			Duration delay = duration(method, "retryDelay", resolve(value));
			if (delay == null) {
				throw invalid(method, "retryDelay must not contain an empty value");
			}
			delays.add(delay);
		}
		return RetryDelay.ofDurations(delays);
	}

	private @Nullable Duration duration(Method method, String attribute, @Nullable String value) {
		if (!StringUtils.hasText(value)) {
			return null;
		}
		String text = value.trim();
		try {
			if (SECONDS.matcher(text).matches()) {
				return Duration.ofNanos(new BigDecimal(text).movePointRight(9).longValueExact());
			}
			return DurationStyle.detectAndParse(text, ChronoUnit.SECONDS);
		}
		catch (IllegalArgumentException | ArithmeticException ex) {
			throw invalid(method, attribute + " '" + value + "' is not a duration (examples: 30s, 500ms, 1.5, PT1M)");
		}
	}

	private Ttl ttl(Method method, String attribute, @Nullable String value) {
		if (!StringUtils.hasText(value) || Ttl.INHERIT_VALUE.equalsIgnoreCase(value.trim())) {
			return Ttl.INHERIT;
		}
		if ("never".equalsIgnoreCase(value.trim())) {
			return Ttl.NEVER;
		}
		return Ttl.of(duration(method, attribute, value));
	}

	private static Type resultType(Method method, Class<?> targetClass) {
		ResolvableType type = ResolvableType.forMethodReturnType(method, targetClass);
		if (CompletionStage.class.isAssignableFrom(type.toClass())) {
			type = type.as(CompletionStage.class).getGeneric(0);
		}
		if (type.toClass() == void.class) {
			return Void.class;
		}
		return ConcreteTypes.of(type).getType();
	}

	private @Nullable String resolve(String value) {
		return (this.resolver != null) ? this.resolver.resolveStringValue(value) : value;
	}

	private static @Nullable String emptyToNull(@Nullable String value) {
		return StringUtils.hasText(value) ? value.trim() : null;
	}

	private static IllegalStateException invalid(Method method, @Nullable String reason) {
		return new IllegalStateException("Invalid @SheppyTask on " + TaskMethodDefinition.describe(method) + ": " + reason);
	}

}
