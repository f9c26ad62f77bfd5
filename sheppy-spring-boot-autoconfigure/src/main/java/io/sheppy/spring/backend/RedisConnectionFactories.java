package io.sheppy.spring.backend;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * What the Redis backend needs to know of its connection factory beyond {@link RedisConnectionFactory}: the command
 * timeout of a Lettuce factory, and whether a Lettuce factory has closed its connections already. Lettuce is
 * optional: the parts that name it are only loaded when it is present.
 *
 * @author Sheppy for Spring
 */
final class RedisConnectionFactories {

	private static final boolean LETTUCE_PRESENT = ClassUtils.isPresent("io.lettuce.core.RedisClient",
			RedisConnectionFactories.class.getClassLoader());

	private RedisConnectionFactories() {
	}

	/**
	 * Return the command timeout of a Lettuce connection factory.
	 * @param connectionFactory the connection factory
	 * @return the timeout in milliseconds, or 0 when the factory is not Lettuce's
	 */
	static long commandTimeoutMillis(RedisConnectionFactory connectionFactory) {
		return LETTUCE_PRESENT ? Lettuce.commandTimeoutMillis(connectionFactory) : 0;
	}

	/**
	 * Return whether the connections of a factory have been closed by the factory itself: a Lettuce connection
	 * factory closes every connection it made when it stops, and an application context stops it before it destroys
	 * the beans that use it. Closing such a connection again only draws Lettuce's warning that it is already closed.
	 * @param connectionFactory the connection factory
	 * @return whether the factory has closed its connections
	 */
	static boolean hasClosedItsConnections(RedisConnectionFactory connectionFactory) {
		return LETTUCE_PRESENT && Lettuce.hasStopped(connectionFactory);
	}

	/**
	 * The parts that name Lettuce's classes, in a class of their own so that Lettuce is optional.
	 */
	private static final class Lettuce {

		static long commandTimeoutMillis(RedisConnectionFactory connectionFactory) {
			return (connectionFactory instanceof LettuceConnectionFactory lettuce) ? lettuce.getTimeout() : 0;
		}

		static boolean hasStopped(RedisConnectionFactory connectionFactory) {
			return connectionFactory instanceof LettuceConnectionFactory lettuce && !lettuce.isRunning();
		}

	}

}
