package io.sheppy.spring.backend;

import java.time.Duration;
import java.util.Properties;

import io.sheppy.spring.test.redis.RedisServer;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Connections to the test harness' Redis for the tests of {@link RedisBackend}, and what its {@code INFO} says (also
 * for the tests of workers).
 *
 * @author Sheppy for Spring
 */
public final class RedisTestSupport {

	private RedisTestSupport() {
	}

	/**
	 * Return a started Lettuce connection factory for the server, as Spring Boot would configure it.
	 */
	static LettuceConnectionFactory connectionFactory(RedisServer server) {
		return connectionFactory(server, Duration.ofSeconds(60));
	}

	/**
	 * Return a started Lettuce connection factory for the server with the given command timeout.
	 */
	static LettuceConnectionFactory connectionFactory(RedisServer server, Duration commandTimeout) {
		LettuceConnectionFactory connectionFactory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(server.host(), server.port()),
				LettuceClientConfiguration.builder().commandTimeout(commandTimeout).build());
		connectionFactory.afterPropertiesSet();
		connectionFactory.start();
		return connectionFactory;
	}

	static StringRedisTemplate redisTemplate(RedisConnectionFactory connectionFactory) {
		return new StringRedisTemplate(connectionFactory);
	}

	/**
	 * Return a numeric field of {@code INFO}, such as {@code total_connections_received}.
	 */
	static long info(StringRedisTemplate redisTemplate, String section, String field) {
		Properties info = redisTemplate
			.execute((RedisCallback<Properties>) (connection) -> connection.serverCommands().info(section));
		return Long.parseLong(info.getProperty(field).trim());
	}

	/**
	 * Return a counter of a command in {@code INFO commandstats}, such as the {@code calls} of {@code xread}; 0 when
	 * the command has not been called yet.
	 */
	public static long commandStat(StringRedisTemplate redisTemplate, String command, String counter) {
		Properties info = redisTemplate
			.execute((RedisCallback<Properties>) (connection) -> connection.serverCommands().info("commandstats"));
		String stats = info.getProperty("cmdstat_" + command);
		if (stats == null) {
			return 0;
		}
		for (String stat : stats.trim().split(",")) {
			String[] nameAndValue = stat.split("=", 2);
			if (nameAndValue[0].equals(counter)) {
				return Long.parseLong(nameAndValue[1]);
			}
		}
		return 0;
	}

}
