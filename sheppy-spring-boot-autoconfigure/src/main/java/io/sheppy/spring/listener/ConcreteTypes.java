package io.sheppy.spring.listener;

import org.springframework.core.ResolvableType;

/**
 * Turns the types of task method parameters and results into types without type variables, for Jackson: a variable
 * resolved through the bean class (the {@code T} of a method inherited from {@code Base<T>}) or the enclosing type
 * (the {@code T} of {@code CompletableFuture<T>}) is replaced by what it stands for.
 *
 * @author Sheppy for Spring
 */
public final class ConcreteTypes {

	private ConcreteTypes() {
	}

	/**
	 * Return a type whose {@link ResolvableType#getType()} holds no type variables.
	 * @param type the type, resolved against the bean class
	 * @return the concrete type; a variable that cannot be resolved becomes {@code Object}
	 */
	public static ResolvableType of(ResolvableType type) {
		if (type.isArray()) {
			return ResolvableType.forArrayComponent(of(type.getComponentType()));
		}
		Class<?> raw = type.resolve(Object.class);
		if (!type.hasGenerics()) {
			return ResolvableType.forClass(raw);
		}
		ResolvableType[] generics = type.getGenerics();
		ResolvableType[] resolved = new ResolvableType[generics.length];
		for (int i = 0; i < generics.length; i++) {
			resolved[i] = of(generics[i]);
		}
		return ResolvableType.forClassWithGenerics(raw, resolved);
	}

}
