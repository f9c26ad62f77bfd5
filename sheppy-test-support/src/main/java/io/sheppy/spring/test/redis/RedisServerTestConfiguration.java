package io.sheppy.spring.test.redis;

import org.testcontainers.containers.GenericContainer;

import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Test configuration that points Spring Boot's Redis auto-configuration at a private {@link RedisServer}, also
 * available as a bean: a {@link ServiceConnection @ServiceConnection} container where Docker is available, else a
 * {@link LocalRedisServer} with matching {@link DataRedisConnectionDetails}. The property {@code sheppy.redis.aof=true}
 * switches the append-only file on and {@value RedisServers#MODE_PROPERTY} forces the kind of server.
 */
@TestConfiguration(proxyBeanMethods = false)
public class RedisServerTestConfiguration {

	/**
	 * The property that switches the append-only file of the server on.
	 */
	public static final String AOF_PROPERTY = "sheppy.redis.aof";

	static RedisServerOptions options(Environment environment) {
		return RedisServerOptions.defaults().withAof(environment.getProperty(AOF_PROPERTY, Boolean.class, false));
	}

	/**
	 * The Redis server in a container, which Boot connects to as a service connection.
	 */
	@Configuration(proxyBeanMethods = false)
	@Conditional(ContainerCondition.class)
	static class ContainerRedisServerConfiguration {

		@Bean(destroyMethod = "close")
		ContainerRedisServer redisServer(Environment environment) {
			return new ContainerRedisServer(options(environment));
		}

		@Bean
		@ServiceConnection(name = "redis")
		GenericContainer<?> redisContainer(ContainerRedisServer redisServer) {
			return redisServer.container();
		}

	}

	/**
	 * The Redis server as a local process, with connection details that point at it.
	 */
	@Configuration(proxyBeanMethods = false)
	@Conditional(LocalCondition.class)
	static class LocalRedisServerConfiguration {

		@Bean(destroyMethod = "close")
		LocalRedisServer redisServer(Environment environment) {
			return new LocalRedisServer(options(environment));
		}

		@Bean
		DataRedisConnectionDetails redisConnectionDetails(LocalRedisServer redisServer) {
			return new DataRedisConnectionDetails() {

				@Override
				public Standalone getStandalone() {
					return Standalone.of(redisServer.host(), redisServer.port());
				}

			};
		}

	}

	/**
	 * Matches when the server runs in a container.
	 */
	static class ContainerCondition implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return RedisServers.useContainer(context.getEnvironment().getProperty(RedisServers.MODE_PROPERTY));
		}

	}

	/**
	 * Matches when the server runs as a local process.
	 */
	static class LocalCondition implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return !RedisServers.useContainer(context.getEnvironment().getProperty(RedisServers.MODE_PROPERTY));
		}

	}

}
