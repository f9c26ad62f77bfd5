package io.sheppy.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;

/**
 * The raw-Redis baseline: Lettuce doing the bare work that a Redis stream queue cannot avoid, and nothing else. A
 * task is one {@code XADD} of the same JSON that a benchmark task of Sheppy has (pipelined in batches, or one at a
 * time with a synchronous call); a consumer reads with {@code XREADGROUP COUNT n BLOCK}, and acknowledges and deletes
 * what it read with one {@code XACK} and one {@code XDEL} per read, pipelined. No task records, no claims, no results.
 *
 * @author Sheppy for Spring
 */
final class RawRedisBaseline implements AutoCloseable {

	static final String GROUP = "workers";

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final RedisClient client;

	private final String payload;

	private final StatefulRedisConnection<String, String> shared;

	/** The connection of pipelined batches, used by one thread at a time. */
	private final StatefulRedisConnection<String, String> pipelined;

	private final Recorder latencyNanos = new Recorder(3);

	private final Semaphore received = new Semaphore(0);

	/**
	 * Create a baseline.
	 * @param client the client, of the baseline only
	 * @param payload the {@code data} field of every entry
	 */
	RawRedisBaseline(RedisClient client, String payload) {
		this.client = client;
		this.payload = payload;
		this.shared = client.connect();
		this.pipelined = client.connect();
	}

	/**
	 * Create the consumer group of a stream, and the stream, at its start.
	 */
	void createGroup(String stream) {
		try {
			this.shared.sync()
				.xgroupCreate(StreamOffset.from(stream, "0"), GROUP, XGroupCreateArgs.Builder.mkstream());
		}
		catch (RedisCommandExecutionException ex) {
			if (ex.getMessage() == null || !ex.getMessage().startsWith("BUSYGROUP")) {
				throw ex;
			}
		}
	}

	/**
	 * Add entries in pipelined batches on a connection of their own, one flush and one wait per batch.
	 * @return the nanoseconds spent in the batches
	 */
	long addPipelined(String stream, int count, int batch) {
		return addPipelined(this.pipelined, stream, count, batch, -1);
	}

	/**
	 * Add entries one at a time from several threads that share one connection, each call synchronous.
	 * @return the nanoseconds from the start of the first thread to the end of the last
	 */
	long addOneByOne(String stream, int count, int threads) throws InterruptedException {
		RedisCommands<String, String> commands = this.shared.sync();
		List<Thread> workers = new ArrayList<>();
		long start = System.nanoTime();
		for (int t = 0; t < threads; t++) {
			int share = count / threads + ((t < count % threads) ? 1 : 0);
			Thread thread = new Thread(() -> {
				for (int i = 0; i < share; i++) {
					commands.xadd(stream, "data", this.payload);
				}
			}, "baseline-producer-" + t);
			workers.add(thread);
			thread.start();
		}
		for (Thread thread : workers) {
			thread.join();
		}
		return System.nanoTime() - start;
	}

	/**
	 * Add one entry that carries the {@link System#nanoTime()} of the moment before the call, synchronously.
	 */
	void addStamped(String stream) {
		this.shared.sync().xadd(stream, "data", this.payload, "t", Long.toString(System.nanoTime()));
	}

	/**
	 * Start a consumer that records, for each entry that carries a stamp, the time from the stamp to its reading.
	 */
	RawConsumer startLatencyConsumer(String stream, int count) {
		createGroup(stream);
		return new RawConsumer(stream, count, null, (message) -> {
			String stamp = message.getBody().get("t");
			if (stamp != null) {
				this.latencyNanos.recordValue(Math.max(0, System.nanoTime() - Long.parseLong(stamp)));
				this.received.release();
			}
		});
	}

	/**
	 * Start a consumer that does nothing with what it reads but acknowledge and delete it.
	 */
	RawConsumer startConsumer(String stream, int count) {
		createGroup(stream);
		return new RawConsumer(stream, count, null, (message) -> {
		});
	}

