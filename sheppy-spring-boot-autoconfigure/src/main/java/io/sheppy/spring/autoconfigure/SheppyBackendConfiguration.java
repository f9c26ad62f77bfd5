package io.sheppy.spring.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.backend.MemoryBackend;
import io.sheppy.spring.backend.RedisBackend;
import io.sheppy.spring.backend.TtlPolicy;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.Ttl;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Chooses the {@link Backend} as {@code sheppy.backend} says, unless the application defines one.
 *
 * @author Sheppy for Spring
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnMissingBean(Backend.class)
class SheppyBackendConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(SheppyBackendConfiguration.class);

	private static final String REDIS_CONNECTION_FACTORY = "org.springframework.data.redis.connection.RedisConnectionFactory";

	static TtlPolicy ttlPolicy(SheppyProperties properties) {
		Ttl ttl = ttl(properties.getTtl());
		Ttl errorTtl = (properties.getErrorTtl() != null) ? ttl(properties.getErrorTtl()) : Ttl.INHERIT;
		return new TtlPolicy(ttl, errorTtl);
	}

	// A property cannot be bound to null (an empty value leaves the default), so zero stands for "never"
	private static Ttl ttl(@Nullable Duration duration) {
		return (duration == null || duration.isZero()) ? Ttl.NEVER : Ttl.of(duration);
	}

	static MemoryBackend memoryBackend(TaskJson taskJson, SheppyProperties properties) {
		return new MemoryBackend(taskJson, ttlPolicy(properties));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "sheppy.backend", havingValue = "memory")
	static class MemoryBackendConfiguration {

		@Bean
		MemoryBackend sheppyBackend(TaskJson taskJson, SheppyProperties properties) {
			logger.info("Sheppy keeps its queues in memory (sheppy.backend=memory): tasks are lost when the "
					+ "application stops");
			return memoryBackend(taskJson, properties);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = REDIS_CONNECTION_FACTORY)
	static class RedisBackendConfiguration {

		@Bean
		@ConditionalOnProperty(name = "sheppy.backend", havingValue = "redis", matchIfMissing = true)
		RedisBackend sheppyBackend(ObjectProvider<RedisConnectionFactory> connectionFactory, TaskJson taskJson,
				SheppyProperties properties) {
			RedisConnectionFactory factory = connectionFactory.getIfUnique();
			if (factory == null) {
				throw new IllegalStateException("sheppy.backend=redis needs a RedisConnectionFactory, but the "
						+ "application has none (is the Redis auto-configuration excluded?); configure Redis with "
						+ "spring.data.redis.*, or set sheppy.backend=memory");
			}
			return redisBackend(factory, taskJson, properties);
		}

		@Bean
		@ConditionalOnProperty(name = "sheppy.backend", havingValue = "auto")
		Backend sheppyAutoBackend(ObjectProvider<RedisConnectionFactory> connectionFactory, TaskJson taskJson,
				SheppyProperties properties) {
			RedisConnectionFactory factory = connectionFactory.getIfUnique();
			if (factory == null) {
				logger.warn("Sheppy keeps its queues in memory: the application has no Redis connection "
						+ "(sheppy.backend=auto); tasks are lost when the application stops");
				return memoryBackend(taskJson, properties);
			}
			try (RedisConnection connection = factory.getConnection()) {
				connection.ping();
			}
			catch (RuntimeException ex) {
				logger.warn("Sheppy keeps its queues in memory: Redis is not reachable at {} ({}); tasks are lost when "
						+ "the application stops (sheppy.backend=auto)", describe(factory), ex.getMessage());
				return memoryBackend(taskJson, properties);
			}
			logger.info("Sheppy keeps its queues in Redis at {} (sheppy.backend=auto)", describe(factory));
			return redisBackend(factory, taskJson, properties);
		}

		private static RedisBackend redisBackend(RedisConnectionFactory factory, TaskJson taskJson,
				SheppyProperties properties) {
			SheppyProperties.Redis redis = properties.getRedis();
			RedisBackend.Settings settings = RedisBackend.Settings.defaults()
				.withConsumerGroup(redis.getConsumerGroup())
				.withFinishedRetention(redis.getFinishedRetention())
				.withTtlPolicy(ttlPolicy(properties));
			if (redis.getConsumerName() != null) {
				settings = settings.withConsumerName(redis.getConsumerName());
			}
			return new RedisBackend(factory, taskJson, settings);
		}

		private static String describe(RedisConnectionFactory factory) {
			if (factory instanceof LettuceConnectionFactory lettuce) {
				return lettuce.getHostName() + ":" + lettuce.getPort();
			}
			return factory.toString();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingClass(REDIS_CONNECTION_FACTORY)
	static class NoRedisConfiguration {

		@Bean
		@ConditionalOnProperty(name = "sheppy.backend", havingValue = "redis", matchIfMissing = true)
		Backend sheppyBackend() {
			throw new IllegalStateException("sheppy.backend=redis needs Spring Data Redis, which is not on the "
					+ "classpath; add spring-boot-starter-data-redis (sheppy-spring-boot-starter brings it), or set "
					+ "sheppy.backend=memory");
		}

		@Bean
		@ConditionalOnProperty(name = "sheppy.backend", havingValue = "auto")
		Backend sheppyAutoBackend(TaskJson taskJson, SheppyProperties properties) {
			logger.warn("Sheppy keeps its queues in memory: Spring Data Redis is not on the classpath "
					+ "(sheppy.backend=auto); tasks are lost when the application stops");
			return memoryBackend(taskJson, properties);
		}

	}

}
