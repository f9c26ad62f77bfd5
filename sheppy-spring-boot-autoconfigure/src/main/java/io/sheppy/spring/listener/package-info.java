/**
 * Workers: listener containers that take tasks from a queue and run them, one container per queue.
 */
@NullMarked
package io.sheppy.spring.listener;

import org.jspecify.annotations.NullMarked;