	/**
	 * Wait until the latency consumer has read the given number of stamped entries more.
	 */
	void awaitReceived(int count) throws InterruptedException {
		if (!this.received.tryAcquire(count, TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
			throw new IllegalStateException("The baseline consumer did not read " + count + " entries within "
					+ TIMEOUT);
		}
	}

	void resetLatencies() {
		this.latencyNanos.reset();
		this.received.drainPermits();
	}

	Histogram takeLatencies() {
		return this.latencyNanos.getIntervalHistogram();
	}

	/**
	 * Run the baseline of many callers waiting for results: each caller waits on a future of its task; a consumer
	 * adds a notification per task it acknowledges to a stream of finished tasks, which one reader (one connection)
	 * reads to complete the futures.
	 */
	RawWaiting startWaiting(String stream, String finished, int count) {
		createGroup(stream);
		return new RawWaiting(stream, finished, count);
	}

	/**
	 * Add entries in pipelined batches; with {@code firstId} 0 or more each entry also gets an {@code id} field, the
	 * ids counting up from it.
	 */
	private long addPipelined(StatefulRedisConnection<String, String> connection, String stream, int count, int batch,
			int firstId) {
		RedisAsyncCommands<String, String> async = connection.async();
		connection.setAutoFlushCommands(false);
		long spent = 0;
		try {
			List<RedisFuture<String>> futures = new ArrayList<>(batch);
			for (int from = 0; from < count; from += batch) {
				int to = Math.min(count, from + batch);
				long start = System.nanoTime();
				for (int i = from; i < to; i++) {
					futures.add((firstId < 0) ? async.xadd(stream, "data", this.payload)
							: async.xadd(stream, "data", this.payload, "id", Integer.toString(firstId + i)));
				}
				connection.flushCommands();
				await(futures);
				spent += System.nanoTime() - start;
				futures.clear();
			}
		}
		finally {
			connection.setAutoFlushCommands(true);
		}
		return spent;
	}

	private static void await(List<? extends RedisFuture<?>> futures) {
		if (!LettuceFutures.awaitAll(TIMEOUT, futures.toArray(RedisFuture[]::new))) {
			throw new IllegalStateException("Redis did not answer within " + TIMEOUT);
		}
	}

	@Override
	public void close() {
		this.pipelined.close();
		this.shared.close();
	}

	/**
	 * A consumer on a thread and a connection of its own: {@code XREADGROUP COUNT n BLOCK 200}, then one {@code XACK}
	 * and one {@code XDEL} of the entries read, pipelined (and, for waiting callers, one {@code XADD} of a finished
	 * notification per entry, in the same pipeline).
	 */
	final class RawConsumer implements AutoCloseable {

		private final StatefulRedisConnection<String, String> connection = RawRedisBaseline.this.client.connect();

		private final AtomicLong acknowledged = new AtomicLong();

		private final Thread thread;

		private volatile boolean running = true;

		private volatile @Nullable RuntimeException failure;

		RawConsumer(String stream, int count, @Nullable String finished,
				Consumer<StreamMessage<String, String>> onMessage) {
			RedisCommands<String, String> sync = this.connection.sync();
			RedisAsyncCommands<String, String> async = this.connection.async();
			io.lettuce.core.Consumer<String> consumer = io.lettuce.core.Consumer.from(GROUP, "baseline");
			XReadArgs args = XReadArgs.Builder.count(count).block(200);
			this.thread = new Thread(() -> {
				try {
					while (this.running) {
						List<StreamMessage<String, String>> messages = sync.xreadgroup(consumer, args,
								StreamOffset.lastConsumed(stream));
						if (messages.isEmpty()) {
							continue;
						}
						String[] ids = new String[messages.size()];
						for (int i = 0; i < ids.length; i++) {
							onMessage.accept(messages.get(i));
							ids[i] = messages.get(i).getId();
						}
						List<RedisFuture<?>> futures = new ArrayList<>(2 + ((finished != null) ? ids.length : 0));
						futures.add(async.xack(stream, GROUP, ids));
						futures.add(async.xdel(stream, ids));
						if (finished != null) {
							for (StreamMessage<String, String> message : messages) {
								futures.add(async.xadd(finished, "task_id", message.getBody().get("id")));
							}
						}
						await(futures);
						this.acknowledged.addAndGet(ids.length);
					}
				}
				catch (RuntimeException ex) {
					this.failure = ex;
				}
			}, "baseline-consumer");
			this.thread.setDaemon(true);
			this.thread.start();
		}

		long acknowledged() {
			RuntimeException failure = this.failure;
			if (failure != null) {
				throw new IllegalStateException("The baseline consumer failed", failure);
			}
			return this.acknowledged.get();
		}

		@Override
		public void close() throws InterruptedException {
			this.running = false;
			this.thread.join();
			this.connection.close();
		}

	}

	/**
	 * The baseline of waiting callers: a consumer that notifies, and a reader of the notifications that completes
	 * one future per task.
	 */
	final class RawWaiting implements AutoCloseable {

		private final String stream;

		private final String finished;

		private final RawConsumer consumer;

		private final Map<String, CompletableFuture<String>> futures = new ConcurrentHashMap<>();

		private @Nullable Thread reader;

		private volatile boolean running = true;

		RawWaiting(String stream, String finished, int count) {
			this.stream = stream;
			this.finished = finished;
			this.consumer = new RawConsumer(stream, count, finished, (message) -> {
			});
		}

		/**
		 * Return the future of a task, registering it.
		 */
		CompletableFuture<String> future(int id) {
			return this.futures.computeIfAbsent(Integer.toString(id), (key) -> new CompletableFuture<>());
		}

		/**
		 * Open the connection of the reader of notifications and start reading them.
		 */
		void startReader() {
			StatefulRedisConnection<String, String> connection = RawRedisBaseline.this.client.connect();
			RedisCommands<String, String> sync = connection.sync();
			Thread thread = new Thread(() -> {
				String last = "0-0";
				try {
					while (this.running) {
						List<StreamMessage<String, String>> messages = sync.xread(
								XReadArgs.Builder.count(1000).block(200), StreamOffset.from(this.finished, last));
						for (StreamMessage<String, String> message : messages) {
							last = message.getId();
							CompletableFuture<String> future = this.futures.get(message.getBody().get("task_id"));
							if (future != null) {
								future.complete(message.getId());
							}
						}
					}
				}
				finally {
					connection.close();
				}
			}, "baseline-results");
			thread.setDaemon(true);
			this.reader = thread;
			thread.start();
		}

		/**
		 * Open the connection that adds the tasks, to be closed by the caller.
		 */
		StatefulRedisConnection<String, String> openProducer() {
			return RawRedisBaseline.this.client.connect();
		}

		/**
		 * Add the tasks with ids 0 to count - 1, pipelined.
		 */
		void add(StatefulRedisConnection<String, String> connection, int count, int batch) {
			addPipelined(connection, this.stream, count, batch, 0);
		}

		@Override
		public void close() throws InterruptedException {
			this.running = false;
			Thread thread = this.reader;
			if (thread != null) {
				thread.join();
			}
			this.consumer.close();
		}

	}

}
