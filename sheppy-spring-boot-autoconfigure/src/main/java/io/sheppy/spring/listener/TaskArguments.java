package io.sheppy.spring.listener;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

import io.sheppy.spring.core.Task;

import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodParameter;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.ResolvableType;

/**
 * Binds a task's arguments to a method's parameters as Python binds a call: positional arguments first, then
 * keyword arguments by parameter name, converted to the parameter types by Jackson. A parameter of type {@link Task}
 * receives the running task and takes no argument; an absent argument of an {@link Optional} parameter is empty.
 *
 * @author Sheppy for Spring
 */
final class TaskArguments {

	private static final ParameterNameDiscoverer NAMES = new DefaultParameterNameDiscoverer();

	private final Method method;

	private final List<Slot> slots = new ArrayList<>();

	private final int valueCount;

	TaskArguments(Method method, Class<?> targetClass, JsonMapper mapper) {
		this.method = method;
		String[] names = NAMES.getParameterNames(method);
		Parameter[] parameters = method.getParameters();
		int values = 0;
		for (int i = 0; i < parameters.length; i++) {
			MethodParameter parameter = new MethodParameter(method, i).withContainingClass(targetClass);
			ResolvableType type = ResolvableType.forMethodParameter(parameter);
			boolean task = Task.class.isAssignableFrom(parameter.getParameterType());
			String name = (names != null) ? names[i] : parameters[i].getName();
			values += task ? 0 : 1;
			this.slots.add(new Slot(name, task, mapper, mapper.constructType(ConcreteTypes.of(type).getType())));
		}
		this.valueCount = values;
	}

	@Nullable Object[] bind(Task<Object> task) {
		List<@Nullable Object> args = task.getSpec().args();
		Map<String, @Nullable Object> kwargs = new LinkedHashMap<>(task.getSpec().kwargs());
		if (args.size() > this.valueCount) {
			throw new TaskArgumentException("Task '" + task.getName() + "' takes " + this.valueCount + " argument"
					+ ((this.valueCount != 1) ? "s" : "") + " but " + args.size() + " positional arguments were given");
		}
		@Nullable Object[] bound = new Object[this.slots.size()];
		int position = 0;
		for (int i = 0; i < this.slots.size(); i++) {
			Slot slot = this.slots.get(i);
			if (slot.task) {
				bound[i] = task;
				continue;
			}
			if (position < args.size()) {
				if (kwargs.containsKey(slot.name)) {
					throw new TaskArgumentException("Task '" + task.getName() + "' got multiple values for argument '"
							+ slot.name + "'");
				}
				bound[i] = slot.convert(task, args.get(position));
			}
			else if (kwargs.containsKey(slot.name)) {
				bound[i] = slot.convert(task, kwargs.remove(slot.name));
			}
			else if (slot.type.hasRawClass(Optional.class)) {
				bound[i] = Optional.empty();
			}
			else {
				throw new TaskArgumentException(
						"Task '" + task.getName() + "' is missing argument '" + slot.name + "' of " + describe());
			}
			position++;
		}
		if (!kwargs.isEmpty()) {
			throw new TaskArgumentException("Task '" + task.getName() + "' got unexpected keyword argument"
					+ ((kwargs.size() > 1) ? "s " : " ") + kwargs.keySet() + " for " + describe());
		}
		return bound;
	}

	private String describe() {
		StringBuilder text = new StringBuilder(this.method.getName()).append('(');
		for (int i = 0; i < this.slots.size(); i++) {
			Slot slot = this.slots.get(i);
			text.append((i > 0) ? ", " : "").append(slot.type.getRawClass().getSimpleName()).append(' ').append(slot.name);
		}
		return text.append(')').toString();
	}

	private record Slot(String name, boolean task, JsonMapper mapper, JavaType type) {

		@Nullable Object convert(Task<Object> owner, @Nullable Object value) {
			if (value == null) {
				if (this.type.isPrimitive()) {
					throw new TaskArgumentException("Task '" + owner.getName() + "' got null for argument '" + this.name
							+ "' of type " + this.type.getRawClass().getName());
				}
				return this.type.hasRawClass(Optional.class) ? Optional.empty() : null;
			}
			try {
				return this.mapper.convertValue(value, this.type);
			}
			catch (JacksonException | IllegalArgumentException ex) {
				throw new TaskArgumentException("Task '" + owner.getName() + "' got an argument '" + this.name
						+ "' that cannot be read as " + this.type.toCanonical() + ": " + ex.getMessage(), ex);
			}
		}

	}

}
