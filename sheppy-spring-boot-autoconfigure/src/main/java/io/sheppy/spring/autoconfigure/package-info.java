/**
 * Auto-configuration of the task queue for Spring Boot.
 */
@NullMarked
package io.sheppy.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
