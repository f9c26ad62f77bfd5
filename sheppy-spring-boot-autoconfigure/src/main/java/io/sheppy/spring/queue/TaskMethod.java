package io.sheppy.spring.queue;

import java.io.Serializable;

/**
 * A reference to a {@link io.sheppy.spring.annotation.SheppyTask @SheppyTask} method, such as
 * {@code EmailTasks::send}, from which {@link TaskQueue} creates a task: the compiler checks the number and types of
 * the arguments against the method's parameters, and the task's result type is the method's return type. Only method
 * references are accepted, not lambdas. An overloaded method may need a cast to pick one overload.
 *
 * @author Sheppy for Spring
 */
public interface TaskMethod extends Serializable {

	/**
	 * A task method with 0 parameters and a result.
	 */
	@FunctionalInterface
	interface Of0<T, R> extends TaskMethod {

		R invoke(T target) throws Exception;

	}

	/**
	 * A void task method with 0 parameters.
	 */
	@FunctionalInterface
	interface Void0<T> extends TaskMethod {

		void invoke(T target) throws Exception;

	}

	/**
	 * A task method with 1 parameter and a result.
	 */
	@FunctionalInterface
	interface Of1<T, A, R> extends TaskMethod {

		R invoke(T target, A a) throws Exception;

	}

	/**
	 * A void task method with 1 parameter.
	 */
	@FunctionalInterface
	interface Void1<T, A> extends TaskMethod {

		void invoke(T target, A a) throws Exception;

	}

	/**
	 * A task method with 2 parameters and a result.
	 */
	@FunctionalInterface
	interface Of2<T, A, B, R> extends TaskMethod {

		R invoke(T target, A a, B b) throws Exception;

	}

	/**
	 * A void task method with 2 parameters.
	 */
	@FunctionalInterface
	interface Void2<T, A, B> extends TaskMethod {

		void invoke(T target, A a, B b) throws Exception;

	}

	/**
	 * A task method with 3 parameters and a result.
	 */
	@FunctionalInterface
	interface Of3<T, A, B, C, R> extends TaskMethod {

		R invoke(T target, A a, B b, C c) throws Exception;

	}

	/**
	 * A void task method with 3 parameters.
	 */
	@FunctionalInterface
	interface Void3<T, A, B, C> extends TaskMethod {

		void invoke(T target, A a, B b, C c) throws Exception;

	}

	/**
	 * A task method with 4 parameters and a result.
	 */
	@FunctionalInterface
	interface Of4<T, A, B, C, D, R> extends TaskMethod {

		R invoke(T target, A a, B b, C c, D d) throws Exception;

	}

	/**
	 * A void task method with 4 parameters.
	 */
	@FunctionalInterface
	interface Void4<T, A, B, C, D> extends TaskMethod {

		void invoke(T target, A a, B b, C c, D d) throws Exception;

	}

	/**
	 * A task method with 5 parameters and a result.
	 */
	@FunctionalInterface
	interface Of5<T, A, B, C, D, E, R> extends TaskMethod {

		R invoke(T target, A a, B b, C c, D d, E e) throws Exception;

	}

	/**
	 * A void task method with 5 parameters.
	 */
	@FunctionalInterface
	interface Void5<T, A, B, C, D, E> extends TaskMethod {

		void invoke(T target, A a, B b, C c, D d, E e) throws Exception;

	}

	/**
	 * A task method with 6 parameters and a result.
	 */
	@FunctionalInterface
	interface Of6<T, A, B, C, D, E, F, R> extends TaskMethod {

		R invoke(T target, A a, B b, C c, D d, E e, F f) throws Exception;

	}

	/**
	 * A void task method with 6 parameters.
	 */
	@FunctionalInterface
	interface Void6<T, A, B, C, D, E, F> extends TaskMethod {

		void invoke(T target, A a, B b, C c, D d, E e, F f) throws Exception;

	}
}
