package io.sheppy.spring.test.redis;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class its own {@link RedisServer}, started before all tests, flushed before each test, closed after
 * all tests, and injected into constructors, lifecycle methods and test methods that declare a {@link RedisServer}
 * parameter.
 *
 * @see RedisServerExtension
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(RedisServerExtension.class)
public @interface WithRedisServer {

	/**
	 * Whether the server writes an append-only file, fsynced on every write, so that data survives a kill.
	 * @return whether the append-only file is on
	 */
	boolean aof() default false;

	/**
	 * Further configuration lines in {@code redis.conf} syntax, such as {@code "maxmemory 10mb"}.
	 * @return the configuration lines
	 */
	String[] config() default {};

	/**
	 * The {@code maxmemory-policy}, or empty for the Redis default.
	 * @return the policy
	 */
	String maxmemoryPolicy() default "";

}
