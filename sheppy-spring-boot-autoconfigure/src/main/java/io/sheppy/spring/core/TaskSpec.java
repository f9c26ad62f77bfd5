package io.sheppy.spring.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * What a task runs: the task's name ({@code func}) and its positional and keyword arguments as JSON values
 * ({@code null}, {@link Boolean}, {@link Number}, {@link String}, {@link List} and {@link Map}).
 *
 * @param func the task name; Python writes {@code module:function}
 * @param args the positional arguments
 * @param kwargs the keyword arguments, in order
 * @author Sheppy for Spring
 */
public record TaskSpec(String func, List<@Nullable Object> args, Map<String, @Nullable Object> kwargs) {

	public TaskSpec {
		Assert.hasText(func, "'func' must not be empty");
		Assert.notNull(args, "'args' must not be null");
		Assert.notNull(kwargs, "'kwargs' must not be null");
		args = Collections.unmodifiableList(new ArrayList<>(args));
		kwargs = Collections.unmodifiableMap(new LinkedHashMap<>(kwargs));
	}

	/**
	 * Create a spec with positional arguments only.
	 * @param func the task name
	 * @param args the positional arguments
	 * @return the spec
	 */
	public static TaskSpec of(String func, @Nullable Object... args) {
		return new TaskSpec(func, java.util.Arrays.asList(args), Map.of());
	}

}
