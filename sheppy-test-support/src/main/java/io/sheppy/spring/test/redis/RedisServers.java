package io.sheppy.spring.test.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Locale;

import org.jspecify.annotations.Nullable;
import org.testcontainers.DockerClientFactory;

/**
 * Starts a private {@link RedisServer} for a test: a container where a Docker engine is available, else a local
 * {@code redis-server} process; fails when neither is there, so that tests never skip silently.
 */
public final class RedisServers {

	/**
	 * The system property (or Spring property) that forces the kind of server: {@code local} or {@code container}.
	 * Without it, or with {@code auto}, a container is used where Docker is available.
	 */
	public static final String MODE_PROPERTY = "sheppy.redis.mode";

	private static final int SHARED_REDIS_PORT = 6379;

	private static volatile @Nullable Boolean dockerAvailable;

	private RedisServers() {
	}

	/**
	 * Start a server without persistence.
	 * @return the running server, to be closed by the caller
	 * @throws IllegalStateException if neither Docker nor {@code redis-server} is available
	 */
	public static RedisServer start() {
		return start(RedisServerOptions.defaults());
	}

	/**
	 * Start a server with the given options.
	 * @param options the options
	 * @return the running server, to be closed by the caller
	 * @throws IllegalStateException if neither Docker nor {@code redis-server} is available
	 */
	public static RedisServer start(RedisServerOptions options) {
		return useContainer(System.getProperty(MODE_PROPERTY)) ? new ContainerRedisServer(options)
				: new LocalRedisServer(options);
	}

	/**
	 * Return whether a Docker engine is available to Testcontainers; any failure to tell means it is not.
	 * @return {@code true} if Docker is available
	 */
	public static boolean isDockerAvailable() {
		Boolean available = dockerAvailable;
		if (available == null) {
			try {
				available = DockerClientFactory.instance().isDockerAvailable();
			}
			catch (Throwable ex) {
				available = false;
			}
			dockerAvailable = available;
		}
		return available;
	}

	/**
	 * Decide whether a container is used for the given mode.
	 * @param mode {@code local}, {@code container}, {@code auto} or {@code null}
	 * @return {@code true} for a container, {@code false} for a local process
	 * @throws IllegalStateException if the mode cannot be served
	 */
	static boolean useContainer(@Nullable String mode) {
		String normalized = (mode != null) ? mode.trim().toLowerCase(Locale.ROOT) : "";
		switch (normalized) {
			case "local":
				return false;
			case "container":
				if (!isDockerAvailable()) {
					throw new IllegalStateException(MODE_PROPERTY + "=container, but no Docker engine is available");
				}
				return true;
			case "", "auto":
				if (isDockerAvailable()) {
					return true;
				}
				if (LocalRedisServer.findExecutable().isPresent()) {
					return false;
				}
				throw notFound();
			default:
				throw new IllegalStateException(
						"Unknown " + MODE_PROPERTY + " '" + mode + "': expected 'local', 'container' or 'auto'");
		}
	}

	static IllegalStateException notFound() {
		return new IllegalStateException("No Redis server for tests: neither a Docker engine (for Testcontainers) nor"
				+ " a redis-server executable was found. Install Redis (Debian/Ubuntu: 'sudo apt-get install"
				+ " redis-server', Fedora: 'sudo dnf install redis', macOS: 'brew install redis'), put redis-server on"
				+ " the PATH or name it with the system property '" + LocalRedisServer.EXECUTABLE_PROPERTY
				+ "' or the environment variable '" + LocalRedisServer.EXECUTABLE_ENVIRONMENT_VARIABLE
				+ "', or start Docker.");
	}

	/**
	 * Find a free loopback port other than the shared Redis port.
	 * @return the port
	 */
	static int findFreePort() {
		for (int attempt = 0; attempt < 10; attempt++) {
			try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
				int port = socket.getLocalPort();
				if (port != SHARED_REDIS_PORT) {
					return port;
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Cannot find a free port", ex);
			}
		}
		throw new IllegalStateException("Cannot find a free port");
	}

}
