package io.sheppy.spring.backend;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.sheppy.spring.core.Task;

/**
 * A {@link MemoryBackend#whenFinished} call waiting for tasks of one queue to finish.
 *
 * @param queue the queue
 * @param ids the tasks waited for
 * @param future completed once all of them have finished
 * @author Sheppy for Spring
 */
record MemoryWaiter(String queue, Set<UUID> ids, CompletableFuture<Map<UUID, Task<Object>>> future) {

	MemoryWaiter(String queue, Set<UUID> ids) {
		this(queue, ids, new CompletableFuture<>());
	}

}
