package io.sheppy.spring.test.redis;

import java.nio.file.Files;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests of {@link RedisServerTestConfiguration} with an {@link ApplicationContextRunner}.
 */
class RedisServerTestConfigurationContextTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
		.withUserConfiguration(RedisServerTestConfiguration.class)
		.withPropertyValues("spring.data.redis.port=1");

	@Test
	void localModeRegistersALocalServerAndConnectionDetails() {
		LocalRedisServer[] started = new LocalRedisServer[1];
		this.runner.withPropertyValues("sheppy.redis.mode=local", "sheppy.redis.aof=true").run((context) -> {
			assertThat(context).hasSingleBean(RedisServer.class)
				.hasSingleBean(LocalRedisServer.class)
				.hasSingleBean(DataRedisConnectionDetails.class);
			LocalRedisServer server = context.getBean(LocalRedisServer.class);
			started[0] = server;
			assertThat(server.options().aof()).isTrue();
			StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
			template.opsForValue().set("k", "v");
			server.kill();
			server.start();
			assertThat(Lettuce.get(server, "k")).isEqualTo("v");
		});
		assertThat(started[0].isRunning()).isFalse();
		assertThat(Files.exists(started[0].directory())).isFalse();
	}

	@Test
	void unknownModeFailsTheContext() {
		this.runner.withPropertyValues("sheppy.redis.mode=cloud")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("sheppy.redis.mode"));
	}

}
