/**
 * Annotations that make bean methods tasks, and the post-processor that finds them.
 */
@NullMarked
package io.sheppy.spring.annotation;

import org.jspecify.annotations.NullMarked;
