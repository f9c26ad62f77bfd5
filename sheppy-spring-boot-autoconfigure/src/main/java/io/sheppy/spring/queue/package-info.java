/**
 * The producer-side API: {@link io.sheppy.spring.queue.TaskQueue} creates tasks, adds them to queues, inspects
 * queues and waits for results.
 */
@NullMarked
package io.sheppy.spring.queue;

import org.jspecify.annotations.NullMarked;
