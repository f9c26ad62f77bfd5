package io.sheppy.spring.test.redis;

import java.time.Duration;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests of {@link RedisServerTestConfiguration} in a Spring Boot test. The Redis properties point at a closed port,
 * so that only the harness can make the template work.
 */
@SpringBootTest(classes = RedisServerTestConfigurationTests.TestApplication.class,
		properties = { "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=1" })
class RedisServerTestConfigurationTests {

	@Autowired
	private StringRedisTemplate template;

	@Autowired
	private RedisServer server;

	@Autowired
	private DataRedisConnectionDetails connectionDetails;

	@Test
	void templateTalksToTheHarnessServer() {
		assertThat(this.server.isRunning()).isTrue();
		assertThat(this.server.port()).isNotEqualTo(6379);
		assertThat(this.connectionDetails.getStandalone()).isNotNull();
		assertThat(this.connectionDetails.getStandalone().getPort()).isEqualTo(this.server.port());
		Properties config = this.template
			.execute((RedisCallback<Properties>) (connection) -> connection.serverCommands().getConfig("port"));
		assertThat(config).containsEntry("port", Integer.toString(this.server.port()));
		this.template.opsForValue().set("written-by-template", "hello");
		assertThat(Lettuce.get(this.server, "written-by-template")).isEqualTo("hello");
	}

	@Test
	void templateRecoversWhenTheServerIsKilledAndStarted() {
		this.template.opsForValue().set("before-kill", "1");
		this.server.kill();
		this.server.start();
		await().atMost(Duration.ofSeconds(15))
			.ignoreExceptions()
			.until(() -> "PONG".equals(this.template.execute(
					(RedisCallback<String>) (connection) -> connection.ping())));
		assertThat(this.template.hasKey("before-kill")).isFalse();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import(RedisServerTestConfiguration.class)
	static class TestApplication {

	}

}
