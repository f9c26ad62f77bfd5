package io.sheppy.spring.test.redis;

/**
 * A private Redis server started for tests, never the shared instance on port 6379. It can be killed, stopped and
 * started again on the same port with the same data directory, to test how clients survive a Redis outage.
 *
 * @see RedisServers#start()
 */
public interface RedisServer extends AutoCloseable {

	/**
	 * Return the host that clients connect to.
	 * @return the host, for example {@code 127.0.0.1}
	 */
	String host();

	/**
	 * Return the port that clients connect to; it stays the same across {@link #kill()}, {@link #stop()} and
	 * {@link #start()}.
	 * @return the port
	 */
	int port();

	/**
	 * Return the connection URI of the server.
	 * @return the URI, {@code redis://host:port}
	 */
	default String uri() {
		return "redis://" + host() + ":" + port();
	}

	/**
	 * Return whether the server is running.
	 * @return {@code true} if the server runs
	 */
	boolean isRunning();

	/**
	 * Start the server again after {@link #stop()} or {@link #kill()}, on the same port and with the same data, and
	 * wait until it answers {@code PING}. Does nothing if the server runs.
	 */
	void start();

	/**
	 * Stop the server gracefully ({@code SHUTDOWN NOSAVE} or {@code SIGTERM}) and wait until it exited. Does nothing
	 * if the server is not running.
	 */
	void stop();

	/**
	 * Kill the server at once ({@code SIGKILL}), as a crash would, and wait until it exited. Does nothing if the
	 * server is not running.
	 */
	void kill();

	/**
	 * Stop the server gracefully and start it again.
	 */
	default void restart() {
		stop();
		start();
	}

	/**
	 * Delete all keys of all databases ({@code FLUSHALL}).
	 */
	default void flushAll() {
		Resp.flushAll(host(), port());
	}

	/**
	 * Stop the server and delete its data.
	 */
	@Override
	void close();

}
