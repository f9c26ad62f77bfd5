package io.sheppy.sample;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Answers errors as RFC 9457 problem details ({@code application/problem+json}), saying which parameter was wrong.
 */
@RestControllerAdvice
public class ApiErrorHandler extends ResponseEntityExceptionHandler {

	@Override
	protected @Nullable ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers,
			HttpStatusCode status, WebRequest request) {
		String name = (ex instanceof MethodArgumentTypeMismatchException mismatch) ? mismatch.getName()
				: ex.getPropertyName();
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status,
				"'" + name + "' must be " + describe(ex.getRequiredType()) + ", but was '" + ex.getValue() + "'");
		return handleExceptionInternal(ex, problem, headers, status, request);
	}

	private static String describe(@Nullable Class<?> type) {
		if (type == int.class || type == Integer.class) {
			return "a whole number between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE;
		}
		if (type == UUID.class) {
			return "a task id (a UUID)";
		}
		return "a " + ((type != null) ? type.getSimpleName() : "value") + " value";
	}

}
