package io.sheppy.spring.test.redis;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests of {@link WithRedisServer#aof() @WithRedisServer(aof = true)}.
 */
@WithRedisServer(aof = true, maxmemoryPolicy = "noeviction", config = "maxmemory 64mb")
class AofRedisServerExtensionTests {

	@Test
	void keepsDataAcrossKill(RedisServer server) {
		assertThat(Lettuce.config(server, "appendonly", "maxmemory-policy", "maxmemory"))
			.containsEntry("appendonly", "yes")
			.containsEntry("maxmemory-policy", "noeviction")
			.containsEntry("maxmemory", Long.toString(64 * 1024 * 1024));
		Lettuce.set(server, "survivor", "yes");
		server.kill();
		server.start();
		assertThat(Lettuce.get(server, "survivor")).isEqualTo("yes");
	}

}
