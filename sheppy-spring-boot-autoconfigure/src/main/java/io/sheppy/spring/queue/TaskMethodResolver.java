package io.sheppy.spring.queue;

import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.asm.Type;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Finds the method that a {@link TaskMethod} method reference points at, from the {@link SerializedLambda} the
 * compiler generates for it. The result is cached per call site.
 *
 * @author Sheppy for Spring
 */
final class TaskMethodResolver {

	private final Map<Class<?>, ResolvedMethod> cache = new ConcurrentHashMap<>();

	ResolvedMethod resolve(TaskMethod reference) {
		return this.cache.computeIfAbsent(reference.getClass(), (type) -> doResolve(reference));
	}

	private static ResolvedMethod doResolve(TaskMethod reference) {
		SerializedLambda lambda = serializedForm(reference);
		int kind = lambda.getImplMethodKind();
		if (lambda.getImplMethodName().startsWith("lambda$") || (kind != MethodHandleInfo.REF_invokeVirtual
				&& kind != MethodHandleInfo.REF_invokeInterface)) {
			throw new IllegalArgumentException("A task must be given as a reference to a bean method, such as "
					+ "EmailTasks::send, not as a lambda or a static method (" + lambda.getImplClass().replace('/', '.')
					+ "." + lambda.getImplMethodName() + ")");
		}
		ClassLoader classLoader = reference.getClass().getClassLoader();
		Class<?> implClass = load(lambda.getImplClass(), classLoader);
		if (lambda.getCapturedArgCount() > 0) {
			// a bound reference (tasks::send) shifts the parameters: the first would be taken for the target
			String method = ClassUtils.getShortName(implClass) + "::" + lambda.getImplMethodName();
			throw new IllegalArgumentException("A task must be given as a reference to a bean method through its "
					+ "class, such as " + method + ", not of an instance");
		}
		Class<?> receiverClass = load(
				Type.getArgumentTypes(lambda.getInstantiatedMethodType())[0].getInternalName(), classLoader);
		String descriptor = lambda.getImplMethodSignature();
		for (Method method : ReflectionUtils.getUniqueDeclaredMethods(implClass)) {
			if (method.getName().equals(lambda.getImplMethodName())
					&& Type.getMethodDescriptor(method).equals(descriptor)) {
				return new ResolvedMethod(method, receiverClass);
			}
		}
		throw new IllegalStateException("Method " + lambda.getImplMethodName() + descriptor + " not found on "
				+ implClass.getName());
	}

	private static SerializedLambda serializedForm(TaskMethod reference) {
		Method writeReplace = ReflectionUtils.findMethod(reference.getClass(), "writeReplace");
		if (writeReplace == null) {
			throw new IllegalArgumentException("A task must be given as a method reference such as EmailTasks::send");
		}
		ReflectionUtils.makeAccessible(writeReplace);
		Object form = ReflectionUtils.invokeMethod(writeReplace, reference);
		if (!(form instanceof SerializedLambda lambda)) {
			throw new IllegalArgumentException("A task must be given as a method reference such as EmailTasks::send");
		}
		return lambda;
	}

	private static Class<?> load(String internalName, ClassLoader classLoader) {
		String name = internalName.replace('/', '.');
		try {
			return ClassUtils.forName(name, classLoader);
		}
		catch (ClassNotFoundException | LinkageError ex) {
			throw new IllegalStateException("Cannot load " + name, ex);
		}
	}

	/**
	 * A resolved method reference.
	 *
	 * @param method the referenced method
	 * @param receiverClass the class the method was referenced on
	 */
	record ResolvedMethod(Method method, Class<?> receiverClass) {
	}

}
