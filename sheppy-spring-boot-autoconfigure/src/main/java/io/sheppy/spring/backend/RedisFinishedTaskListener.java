package io.sheppy.spring.backend;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.stream.ByteRecord;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.util.Assert;

import io.sheppy.spring.core.InvalidTaskException;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskJson;

/**
 * The waiting behind {@link RedisBackend#whenFinished}: one reader thread per queue that has waiters reads the
 * queue's finished notifications ({@code sheppy:finished:{q}}) with a blocking {@code XREAD} on one connection of its
 * own, and completes the futures of the waiters whose tasks have all finished. However many callers wait, a queue
 * costs one thread and one connection, and every notification is read once.
 * <p>
 * No notification is lost between a waiter's registration and the reader's reads: a reader takes its position in the
 * stream before the first waiter reads the current state of its tasks, and a waiter is registered before it reads
 * that state, so a task that finishes afterwards is seen by the reader. A reader survives Redis going away: it backs
 * off, keeps its waiters, resumes from its position and reads the records of all waited tasks again, so that a
 * notification trimmed away meanwhile strands nobody; as a safety net it also reads them every 30 seconds. A reader
 * without waiters stops after a while.
 *
 * @author Sheppy for Spring
 */
final class RedisFinishedTaskListener implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(RedisFinishedTaskListener.class);

	/** How long a reader without waiters keeps its thread and connection. */
	static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

	/**
	 * How often a reader reads the records of all waited tasks by default, in case a notification was never written
	 * (a writer that died between the record and its notification) or was trimmed away before it was read.
	 */
	static final Duration DEFAULT_RECHECK_INTERVAL = Duration.ofSeconds(30);

	/** The longest one blocking read of notifications waits. */
	static final long MAX_BLOCK_MILLIS = 1000;

	private static final long INITIAL_BACK_OFF_MILLIS = 100;

	private static final long MAX_BACK_OFF_MILLIS = 5000;

	private static final int COMPLETION_THREADS = 2;

	/** How much longer than one blocking read {@link #close()} waits for a reader to end. */
	private static final long JOIN_MARGIN_MILLIS = 500;

	private static final byte[] TASK_ID_FIELD = "task_id".getBytes(StandardCharsets.UTF_8);

	private final StringRedisTemplate redisTemplate;

	private final RedisDedicatedConnections connections;

	private final TaskJson taskJson;

	private final long blockMillis;

	private final long idleTimeoutNanos;

	private final long recheckIntervalNanos;

	private final ConcurrentMap<String, QueueReader> readers = new ConcurrentHashMap<>();

	/** Completes the futures, so that what callers chain to them never runs on a reader thread. */
	private final ThreadPoolExecutor completions;

	private volatile boolean closed;

	/**
	 * Create a listener.
	 * @param redisTemplate the template for the reads of waiters: their tasks and a new reader's position
	 * @param connections the pool that lends each reader its connection
	 * @param taskJson the codec of tasks
	 * @param blockMillis the longest one blocking read waits, below the client's command timeout
	 * @param idleTimeout how long a reader without waiters keeps running
	 * @param recheckInterval how often a reader reads the records of all waited tasks
	 */
	RedisFinishedTaskListener(StringRedisTemplate redisTemplate, RedisDedicatedConnections connections,
			TaskJson taskJson, long blockMillis, Duration idleTimeout, Duration recheckInterval) {
		Assert.isTrue(blockMillis >= 1, "'blockMillis' must be at least 1");
		Assert.isTrue(!idleTimeout.isNegative(), "'idleTimeout' must not be negative");
		Assert.isTrue(!recheckInterval.isNegative(), "'recheckInterval' must not be negative");
		this.redisTemplate = redisTemplate;
		this.connections = connections;
		this.taskJson = taskJson;
		this.blockMillis = Math.min(blockMillis, MAX_BLOCK_MILLIS);
		this.idleTimeoutNanos = idleTimeout.toNanos();
		this.recheckIntervalNanos = recheckInterval.toNanos();
		this.completions = new ThreadPoolExecutor(COMPLETION_THREADS, COMPLETION_THREADS, 30, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(), new DaemonThreads("sheppy-results-completion-"));
		this.completions.allowCoreThreadTimeOut(true);
	}

	/**
	 * Return a future that completes with the given tasks once all of them have finished.
	 * @param queue the queue name
	 * @param ids the task ids, at least one
	 * @return the future, completed at once when all tasks have finished already
	 * @throws org.springframework.dao.DataAccessException if Redis cannot be read; nothing is left registered
	 * @throws IllegalStateException if the listener has been closed
	 */
	CompletableFuture<Map<UUID, Task<Object>>> whenFinished(String queue, Set<UUID> ids) {
		Assert.state(!this.closed, "The Redis backend has been closed");
		Waiter waiter = new Waiter(queue, ids);
		QueueReader reader = register(waiter);
		if (reader == null) {
			waiter.future.completeExceptionally(closedWhileWaiting(waiter));
			return waiter.future;
		}
		waiter.future.whenComplete((tasks, ex) -> reader.remove(waiter));
		Map<UUID, Outcome> outcomes;
		try {
			// registered first, read second: a task that finishes after this read is seen by the reader
			outcomes = readOutcomes(queue, ids, this::multiGet);
		}
		catch (RuntimeException ex) {
			reader.remove(waiter);
			throw ex;
		}
		reader.update(outcomes, waiter).forEach(Completion::run);
		return waiter.future;
	}

	/**
	 * Register a waiter with the reader of its queue, starting one if there is none.
	 * @return the reader, or {@code null} when the listener was closed meanwhile
	 */
	private @Nullable QueueReader register(Waiter waiter) {
		while (true) {
			QueueReader reader = this.readers.get(waiter.queue);
			if (reader == null) {
				// the position is taken before the waiter reads the state of its tasks
				QueueReader created = new QueueReader(waiter.queue, lastNotificationId(waiter.queue));
				reader = this.readers.putIfAbsent(waiter.queue, created);
				if (reader == null) {
					reader = created;
					try {
						created.start();
					}
					catch (RuntimeException | Error ex) {
						created.stop();
						this.readers.remove(waiter.queue, created);
						throw ex;
					}
				}
			}
			switch (reader.add(waiter)) {
				case ADDED:
					return reader;
				case CLOSED:
					return null;
				default:
					// the reader stopped for want of waiters: start another
					this.readers.remove(waiter.queue, reader);
			}
		}
	}

	private String lastNotificationId(String queue) {
		List<MapRecord<String, Object, Object>> last = this.redisTemplate.opsForStream()
			.reverseRange(RedisKeys.finished(queue), Range.unbounded(), Limit.limit().count(1));
		return (last == null || last.isEmpty()) ? "0-0" : last.get(0).getId().getValue();
	}

	private List<@Nullable String> multiGet(List<String> keys) {
		List<String> values = this.redisTemplate.opsForValue().multiGet(keys);
		return (values != null) ? values : new ArrayList<>();
	}

	/**
	 * Read task records in batches and tell for each whether it has finished.
	 */
	private Map<UUID, Outcome> readOutcomes(String queue, Collection<UUID> ids, RecordReader reader) {
		Map<UUID, Outcome> outcomes = new LinkedHashMap<>();
		List<UUID> all = List.copyOf(ids);
		for (int from = 0; from < all.size(); from += RedisSupport.BATCH_SIZE) {
			List<UUID> batch = all.subList(from, Math.min(from + RedisSupport.BATCH_SIZE, all.size()));
			List<@Nullable String> jsons = reader.read(batch.stream().map((id) -> RedisKeys.task(queue, id)).toList());
			for (int i = 0; i < batch.size(); i++) {
				String json = (i < jsons.size()) ? jsons.get(i) : null;
				outcomes.put(batch.get(i), outcome(queue, batch.get(i), json));
			}
		}
		return outcomes;
	}

	private Outcome outcome(String queue, UUID id, @Nullable String json) {
		if (json == null) {
			return Outcome.UNFINISHED;
		}
		try {
			Task<Object> task = this.taskJson.read(json);
			return task.isFinished() ? new Outcome(task, null) : Outcome.UNFINISHED;
		}
		catch (InvalidTaskException ex) {
			return new Outcome(null, new BackendException("Failed to wait for task " + id + " of queue '" + queue
					+ "': its record is not a valid task (" + ex.getMessage() + ")", ex));
		}
	}

	/**
	 * Return the number of registered waiters of a queue, for tests.
	 */
	int waiterCount(String queue) {
		QueueReader reader = this.readers.get(queue);
		return (reader != null) ? reader.waiterCount() : 0;
	}

	/**
	 * Stop all readers and complete the futures still waiting exceptionally with a {@link BackendException}. Waits
	 * until the readers have handed back their connections, which a reader in a blocking read does when that read
	 * returns (within {@link #MAX_BLOCK_MILLIS}), so that the connections can be closed after this.
	 */
	@Override
	public void close() {
		this.closed = true;
		List<QueueReader> stopped = List.copyOf(this.readers.values());
		List<Waiter> abandoned = new ArrayList<>();
		for (QueueReader reader : stopped) {
			abandoned.addAll(reader.stop());
			this.readers.remove(reader.queue, reader);
		}
		this.completions.shutdown();
		for (Waiter waiter : abandoned) {
			waiter.future.completeExceptionally(closedWhileWaiting(waiter));
		}
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(this.blockMillis + JOIN_MARGIN_MILLIS);
		for (QueueReader reader : stopped) {
			if (!reader.awaitEnd(deadline)) {
				logger.debug("The reader of finished notifications of queue '" + reader.queue
						+ "' did not end in time");
			}
		}
	}

	private static BackendException closedWhileWaiting(Waiter waiter) {
		return new BackendException("The Redis backend was closed while waiting for tasks " + waiter.ids
				+ " of queue '" + waiter.queue + "'", null);
	}

	private static @Nullable UUID taskId(ByteRecord record) {
		for (Map.Entry<byte[], byte[]> field : record.getValue().entrySet()) {
			if (Arrays.equals(field.getKey(), TASK_ID_FIELD)) {
				try {
					return UUID.fromString(new String(field.getValue(), StandardCharsets.UTF_8));
				}
				catch (IllegalArgumentException ex) {
					return null;
				}
			}
		}
		return null;
	}

	private static byte[][] bytes(List<String> keys) {
		byte[][] bytes = new byte[keys.size()][];
		for (int i = 0; i < keys.size(); i++) {
			bytes[i] = keys.get(i).getBytes(StandardCharsets.UTF_8);
		}
		return bytes;
	}

	/**
	 * Reads the values of keys, {@code null} for a key that does not exist.
	 */
	@FunctionalInterface
	private interface RecordReader {

		List<@Nullable String> read(List<String> keys);

	}

	/**
	 * What the record of a waited task says: finished (with the task), not finished (or absent), or unreadable.
	 */
	private record Outcome(@Nullable Task<Object> finished, @Nullable BackendException failure) {

		static final Outcome UNFINISHED = new Outcome(null, null);

	}

	/**
	 * A future and the result it completes with, run once no lock is held.
	 */
	private record Completion(Waiter waiter, @Nullable Map<UUID, Task<Object>> tasks,
			@Nullable Throwable failure) implements Runnable {

		@Override
		public void run() {
			if (this.failure != null) {
				this.waiter.future.completeExceptionally(this.failure);
			}
			else {
				this.waiter.future.complete(this.tasks);
			}
		}

	}

	/**
	 * One {@code whenFinished} call: the tasks it waits for and those seen finished so far. Guarded by the lock of
	 * its queue's reader.
	 */
	private static final class Waiter {

		final String queue;

		final Set<UUID> ids;

		final Map<UUID, Task<Object>> finished = new HashMap<>();

		final CompletableFuture<Map<UUID, Task<Object>>> future = new CompletableFuture<>();

		Waiter(String queue, Set<UUID> ids) {
			this.queue = queue;
			this.ids = ids;
		}

		Map<UUID, Task<Object>> tasks() {
			Map<UUID, Task<Object>> tasks = new LinkedHashMap<>();
			for (UUID id : this.ids) {
				tasks.put(id, this.finished.get(id));
			}
			return tasks;
		}

	}

	private enum Registration {

		ADDED, STOPPED, CLOSED

	}

	/**
	 * The reader of one queue's finished notifications and the waiters of that queue.
	 */
	private final class QueueReader implements Runnable {

		final String queue;

		private final ReentrantLock lock = new ReentrantLock();

		/** Signalled when the first waiter arrives and when the reader is stopped. */
		private final Condition changed = this.lock.newCondition();

		private final Map<UUID, Set<Waiter>> waitersById = new HashMap<>();

		private int waiters;

		private long idleSince = System.nanoTime();

		private boolean stopped;

		private volatile @Nullable Thread thread;

		// the fields below are used by the reader thread only

		private String lastId;

		private boolean failing;

		private int failures;

		private long backOffMillis = INITIAL_BACK_OFF_MILLIS;

		QueueReader(String queue, String lastId) {
			this.queue = queue;
			this.lastId = lastId;
		}

		void start() {
			Thread thread = new Thread(this, "sheppy-" + this.queue + "-results");
			thread.setDaemon(true);
			this.thread = thread;
			thread.start();
		}

		/**
		 * Wait until the thread of this reader has ended, at most until the deadline.
		 * @param deadline the deadline in {@link System#nanoTime()} terms
		 * @return whether the thread has ended
		 */
		boolean awaitEnd(long deadline) {
			Thread thread = this.thread;
			if (thread == null || thread == Thread.currentThread()) {
				return true;
			}
			try {
				long remaining = deadline - System.nanoTime();
				if (remaining > 0) {
					TimeUnit.NANOSECONDS.timedJoin(thread, remaining);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return !thread.isAlive();
		}

		Registration add(Waiter waiter) {
			this.lock.lock();
			try {
				if (RedisFinishedTaskListener.this.closed) {
					return Registration.CLOSED;
				}
				if (this.stopped) {
					return Registration.STOPPED;
				}
				for (UUID id : waiter.ids) {
					this.waitersById.computeIfAbsent(id, (key) -> new LinkedHashSet<>()).add(waiter);
				}
				if (this.waiters++ == 0) {
					this.changed.signalAll();
				}
				return Registration.ADDED;
			}
			finally {
				this.lock.unlock();
			}
		}

		void remove(Waiter waiter) {
			this.lock.lock();
			try {
				unregister(waiter);
			}
			finally {
				this.lock.unlock();
			}
		}

		int waiterCount() {
			this.lock.lock();
			try {
				return this.waiters;
			}
			finally {
				this.lock.unlock();
			}
		}

		/**
		 * Record what the task records say and return the completions of the waiters that are done.
		 * @param outcomes the outcomes of the records read
		 * @param only the only waiter to update, or {@code null} for all waiters of those tasks
		 */
		List<Completion> update(Map<UUID, Outcome> outcomes, @Nullable Waiter only) {
			Map<Waiter, Completion> done = new LinkedHashMap<>();
			this.lock.lock();
			try {
				Set<Waiter> updated = new LinkedHashSet<>();
				outcomes.forEach((id, outcome) -> {
					Set<Waiter> waiting = this.waitersById.get(id);
					if (waiting == null) {
						return;
					}
					for (Waiter waiter : waiting) {
						if (only != null && waiter != only) {
							continue;
						}
						if (outcome.failure() != null) {
							done.putIfAbsent(waiter, new Completion(waiter, null, outcome.failure()));
						}
						else if (outcome.finished() != null) {
							waiter.finished.put(id, outcome.finished());
							updated.add(waiter);
						}
					}
				});
				for (Waiter waiter : updated) {
					if (waiter.finished.size() == waiter.ids.size()) {
						done.putIfAbsent(waiter, new Completion(waiter, waiter.tasks(), null));
					}
				}
				done.keySet().forEach(this::unregister);
			}
			finally {
				this.lock.unlock();
			}
			return new ArrayList<>(done.values());
		}

		/**
		 * Stop this reader and hand back the waiters it had.
		 */
		List<Waiter> stop() {
			this.lock.lock();
			try {
				this.stopped = true;
				this.changed.signalAll();
				Set<Waiter> all = new LinkedHashSet<>();
				this.waitersById.values().forEach(all::addAll);
				this.waitersById.clear();
				this.waiters = 0;
				return new ArrayList<>(all);
			}
			finally {
				this.lock.unlock();
			}
		}

		private void unregister(Waiter waiter) {
			boolean registered = false;
			for (UUID id : waiter.ids) {
				Set<Waiter> waiting = this.waitersById.get(id);
				if (waiting != null && waiting.remove(waiter)) {
					registered = true;
					if (waiting.isEmpty()) {
						this.waitersById.remove(id);
					}
				}
			}
			if (registered && --this.waiters == 0) {
				this.idleSince = System.nanoTime();
			}
		}

		@Override
		public void run() {
			try {
				while (awaitWaiters()) {
					try {
						RedisFinishedTaskListener.this.connections.execute((connection) -> {
							read(connection);
							return null;
						});
					}
					catch (RuntimeException ex) {
						if (isStopped() || RedisFinishedTaskListener.this.connections.isShutDown()) {
							// being closed, or the application stops: its connection factory closed the connections
							return;
						}
						failed(ex);
						pause(this.backOffMillis);
						this.backOffMillis = Math.min(this.backOffMillis * 2, MAX_BACK_OFF_MILLIS);
					}
				}
			}
			finally {
				// also on an Error: waiters must not wait for a reader that is gone
				List<Waiter> abandoned = stop();
				RedisFinishedTaskListener.this.readers.remove(this.queue, this);
				for (Waiter waiter : abandoned) {
					waiter.future.completeExceptionally(new BackendException("Stopped waiting for tasks " + waiter.ids
							+ " of queue '" + this.queue + "' because the reader of finished notifications ended",
							null));
				}
			}
		}

		/**
		 * Read notifications until this reader stops; throws when Redis fails.
		 */
		private void read(RedisConnection connection) {
			if (this.failing) {
				// a notification may have been trimmed away while Redis could not be read
				recheckAll(connection);
			}
			byte[] stream = RedisKeys.finished(this.queue).getBytes(StandardCharsets.UTF_8);
			StreamReadOptions options = StreamReadOptions.empty()
				.count(RedisSupport.BATCH_SIZE)
				.block(Duration.ofMillis(RedisFinishedTaskListener.this.blockMillis));
			long recheckAt = System.nanoTime() + RedisFinishedTaskListener.this.recheckIntervalNanos;
			while (awaitWaiters()) {
				if (System.nanoTime() - recheckAt >= 0) {
					recheckAll(connection);
					recheckAt = System.nanoTime() + RedisFinishedTaskListener.this.recheckIntervalNanos;
				}
				List<ByteRecord> records = connection.streamCommands()
					.xRead(options, StreamOffset.create(stream, ReadOffset.from(this.lastId)));
				recovered();
				if (records != null && !records.isEmpty()) {
					notified(connection, records);
				}
			}
		}

		/**
		 * Wait until there are waiters; return {@code false} when this reader is stopped or has been idle too long, in
		 * which case it is taken out of service.
		 */
		private boolean awaitWaiters() {
			this.lock.lock();
			try {
				while (!this.stopped && this.waiters == 0) {
					long idle = RedisFinishedTaskListener.this.idleTimeoutNanos
							- (System.nanoTime() - this.idleSince);
					if (idle <= 0) {
						this.stopped = true;
						RedisFinishedTaskListener.this.readers.remove(this.queue, this);
						return false;
					}
					this.changed.awaitNanos(idle);
				}
				return !this.stopped;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.stopped = true;
				return false;
			}
			finally {
				this.lock.unlock();
			}
		}

		private void notified(RedisConnection connection, List<ByteRecord> records) {
			Set<UUID> ids = new LinkedHashSet<>();
			for (ByteRecord record : records) {
				this.lastId = record.getId().getValue();
				UUID id = taskId(record);
				if (id != null) {
					ids.add(id);
				}
			}
			this.lock.lock();
			try {
				ids.retainAll(this.waitersById.keySet());
			}
			finally {
				this.lock.unlock();
			}
			if (!ids.isEmpty()) {
				check(connection, ids);
			}
		}

		private void recheckAll(RedisConnection connection) {
			Set<UUID> ids;
			this.lock.lock();
			try {
				ids = new LinkedHashSet<>(this.waitersById.keySet());
			}
			finally {
				this.lock.unlock();
			}
			if (!ids.isEmpty()) {
				check(connection, ids);
			}
		}

		private void check(RedisConnection connection, Set<UUID> ids) {
			Map<UUID, Outcome> outcomes = readOutcomes(this.queue, ids, (keys) -> {
				List<byte[]> values = connection.stringCommands().mGet(bytes(keys));
				List<@Nullable String> jsons = new ArrayList<>(keys.size());
				if (values != null) {
					values.forEach((value) -> jsons.add((value != null) ? new String(value, StandardCharsets.UTF_8)
							: null));
				}
				return jsons;
			});
			List<Completion> done = update(outcomes, null);
			for (Completion completion : done) {
				try {
					RedisFinishedTaskListener.this.completions.execute(completion);
				}
				catch (RejectedExecutionException ex) {
					// closed meanwhile; no lock is held here
					completion.run();
				}
			}
		}

		private void failed(RuntimeException ex) {
			this.failures++;
			if (!this.failing) {
				this.failing = true;
				logger.warn("Failed to read the finished notifications of queue '" + this.queue + "' ("
						+ NestedExceptionUtils.getMostSpecificCause(ex).getMessage() + "); retrying with back-off, "
						+ waiterCount() + " waiting calls are kept");
			}
			else if (logger.isDebugEnabled()) {
				logger.debug("Failed again to read the finished notifications of queue '" + this.queue + "'", ex);
			}
		}

		private void recovered() {
			if (this.failing) {
				logger.info("Reading the finished notifications of queue '" + this.queue + "' again after "
						+ this.failures + " failed attempts");
				this.failing = false;
				this.failures = 0;
				this.backOffMillis = INITIAL_BACK_OFF_MILLIS;
			}
		}

		private void pause(long millis) {
			this.lock.lock();
			try {
				long remaining = TimeUnit.MILLISECONDS.toNanos(millis);
				while (!this.stopped && remaining > 0) {
					remaining = this.changed.awaitNanos(remaining);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.stopped = true;
			}
			finally {
				this.lock.unlock();
			}
		}

		private boolean isStopped() {
			this.lock.lock();
			try {
				return this.stopped;
			}
			finally {
				this.lock.unlock();
			}
		}

	}

	/**
	 * Makes the daemon threads that complete futures.
	 */
	private static final class DaemonThreads implements ThreadFactory {

		private final String prefix;

		private final AtomicInteger count = new AtomicInteger();

		DaemonThreads(String prefix) {
			this.prefix = prefix;
		}

		@Override
		public Thread newThread(Runnable runnable) {
			Thread thread = new Thread(runnable, this.prefix + this.count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		}

	}

}
