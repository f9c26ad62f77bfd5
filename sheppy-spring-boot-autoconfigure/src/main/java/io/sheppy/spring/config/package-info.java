/**
 * Task endpoints and their registry: which task names run on which queue, and the factory that creates the listener
 * container of each queue.
 */
@NullMarked
package io.sheppy.spring.config;

import org.jspecify.annotations.NullMarked;
