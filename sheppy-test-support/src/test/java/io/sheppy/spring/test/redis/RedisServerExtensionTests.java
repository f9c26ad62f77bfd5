package io.sheppy.spring.test.redis;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests of {@link RedisServerExtension} through {@link WithRedisServer @WithRedisServer}.
 */
@WithRedisServer
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisServerExtensionTests {

	private static RedisServer serverOfBeforeAll;

	private final RedisServer serverOfConstructor;

	RedisServerExtensionTests(RedisServer server) {
		this.serverOfConstructor = server;
	}

	@BeforeAll
	static void beforeAll(RedisServer server) {
		serverOfBeforeAll = server;
		Lettuce.set(server, "written-before-all", "flushed before the first test");
	}

	@AfterAll
	static void afterAll(RedisServer server) {
		assertThat(server).isSameAs(serverOfBeforeAll);
		assertThat(server.isRunning()).isTrue();
	}

	@Test
	@Order(1)
	void injectsOneRunningServerPerClass(RedisServer server) {
		assertThat(server).isSameAs(this.serverOfConstructor).isSameAs(serverOfBeforeAll);
		assertThat(server.isRunning()).isTrue();
		assertThat(server.port()).isNotEqualTo(6379);
		assertThat(Lettuce.dbsize(server)).isZero();
		Lettuce.set(server, "written-by-first-test", "1");
	}

	@Test
	@Order(2)
	void flushesBeforeEachTest(RedisServer server) {
		assertThat(Lettuce.get(server, "written-by-first-test")).isNull();
		Lettuce.set(server, "written-by-second-test", "1");
		server.kill();
	}

	@Test
	@Order(3)
	void startsAServerThatAPreviousTestKilled(RedisServer server) {
		assertThat(server.isRunning()).isTrue();
		assertThat(Lettuce.dbsize(server)).isZero();
	}

	/**
	 * Nested tests share the server of the enclosing class.
	 */
	@Nested
	class NestedTests {

		@Test
		void sharesTheServerOfTheEnclosingClass(RedisServer server) {
			assertThat(server).isSameAs(serverOfBeforeAll);
			assertThat(Lettuce.ping(server)).isEqualTo("PONG");
		}

	}

	/**
	 * Nested tests use the options of the enclosing class.
	 */
	@Nested
	class OptionsTests {

		@Test
		void nestedClassesUseTheOptionsOfTheEnclosingClass(RedisServer server) {
			assertThat(Lettuce.config(server, "appendonly")).containsEntry("appendonly",
					"no");
		}

	}

}
