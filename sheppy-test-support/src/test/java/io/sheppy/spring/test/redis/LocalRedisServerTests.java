package io.sheppy.spring.test.redis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests of {@link LocalRedisServer}, which need a {@code redis-server} executable.
 */
class LocalRedisServerTests {

	@BeforeEach
	void requireExecutable() {
		assumeTrue(LocalRedisServer.findExecutable().isPresent(), "redis-server is not installed");
	}

	@Test
	void runsOnLoopbackWithItsOwnDirectoryAndDeletesItOnClose() throws IOException {
		Path directory;
		try (LocalRedisServer server = new LocalRedisServer(RedisServerOptions.defaults().withAof(true))) {
			directory = server.directory();
			assertThat(server.host()).isEqualTo("127.0.0.1");
			assertThat(server.port()).isNotEqualTo(6379);
			assertThat(Lettuce.config(server, "dir")).containsEntry("dir",
					directory.toRealPath().toString());
			Lettuce.set(server, "k", "v");
			assertThat(directory.resolve("appendonlydir")).isDirectory();
			assertThat(server.logFile()).content().contains("Ready to accept connections");
		}
		assertThat(Files.exists(directory)).isFalse();
	}

	@Test
	void failsWithTheLogWhenRedisDoesNotStart() {
		RedisServerOptions options = RedisServerOptions.defaults().withConfig("no-such-directive 1");
		assertThatIllegalStateException().isThrownBy(() -> new LocalRedisServer(options))
			.withMessageContaining("redis-server exited")
			.withMessageContaining("no-such-directive");
	}

	@Test
	void startFailsWhenItsPortWasTaken() throws Exception {
		try (LocalRedisServer server = new LocalRedisServer()) {
			server.kill();
			try (ServerSocket blocker = new ServerSocket(server.port(), 1, InetAddress.getByName(server.host()))) {
				assertThatIllegalStateException().isThrownBy(server::start)
					.withMessageContaining("Address already in use");
			}
			server.start();
			assertThat(Lettuce.ping(server)).isEqualTo("PONG");
		}
	}

	@Test
	void cannotStartAfterClose() {
		LocalRedisServer server = new LocalRedisServer();
		server.close();
		assertThatIllegalStateException().isThrownBy(server::start);
	}

	@Test
	void rejectsAnExecutablePropertyThatIsNoExecutable() {
		System.setProperty(LocalRedisServer.EXECUTABLE_PROPERTY, "/no/such/redis-server");
		try {
			assertThatIllegalStateException().isThrownBy(LocalRedisServer::findExecutable)
				.withMessageContaining(LocalRedisServer.EXECUTABLE_PROPERTY);
		}
		finally {
			System.clearProperty(LocalRedisServer.EXECUTABLE_PROPERTY);
		}
	}

	@Test
	void rejectsConfigLinesWithoutValue() {
		assertThatIllegalArgumentException().isThrownBy(() -> RedisServerOptions.defaults().withConfig("maxmemory"));
	}

}
