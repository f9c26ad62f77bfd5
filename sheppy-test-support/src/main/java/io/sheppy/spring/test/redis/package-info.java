/**
 * A private, real Redis server for tests: a Testcontainers container where a Docker engine runs, a local
 * {@code redis-server} process otherwise, with a JUnit Jupiter extension and a Spring Boot test configuration.
 */
@NullMarked
package io.sheppy.spring.test.redis;

import org.jspecify.annotations.NullMarked;
