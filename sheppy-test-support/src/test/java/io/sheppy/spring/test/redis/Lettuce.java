package io.sheppy.spring.test.redis;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * Talks to a test {@link RedisServer} through a fresh Lettuce connection.
 */
final class Lettuce {

	private Lettuce() {
	}

	static RedisClient client(RedisServer server) {
		RedisURI uri = RedisURI.create(server.uri());
		uri.setTimeout(Duration.ofSeconds(5));
		return RedisClient.create(uri);
	}

	static <T> T call(RedisServer server, Function<RedisCommands<String, String>, T> action) {
		RedisClient client = client(server);
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			return action.apply(connection.sync());
		}
		finally {
			client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
		}
	}

	static String ping(RedisServer server) {
		return call(server, RedisCommands::ping);
	}

	static String get(RedisServer server, String key) {
		return call(server, (redis) -> redis.get(key));
	}

	static void set(RedisServer server, String key, String value) {
		call(server, (redis) -> redis.set(key, value));
	}

	static long dbsize(RedisServer server) {
		return call(server, RedisCommands::dbsize);
	}

	static Map<String, String> config(RedisServer server, String... parameters) {
		return call(server, (redis) -> redis.configGet(parameters));
	}

}
