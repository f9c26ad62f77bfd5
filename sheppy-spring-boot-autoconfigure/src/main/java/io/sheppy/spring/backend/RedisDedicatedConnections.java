package io.sheppy.spring.backend;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.Assert;

/**
 * A small pool of long-lived {@link RedisConnection}s for the commands that need a connection of their own: blocking
 * stream reads and pipelines. Spring Data Redis' Lettuce connection runs such commands on a dedicated native
 * connection that lives as long as the {@code RedisConnection} object, so keeping these objects open is what keeps a
 * blocking read from opening a TCP connection per call. A connection is closed and dropped after any error.
 *
 * @author Sheppy for Spring
 */
final class RedisDedicatedConnections implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(RedisDedicatedConnections.class);

	private static final int MAX_IDLE = 32;

	private final RedisConnectionFactory connectionFactory;

	private final ReentrantLock lock = new ReentrantLock();

	private final Deque<RedisConnection> idle = new ArrayDeque<>();

	private boolean closed;

	RedisDedicatedConnections(RedisConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
	}

	/**
	 * Run an action with a connection of the pool.
	 * @param <T> the result type
	 * @param action the action
	 * @return the result of the action
	 */
	<T> T execute(Function<RedisConnection, T> action) {
		RedisConnection connection = borrow();
		boolean healthy = false;
		try {
			T result = action.apply(connection);
			healthy = true;
			return result;
		}
		finally {
			if (healthy) {
				release(connection);
			}
			else {
				closeQuietly(connection);
			}
		}
	}

	/**
	 * Run commands in one pipeline on a connection of the pool.
	 * @param commands the commands, issued on the pipelined connection
	 * @return the results of the commands, in order
	 * @throws org.springframework.data.redis.connection.RedisPipelineException if a command failed
	 */
	List<Object> executePipelined(Consumer<RedisConnection> commands) {
		return execute((connection) -> {
			connection.openPipeline();
			try {
				commands.accept(connection);
			}
			catch (RuntimeException ex) {
				try {
					connection.closePipeline();
				}
				catch (RuntimeException closeFailure) {
					ex.addSuppressed(closeFailure);
				}
				throw ex;
			}
			List<Object> results = connection.closePipeline();
			return (results != null) ? results : new ArrayList<>();
		});
	}

	/**
	 * Return whether the connection factory has closed its connections, as it does when its application stops: a
	 * command that failed then is no sign of trouble with Redis.
	 * @return whether the factory has closed its connections
	 */
	boolean isShutDown() {
		return RedisConnectionFactories.hasClosedItsConnections(this.connectionFactory);
	}

	private RedisConnection borrow() {
		this.lock.lock();
		try {
			Assert.state(!this.closed, "The Redis backend has been closed");
			RedisConnection connection = this.idle.pollFirst();
			if (connection != null) {
				return connection;
			}
		}
		finally {
			this.lock.unlock();
		}
		return this.connectionFactory.getConnection();
	}

	private void release(RedisConnection connection) {
		this.lock.lock();
		try {
			if (!this.closed && this.idle.size() < MAX_IDLE) {
				this.idle.addFirst(connection);
				return;
			}
		}
		finally {
			this.lock.unlock();
		}
		closeQuietly(connection);
	}

	/**
	 * Close the idle connections; connections in use are closed when they are handed back.
	 */
	@Override
	public void close() {
		List<RedisConnection> connections;
		this.lock.lock();
		try {
			this.closed = true;
			connections = new ArrayList<>(this.idle);
			this.idle.clear();
		}
		finally {
			this.lock.unlock();
		}
		connections.forEach(this::closeQuietly);
	}

	private void closeQuietly(RedisConnection connection) {
		if (isShutDown()) {
			return;
		}
		try {
			connection.close();
		}
		catch (RuntimeException ex) {
			logger.debug("Failed to close a Redis connection", ex);
		}
	}

}
