package io.sheppy.spring.test.redis;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests of a {@link RedisServer} from {@link RedisServers}, each with a fresh server.
 */
class RedisServerTests {

	@Test
	void startsOnPrivatePortAndAnswersPing() throws IOException {
		try (RedisServer server = RedisServers.start()) {
			assertThat(server.port()).isPositive().isNotEqualTo(6379);
			assertThat(server.uri()).isEqualTo("redis://" + server.host() + ":" + server.port());
			assertThat(server.isRunning()).isTrue();
			assertThat(Resp.send(server.host(), server.port(), Duration.ofSeconds(2), "PING")).isEqualTo("+PONG");
			assertThat(Lettuce.ping(server)).isEqualTo("PONG");
			assertThat(Lettuce.config(server, "port")).containsEntry("port",
					Integer.toString(server.port()));
		}
	}

	@Test
	void isNotPersistentByDefault() {
		try (RedisServer server = RedisServers.start()) {
			assertThat(Lettuce.config(server, "save", "appendonly"))
				.containsEntry("save", "")
				.containsEntry("appendonly", "no");
		}
	}

	@Test
	void killMakesConnectionsFailAndStartBringsItBackOnTheSamePort() {
		try (RedisServer server = RedisServers.start()) {
			int port = server.port();
			server.kill();
			assertThat(server.isRunning()).isFalse();
			assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> connect(server));
			assertThatExceptionOfType(RedisConnectionException.class)
				.isThrownBy(() -> Lettuce.ping(server));
			server.start();
			assertThat(server.isRunning()).isTrue();
			assertThat(server.port()).isEqualTo(port);
			assertThat(Lettuce.ping(server)).isEqualTo("PONG");
		}
	}

	@Test
	void openConnectionFailsWhileKilledAndRecoversAfterStart() {
		try (RedisServer server = RedisServers.start()) {
			RedisClient client = Lettuce.client(server);
			try (StatefulRedisConnection<String, String> connection = client.connect()) {
				connection.setTimeout(Duration.ofSeconds(1));
				RedisCommands<String, String> redis = connection.sync();
				redis.set("k", "v");
				server.kill();
				assertThatExceptionOfType(RedisException.class).isThrownBy(() -> redis.get("k"));
				server.start();
				await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> "PONG".equals(redis.ping()));
				assertThat(redis.get("k")).isNull();
			}
			finally {
				client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
			}
		}
	}

	@Test
	void stopClosesThePortAndStartReopensIt() {
		try (RedisServer server = RedisServers.start()) {
			server.stop();
			assertThat(server.isRunning()).isFalse();
			assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> connect(server));
			server.stop();
			server.kill();
			server.start();
			server.start();
			assertThat(Lettuce.ping(server)).isEqualTo("PONG");
		}
	}

	@Test
	void withAofKeyWrittenBeforeKillSurvivesStart() {
		try (RedisServer server = RedisServers.start(RedisServerOptions.defaults().withAof(true))) {
			assertThat(Lettuce.config(server, "appendonly", "appendfsync"))
				.containsEntry("appendonly", "yes")
				.containsEntry("appendfsync", "always");
			Lettuce.set(server, "survivor", "still here");
			server.kill();
			server.start();
			assertThat(Lettuce.get(server, "survivor")).isEqualTo("still here");
		}
	}

	@Test
	void withAofKeySurvivesRestart() {
		try (RedisServer server = RedisServers.start(RedisServerOptions.defaults().withAof(true))) {
			Lettuce.set(server, "survivor", "still here");
			server.restart();
			assertThat(Lettuce.get(server, "survivor")).isEqualTo("still here");
		}
	}

	@Test
	void withoutAofKeyIsGoneAfterRestartAndAfterKill() {
		try (RedisServer server = RedisServers.start()) {
			Lettuce.set(server, "ephemeral", "1");
			server.restart();
			assertThat(Lettuce.get(server, "ephemeral")).isNull();
			Lettuce.set(server, "ephemeral", "2");
			server.kill();
			server.start();
			assertThat(Lettuce.dbsize(server)).isZero();
		}
	}

	@Test
	void twoServersRunSideBySide() {
		try (RedisServer first = RedisServers.start(); RedisServer second = RedisServers.start()) {
			assertThat(first.port()).isNotEqualTo(second.port());
			Lettuce.set(first, "where", "first");
			assertThat(Lettuce.get(second, "where")).isNull();
			first.kill();
			assertThat(Lettuce.ping(second)).isEqualTo("PONG");
		}
	}

	@Test
	void flushAllDeletesAllKeys() {
		try (RedisServer server = RedisServers.start()) {
			Lettuce.call(server, (redis) -> {
				redis.set("a", "1");
				redis.select(3);
				return redis.set("b", "2");
			});
			server.flushAll();
			assertThat(Lettuce.dbsize(server)).isZero();
			long keysInDatabase3 = Lettuce.call(server, (redis) -> {
				redis.select(3);
				return redis.dbsize();
			});
			assertThat(keysInDatabase3).isZero();
		}
	}

	@Test
	void appliesMaxmemoryPolicyAndExtraConfig() {
		RedisServerOptions options = RedisServerOptions.defaults()
			.withMaxmemoryPolicy("allkeys-lru")
			.withConfig("maxmemory 10mb", "notify-keyspace-events \"Ex\"");
		try (RedisServer server = RedisServers.start(options)) {
			assertThat(Lettuce.config(server, "maxmemory-policy", "maxmemory", "notify-keyspace-events"))
				.containsEntry("maxmemory-policy", "allkeys-lru")
				.containsEntry("maxmemory", Long.toString(10 * 1024 * 1024))
				.containsEntry("notify-keyspace-events", "xE");
		}
	}

	@Test
	void closeStopsTheServer() {
		RedisServer server = RedisServers.start();
		server.close();
		assertThat(server.isRunning()).isFalse();
		assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> connect(server));
		server.close();
	}

	@Test
	void optionsTokenizeConfigLinesLikeRedis() {
		assertThat(RedisServerOptions.tokenize("  save \"\"  ")).containsExactly("save", "");
		assertThat(RedisServerOptions.tokenize("save 900 1 300 10")).containsExactly("save", "900", "1", "300", "10");
		assertThat(RedisServerOptions.tokenize("dir '/tmp/a b'")).containsExactly("dir", "/tmp/a b");
		assertThat(RedisServerOptions.tokenize("x \"a\\\"b\"")).containsExactly("x", "a\"b");
		assertThat(RedisServerOptions.defaults().withAof(true).withConfig("save 900 1").toArguments()).isEqualTo(
				List.of("--save", "", "--appendonly", "yes", "--appendfsync", "always", "--save", "900", "1"));
	}

	private static void connect(RedisServer server) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(server.host(), server.port()), 1000);
		}
	}

}
