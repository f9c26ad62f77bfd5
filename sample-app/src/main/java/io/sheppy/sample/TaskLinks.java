package io.sheppy.sample;

import java.util.UUID;

/**
 * Where to look at a task.
 *
 * @param self its current state
 * @param await its state once it has finished, waiting up to five seconds
 */
public record TaskLinks(String self, String await) {

	static TaskLinks of(UUID id) {
		return new TaskLinks("/tasks/" + id, "/tasks/" + id + "/wait?timeout=5s");
	}

}
