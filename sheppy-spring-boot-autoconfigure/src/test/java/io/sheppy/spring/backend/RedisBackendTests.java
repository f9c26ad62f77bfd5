package io.sheppy.spring.backend;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.sheppy.spring.core.TaskJson;

/**
 * Tests for {@link RedisBackend} against the {@linkplain BackendContractTests backend contract}, on a real Redis
 * started by the test harness (one per class, flushed before each test).
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
class RedisBackendTests extends BackendContractTests {

	private static LettuceConnectionFactory connectionFactory;

	private RedisBackend redisBackend;

	@BeforeAll
	static void connect(RedisServer server) {
		connectionFactory = RedisTestSupport.connectionFactory(server);
	}

	@AfterAll
	static void disconnect() {
		connectionFactory.destroy();
	}

	@Override
	protected Backend createBackend() {
		this.redisBackend = new RedisBackend(connectionFactory, new TaskJson());
		return this.redisBackend;
	}

	@AfterEach
	void closeBackend() {
		this.redisBackend.close();
	}

	@Override
	protected int waitingFutures(String queue) {
		return this.redisBackend.waiterCount(queue);
	}

	@Override
	protected Optional<Duration> storedTtl(String queue, UUID taskId) {
		Long ttl = RedisTestSupport.redisTemplate(connectionFactory)
			.getExpire(RedisKeys.task(queue, taskId), TimeUnit.MILLISECONDS);
		return (ttl != null && ttl >= 0) ? Optional.of(Duration.ofMillis(ttl)) : Optional.empty();
	}

}
