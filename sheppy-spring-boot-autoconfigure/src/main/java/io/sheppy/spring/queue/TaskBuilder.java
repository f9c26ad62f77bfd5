package io.sheppy.spring.queue;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskConfig;
import io.sheppy.spring.core.TaskSpec;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.util.Assert;

/**
 * Builds a task by name, for tasks that run in another application or in Python: positional and keyword arguments
 * are converted to JSON values, the result type says what the awaited result is converted to.
 *
 * <pre class="code">
 * Task&lt;Integer&gt; task = taskQueue.task("fxtasks:add").args(1, 2).resultType(Integer.class).build();
 * </pre>
 *
 * @param <R> the result type
 * @author Sheppy for Spring
 */
public final class TaskBuilder<R> {

	private final TaskFactory factory;

	private final String name;

	private final List<@Nullable Object> args = new ArrayList<>();

	private final Map<String, @Nullable Object> kwargs = new LinkedHashMap<>();

	private TaskConfig config = TaskConfig.DEFAULT;

	private @Nullable String queue;

	private Type resultType = Object.class;

	TaskBuilder(TaskFactory factory, String name) {
		Assert.hasText(name, "'name' must not be empty");
		this.factory = factory;
		this.name = name;
	}

	/**
	 * Add positional arguments.
	 * @param args the arguments
	 * @return this builder
	 */
	public TaskBuilder<R> args(@Nullable Object... args) {
		for (Object arg : args) {
			this.args.add(this.factory.toJson(this.name, this.args.size(), arg));
		}
		return this;
	}

	/**
	 * Add a keyword argument.
	 * @param name the parameter name
	 * @param value the argument
	 * @return this builder
	 */
	public TaskBuilder<R> kwarg(String name, @Nullable Object value) {
		Assert.hasText(name, "'name' must not be empty");
		this.kwargs.put(name, this.factory.toJson(this.name, "'" + name + "'", value));
		return this;
	}

	/**
	 * Add keyword arguments.
	 * @param kwargs the arguments by parameter name
	 * @return this builder
	 */
	public TaskBuilder<R> kwargs(Map<String, ?> kwargs) {
		Assert.notNull(kwargs, "'kwargs' must not be null");
		kwargs.forEach(this::kwarg);
		return this;
	}

	/**
	 * Set the config of the task's runs.
	 * @param config the config
	 * @return this builder
	 */
	public TaskBuilder<R> config(TaskConfig config) {
		Assert.notNull(config, "'config' must not be null");
		this.config = config;
		return this;
	}

	/**
	 * Set the queue of the task, instead of the queue it is added to.
	 * @param queue the queue name
	 * @return this builder
	 */
	public TaskBuilder<R> queue(String queue) {
		Assert.hasText(queue, "'queue' must not be empty");
		this.queue = queue;
		return this;
	}

	/**
	 * Set the type the task's result is converted to when it is awaited.
	 * @param <T> the result type
	 * @param resultType the result type
	 * @return this builder
	 */
	@SuppressWarnings("unchecked")
	public <T> TaskBuilder<T> resultType(Class<T> resultType) {
		Assert.notNull(resultType, "'resultType' must not be null");
		this.resultType = resultType;
		return (TaskBuilder<T>) this;
	}

	/**
	 * Set the generic type the task's result is converted to when it is awaited.
	 * @param <T> the result type
	 * @param resultType the result type
	 * @return this builder
	 */
	@SuppressWarnings("unchecked")
	public <T> TaskBuilder<T> resultType(ParameterizedTypeReference<T> resultType) {
		Assert.notNull(resultType, "'resultType' must not be null");
		this.resultType = resultType.getType();
		return (TaskBuilder<T>) this;
	}

	/**
	 * Build the task.
	 * @return a new task, status {@code new}
	 */
	public Task<R> build() {
		Task.Builder<R> builder = Task.builder(new TaskSpec(this.name, this.args, this.kwargs), this.resultType);
		return builder.config(this.config).queue(this.queue).build();
	}

}
