/**
 * The Sheppy wire model: {@link io.sheppy.spring.core.Task} and its parts, mapped to the JSON that Python Sheppy reads
 * and writes, and the exceptions of the task queue.
 */
@NullMarked
package io.sheppy.spring.core;

import org.jspecify.annotations.NullMarked;
