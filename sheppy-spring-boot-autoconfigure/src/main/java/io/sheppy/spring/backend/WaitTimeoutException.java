package io.sheppy.spring.backend;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import io.sheppy.spring.core.SheppyException;

/**
 * Thrown when tasks did not finish within the time a caller was willing to wait for them.
 *
 * @author Sheppy for Spring
 */
public class WaitTimeoutException extends SheppyException {

	private final List<UUID> unfinished;

	public WaitTimeoutException(Duration timeout, Collection<UUID> unfinished) {
		super("Tasks did not finish within " + timeout + ": " + unfinished, null);
		this.unfinished = List.copyOf(unfinished);
	}

	/**
	 * Return the ids of the tasks that had not finished.
	 * @return the unfinished task ids
	 */
	public List<UUID> getUnfinished() {
		return this.unfinished;
	}

}
