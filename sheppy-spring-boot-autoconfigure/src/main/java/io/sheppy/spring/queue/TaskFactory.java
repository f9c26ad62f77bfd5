package io.sheppy.spring.queue;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import io.sheppy.spring.annotation.TaskMethodDefinition;
import io.sheppy.spring.annotation.TaskMethodDefinitionReader;
import io.sheppy.spring.core.InvalidTaskException;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskConfig;
import io.sheppy.spring.core.TaskSpec;

import org.springframework.util.Assert;

/**
 * Creates tasks from {@link TaskMethod} method references: reads the method's
 * {@link io.sheppy.spring.annotation.SheppyTask @SheppyTask}, checks the arguments (Bean Validation when a validator
 * is configured), and converts them to JSON values with the application's mapper. Nothing is queued.
 *
 * @author Sheppy for Spring
 */
public class TaskFactory {

	private final TaskMethodResolver resolver = new TaskMethodResolver();

	private final Map<Method, TaskMethodDefinition> definitions = new ConcurrentHashMap<>();

	private final TaskMethodDefinitionReader reader;

	private final JsonMapper mapper;

	private final String defaultQueue;

	private final @Nullable TaskArgumentValidator validator;

	/**
	 * Create a factory.
	 * @param reader reads task definitions from annotations
	 * @param mapper converts arguments to JSON values
	 * @param defaultQueue the queue of tasks whose annotation names none
	 * @param validator checks arguments, or {@code null} for no checks
	 */
	public TaskFactory(TaskMethodDefinitionReader reader, JsonMapper mapper, String defaultQueue,
			@Nullable TaskArgumentValidator validator) {
		Assert.notNull(reader, "'reader' must not be null");
		Assert.notNull(mapper, "'mapper' must not be null");
		Assert.hasText(defaultQueue, "'defaultQueue' must not be empty");
		this.reader = reader;
		this.mapper = mapper;
		this.defaultQueue = defaultQueue;
		this.validator = validator;
	}

	public String getDefaultQueue() {
		return this.defaultQueue;
	}

	/**
	 * Create a task of a method.
	 * @param <R> the result type
	 * @param reference the method reference
	 * @param args the arguments, one per parameter of the method (the value for a {@link Task} parameter is ignored)
	 * @return the task, status {@code new}, belonging to the method's queue
	 * @throws IllegalArgumentException if the reference is not a method reference or an argument cannot be written
	 * as JSON
	 * @throws RuntimeException what the validator throws when arguments are invalid
	 */
	@SuppressWarnings("unchecked")
	<R> Task<R> create(TaskMethod reference, @Nullable Object... args) {
		Assert.notNull(reference, "'reference' must not be null");
		TaskMethodResolver.ResolvedMethod resolved = this.resolver.resolve(reference);
		Method method = resolved.method();
		TaskMethodDefinition definition = this.definitions.computeIfAbsent(method,
				(key) -> this.reader.read(key, resolved.receiverClass()));
		if (this.validator != null) {
			this.validator.validate(method, resolved.receiverClass(), args);
		}
		List<@Nullable Object> values = new ArrayList<>(args.length);
		Class<?>[] parameterTypes = method.getParameterTypes();
		for (int i = 0; i < args.length; i++) {
			if (!Task.class.isAssignableFrom(parameterTypes[i])) {
				values.add(toJson(definition.name(), i, args[i]));
			}
		}
		String queue = (definition.queue() != null) ? definition.queue() : this.defaultQueue;
		TaskConfig config = definition.config();
		if (definition.backoff() != null) {
			config = config.withRetryDelay(definition.backoff().delays(config.retry(), ThreadLocalRandom.current()));
		}
		return (Task<R>) Task.builder(new TaskSpec(definition.name(), values, Map.of()), definition.resultType())
			.config(config)
			.queue(queue)
			.build();
	}

	/**
	 * Convert a value to its JSON form: {@code null}, Boolean, Number, String, List or Map.
	 * @param task the task name, for messages
	 * @param position the argument position, for messages
	 * @param value the value
	 * @return the JSON value
	 */
	@Nullable Object toJson(String task, Object position, @Nullable Object value) {
		if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer
				|| value instanceof Long || value instanceof Double) {
			return value;
		}
		try {
			return this.mapper.convertValue(value, Object.class);
		}
		catch (JacksonException | IllegalArgumentException ex) {
			throw new InvalidTaskException(null, "Argument " + position + " of task '" + task + "' (a "
					+ value.getClass().getName() + ") cannot be written as JSON: " + ex.getMessage(), ex);
		}
	}

}
