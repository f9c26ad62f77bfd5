package io.sheppy.spring.queue;

import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;

/**
 * Checks the arguments of a task created from a method before it is queued, for example against Bean Validation
 * constraints on the method's parameters.
 *
 * @author Sheppy for Spring
 * @see BeanValidationTaskArgumentValidator
 */
@FunctionalInterface
public interface TaskArgumentValidator {

	/**
	 * Check arguments.
	 * @param method the task method
	 * @param receiverClass the class the method belongs to
	 * @param args the arguments, one per parameter
	 * @throws RuntimeException if the arguments are not valid
	 */
	void validate(Method method, Class<?> receiverClass, @Nullable Object[] args);

}
