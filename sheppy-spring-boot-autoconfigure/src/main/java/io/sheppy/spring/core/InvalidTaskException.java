package io.sheppy.spring.core;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when task or cron JSON cannot be read into the wire model: malformed JSON, a missing required field or a
 * value of the wrong type. The message names the offending field.
 *
 * @author Sheppy for Spring
 */
public class InvalidTaskException extends SheppyException {

	private final @Nullable String field;

	public InvalidTaskException(@Nullable String field, String message) {
		this(field, message, null);
	}

	public InvalidTaskException(@Nullable String field, String message, @Nullable Throwable cause) {
		super(message, cause);
		this.field = field;
	}

	/**
	 * Return the dotted path of the offending field (for example {@code config.retry}), if one is known.
	 * @return the field path or {@code null}
	 */
	public @Nullable String getField() {
		return this.field;
	}

}
