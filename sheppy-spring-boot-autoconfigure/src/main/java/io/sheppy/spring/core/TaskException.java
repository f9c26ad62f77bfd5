package io.sheppy.spring.core;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * The record of the exception that ended a task's attempt, as Python Sheppy writes it.
 *
 * @param type the exception's class name without its package (Python: {@code ValueError})
 * @param module the exception's package (Python: {@code builtins})
 * @param message the exception's message, empty when it has none
 * @param args the exception's arguments (for a Java exception, its message)
 * @param traceback the stack trace, or {@code null}
 * @author Sheppy for Spring
 */
public record TaskException(String type, String module, String message, List<@Nullable Object> args,
		@Nullable String traceback) {

	public TaskException {
		Assert.notNull(type, "'type' must not be null");
		Assert.notNull(module, "'module' must not be null");
		Assert.notNull(message, "'message' must not be null");
		Assert.notNull(args, "'args' must not be null");
		args = Collections.unmodifiableList(new ArrayList<>(args));
	}

	/**
	 * Return the record of a Java exception.
	 * @param ex the exception
	 * @return the record
	 */
	public static TaskException of(Throwable ex) {
		Assert.notNull(ex, "'ex' must not be null");
		Class<?> type = ex.getClass();
		String packageName = type.getPackageName();
		String simpleName = packageName.isEmpty() ? type.getName() : type.getName().substring(packageName.length() + 1);
		String message = (ex.getMessage() != null) ? ex.getMessage() : "";
		List<@Nullable Object> args = (ex.getMessage() != null) ? List.of(ex.getMessage()) : List.of();
		return new TaskException(simpleName, packageName, message, args, stackTrace(ex));
	}

	/**
	 * Return a record for a failure that has no Java exception behind it.
	 * @param type the type name to record
	 * @param message the message
	 * @return the record
	 */
	public static TaskException of(String type, String message) {
		return new TaskException(type, "io.sheppy.spring", message, List.of(message), null);
	}

	private static String stackTrace(Throwable ex) {
		StringWriter writer = new StringWriter();
		ex.printStackTrace(new PrintWriter(writer));
		return writer.toString();
	}

}
