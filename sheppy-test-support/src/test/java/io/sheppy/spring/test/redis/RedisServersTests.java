package io.sheppy.spring.test.redis;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests of how {@link RedisServers} chooses the kind of server.
 */
class RedisServersTests {

	@Test
	void localModeUsesAProcess() {
		assertThat(RedisServers.useContainer("local")).isFalse();
		assertThat(RedisServers.useContainer(" LOCAL ")).isFalse();
	}

	@Test
	void autoModeUsesAContainerExactlyWhenDockerIsAvailable() {
		assertThat(RedisServers.useContainer(null)).isEqualTo(RedisServers.isDockerAvailable());
		assertThat(RedisServers.useContainer("auto")).isEqualTo(RedisServers.isDockerAvailable());
	}

	@Test
	void containerModeWithoutDockerFails() {
		if (!RedisServers.isDockerAvailable()) {
			assertThatIllegalStateException().isThrownBy(() -> RedisServers.useContainer("container"))
				.withMessageContaining("no Docker engine");
		}
		else {
			assertThat(RedisServers.useContainer("container")).isTrue();
		}
	}

	@Test
	void unknownModeFails() {
		assertThatIllegalStateException().isThrownBy(() -> RedisServers.useContainer("cloud"))
			.withMessageContaining("sheppy.redis.mode");
	}

	@Test
	void modePropertyIsHonoured() {
		System.setProperty(RedisServers.MODE_PROPERTY, "local");
		try (RedisServer server = RedisServers.start()) {
			assertThat(server).isInstanceOf(LocalRedisServer.class);
		}
		finally {
			System.clearProperty(RedisServers.MODE_PROPERTY);
		}
	}

	@Test
	void notFoundExplainsHowToInstallRedis() {
		assertThat(RedisServers.notFound()).hasMessageContainingAll("neither a Docker engine",
				"redis-server executable", "sudo apt-get install redis-server", "brew install redis",
				"sheppy.redis-server", "SHEPPY_REDIS_SERVER");
	}

	@Test
	void freePortIsNotTheSharedRedisPort() {
		assertThat(RedisServers.findFreePort()).isPositive().isNotEqualTo(6379);
	}

}
