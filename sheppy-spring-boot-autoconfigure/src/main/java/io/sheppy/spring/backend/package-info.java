/**
 * Storage of tasks: the {@link io.sheppy.spring.backend.Backend} contract and its Redis and in-memory
 * implementations.
 */
@NullMarked
package io.sheppy.spring.backend;

import org.jspecify.annotations.NullMarked;
