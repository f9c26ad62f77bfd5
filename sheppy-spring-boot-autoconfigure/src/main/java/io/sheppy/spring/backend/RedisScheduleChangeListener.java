package io.sheppy.spring.backend;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.Subscription;
import org.springframework.data.redis.connection.SubscriptionListener;
import org.springframework.util.Assert;

/**
 * The waiting behind {@link RedisBackend#awaitScheduleChange}: one connection of its own, subscribed to the
 * schedule-change channels ({@code sheppy:scheduled-changed:{q}}) of the queues awaited so far, on which the scripts
 * that put a task first in a queue's schedule publish its id. A message signals the {@link ScheduleChangeSignals} of
 * its queue; signals are sticky, so a change between two waits of a scheduler is kept for its next wait.
 * <p>
 * A queue's channel is subscribed by the first wait for that queue and stays subscribed until {@link #close()}. What
 * was published before a subscription is unknown, so every subscription signals its queue: the first wait for a queue
 * returns {@code true} at once, and so does the next wait after a re-subscription. The connection survives Redis going
 * away: the client re-subscribes its channels when it reconnects (Lettuce does by default); a connection on which
 * subscribing fails is closed, and the next wait opens a new one that subscribes all queues again.
 *
 * @author Sheppy for Spring
 */
final class RedisScheduleChangeListener implements MessageListener, SubscriptionListener, AutoCloseable {

	private static final Log logger = LogFactory.getLog(RedisScheduleChangeListener.class);

	private final RedisConnectionFactory connectionFactory;

	private final ScheduleChangeSignals signals = new ScheduleChangeSignals();

	/** Guards the connection and the queues; never taken by the client threads that deliver messages. */
	private final ReentrantLock lock = new ReentrantLock();

	/** The queues awaited so far, all subscribed on the connection when there is one. */
	private final Set<String> queues = new LinkedHashSet<>();

	/** How often the channel of each queue has been confirmed subscribed, on any connection. */
	private final ConcurrentMap<String, AtomicLong> confirmations = new ConcurrentHashMap<>();

	private @Nullable RedisConnection connection;

	private volatile boolean closed;

	RedisScheduleChangeListener(RedisConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
	}

	/**
	 * Wait until the schedule of a queue is signalled, subscribing the queue's channel first if needed.
	 * @param queue the queue name
	 * @param timeout the longest wait, not negative
	 * @return whether a change was signalled; {@code false} when the timeout passed or the thread was interrupted
	 * (which keeps its interrupt status)
	 * @throws BackendException if the channel cannot be subscribed
	 * @throws IllegalStateException if the listener has been closed
	 */
	boolean await(String queue, Duration timeout) {
		Assert.state(!this.closed, "The Redis backend has been closed");
		if (Thread.currentThread().isInterrupted()) {
			return false;
		}
		try {
			subscribe(queue);
		}
		catch (RuntimeException ex) {
			if (Thread.currentThread().isInterrupted()) {
				return false;
			}
			// the client's own exceptions too: a subscription does not translate them
			throw new BackendException("Failed to subscribe to the schedule changes of queue '" + queue + "': "
					+ ex.getMessage(), ex);
		}
		return this.signals.await(queue, timeout);
	}

	private void subscribe(String queue) {
		this.lock.lock();
		try {
			RedisConnection current = this.connection;
			if (this.closed || (current != null && this.queues.contains(queue))) {
				// closed meanwhile: the wait that follows returns false at once
				return;
			}
			this.queues.add(queue);
			Set<String> subscribed;
			try {
				Subscription subscription = (current != null) ? current.getSubscription() : null;
				if (subscription != null && subscription.isAlive()) {
					subscription.subscribe(channels(Set.of(queue)));
					subscribed = Set.of(queue);
				}
				else {
					closeConnection();
					RedisConnection created = this.connectionFactory.getConnection();
					this.connection = created;
					created.subscribe(this, channels(this.queues));
					subscribed = Set.copyOf(this.queues);
				}
			}
			catch (RuntimeException ex) {
				// the next wait opens a new connection and subscribes all queues again
				closeConnection();
				throw ex;
			}
			// the subscription is confirmed; what was published before it is unknown
			subscribed.forEach(this.signals::signal);
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public void onMessage(Message message, byte @Nullable [] pattern) {
		String queue = queue(message.getChannel());
		if (queue != null) {
			this.signals.signal(queue);
		}
	}

	@Override
	public void onChannelSubscribed(byte[] channel, long count) {
		String queue = queue(channel);
		if (queue == null) {
			return;
		}
		// the first confirmation of a queue is signalled by the wait that subscribed it; a later one is a
		// re-subscription, after which messages of the meantime may be missing
		if (this.confirmations.computeIfAbsent(queue, (name) -> new AtomicLong()).incrementAndGet() > 1) {
			if (logger.isDebugEnabled()) {
				logger.debug("Subscribed again to the schedule changes of queue '" + queue + "'");
			}
			this.signals.signal(queue);
		}
	}

	/**
	 * Wake the waiters, which return {@code false}, and close the connection. Waits for a subscription in progress,
	 * which takes at most the client's command timeout.
	 */
	@Override
	public void close() {
		this.closed = true;
		this.signals.close();
		this.lock.lock();
		try {
			closeConnection();
		}
		finally {
			this.lock.unlock();
		}
	}

	private void closeConnection() {
		RedisConnection current = this.connection;
		this.connection = null;
		if (current != null && !RedisConnectionFactories.hasClosedItsConnections(this.connectionFactory)) {
			try {
				current.close();
			}
			catch (RuntimeException ex) {
				logger.debug("Failed to close the connection of schedule changes", ex);
			}
		}
	}

	private static byte[][] channels(Set<String> queues) {
		return queues.stream()
			.map((queue) -> RedisKeys.scheduleChanged(queue).getBytes(StandardCharsets.UTF_8))
			.toArray(byte[][]::new);
	}

	private static @Nullable String queue(byte[] channel) {
		return RedisKeys.queueOfScheduleChanged(new String(channel, StandardCharsets.UTF_8));
	}

}
