package io.sheppy.spring.queue;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;
import org.jspecify.annotations.Nullable;

import org.springframework.objenesis.SpringObjenesis;
import org.springframework.util.Assert;

/**
 * Checks the Bean Validation constraints on the parameters of a task method ({@code @NotBlank String to},
 * {@code @Valid Order order}) and throws a {@link ConstraintViolationException} when they are violated, so that an
 * invalid task is refused before it is queued.
 *
 * @author Sheppy for Spring
 */
public class BeanValidationTaskArgumentValidator implements TaskArgumentValidator {

	private static final SpringObjenesis OBJENESIS = new SpringObjenesis();

	private final Validator validator;

	private final Function<Class<?>, @Nullable Object> targets;

	private final Map<Class<?>, Object> blankTargets = new ConcurrentHashMap<>();

	/**
	 * Create a validator.
	 * @param validator the Bean Validation validator
	 * @param targets finds the bean a task method belongs to, or returns {@code null} when this application has none
	 * (a blank instance then stands in, since only the parameters are validated)
	 */
	public BeanValidationTaskArgumentValidator(Validator validator, Function<Class<?>, @Nullable Object> targets) {
		Assert.notNull(validator, "'validator' must not be null");
		Assert.notNull(targets, "'targets' must not be null");
		this.validator = validator;
		this.targets = targets;
	}

	@Override
	public void validate(Method method, Class<?> receiverClass, @Nullable Object[] args) {
		Object target = this.targets.apply(receiverClass);
		if (target == null) {
			target = this.blankTargets.computeIfAbsent(receiverClass, OBJENESIS::newInstance);
		}
		Set<ConstraintViolation<Object>> violations = this.validator.forExecutables()
			.validateParameters(target, method, args);
		if (!violations.isEmpty()) {
			throw new ConstraintViolationException("Invalid arguments for task method " + receiverClass.getName() + "."
					+ method.getName() + ": " + violations.stream()
						.map((violation) -> violation.getPropertyPath() + " " + violation.getMessage())
						.sorted()
						.toList(),
					violations);
		}
	}

}
