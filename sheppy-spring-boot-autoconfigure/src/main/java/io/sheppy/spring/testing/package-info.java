/**
 * Support for users' unit tests of their tasks: {@link io.sheppy.spring.testing.TestQueue} runs tasks synchronously
 * in memory, without Redis or a Spring context.
 */
@NullMarked
package io.sheppy.spring.testing;

import org.jspecify.annotations.NullMarked;
