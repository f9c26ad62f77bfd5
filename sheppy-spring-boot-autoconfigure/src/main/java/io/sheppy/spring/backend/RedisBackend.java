package io.sheppy.spring.backend;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisPipelineException;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.StreamInfo;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations.TypedTuple;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

import io.sheppy.spring.core.InvalidTaskException;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskCron;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskStatus;

/**
 * A {@link Backend} on Redis, built on Spring Data Redis and sharing Python Sheppy's keys and JSON, so that Python
 * and Java producers and workers can share one Redis. Adding, scheduling, promoting, storing a result, handing a task
 * back, cancelling and deleting are each one Lua script (the tasks' JSON is written by Java only, never re-encoded in
 * Redis). Retrying a finished task by hand is one script too.
 * <p>
 * Non-blocking commands go through a {@link StringRedisTemplate}; blocking stream reads and pipelines run on a small
 * pool of long-lived connections, which {@link #close()} closes. The waiters of {@link #whenFinished} (and of
 * {@link #getResults}) of one queue share one reader of finished notifications; the callers of
 * {@link #awaitScheduleChange} of all queues share one connection subscribed to the queues' schedule-change channels.
 * All keys of a queue are named after the queue literally, so a queue named in braces ({@code {emails}}) keeps them in
 * one Redis Cluster hash slot; the registry of queues ({@code sheppy:_queues}) is only ever written by a command of its
 * own.
 *
 * @author Sheppy for Spring
 * @see Settings
 */
public class RedisBackend implements Backend, AutoCloseable {

	private static final Log logger = LogFactory.getLog(RedisBackend.class);

	/** The longest a blocking read waits in one call; longer waits loop. */
	static final long MAX_BLOCK_MILLIS = 5000;

	private static final int CANCEL_ATTEMPTS = 5;

	private final StringRedisTemplate redisTemplate;

	private final RedisDedicatedConnections connections;

	private final RedisScriptRunner scripts;

	private final TaskJson taskJson;

	private final Settings settings;

	/** Noted by the reader when it claims tasks, taken when their outcomes are stored or they are handed back. */
	private final ClaimedRecords claimedRecords = new ClaimedRecords();

	private final RedisTaskReader reader;

	private final RedisFinishedTaskListener finishedTaskListener;

	private final RedisScheduleChangeListener scheduleChangeListener;

	/**
	 * Create a backend with the {@linkplain Settings#defaults() default settings}.
	 * @param connectionFactory the connection factory
	 * @param taskJson the codec of tasks
	 */
	public RedisBackend(RedisConnectionFactory connectionFactory, TaskJson taskJson) {
		this(connectionFactory, taskJson, Settings.defaults());
	}

	/**
	 * Create a backend.
	 * @param connectionFactory the connection factory
	 * @param taskJson the codec of tasks
	 * @param settings the settings
	 */
	public RedisBackend(RedisConnectionFactory connectionFactory, TaskJson taskJson, Settings settings) {
		this(connectionFactory, taskJson, settings, RedisFinishedTaskListener.DEFAULT_IDLE_TIMEOUT,
				RedisFinishedTaskListener.DEFAULT_RECHECK_INTERVAL);
	}

	/**
	 * Create a backend whose readers of finished notifications have the given timing, for tests.
	 * @param connectionFactory the connection factory
	 * @param taskJson the codec of tasks
	 * @param settings the settings
	 * @param readerIdleTimeout how long a queue's reader of finished notifications runs without waiters
	 * @param readerRecheckInterval how often a reader reads the records of all waited tasks
	 */
	RedisBackend(RedisConnectionFactory connectionFactory, TaskJson taskJson, Settings settings,
			Duration readerIdleTimeout, Duration readerRecheckInterval) {
		Assert.notNull(connectionFactory, "'connectionFactory' must not be null");
		Assert.notNull(taskJson, "'taskJson' must not be null");
		Assert.notNull(settings, "'settings' must not be null");
		Assert.notNull(readerIdleTimeout, "'readerIdleTimeout' must not be null");
		Assert.notNull(readerRecheckInterval, "'readerRecheckInterval' must not be null");
		this.redisTemplate = new StringRedisTemplate(connectionFactory);
		this.connections = new RedisDedicatedConnections(connectionFactory);
		this.scripts = new RedisScriptRunner(this.redisTemplate, this.connections);
		this.taskJson = taskJson;
		this.settings = settings;
		long maxBlockMillis = maxBlockMillis(connectionFactory);
		this.reader = new RedisTaskReader(this.connections, this.scripts, taskJson, settings.consumerGroup(),
				settings.consumerName(), maxBlockMillis, this.claimedRecords, this::storeResult);
		this.finishedTaskListener = new RedisFinishedTaskListener(this.redisTemplate, this.connections, taskJson,
				maxBlockMillis, readerIdleTimeout, readerRecheckInterval);
		this.scheduleChangeListener = new RedisScheduleChangeListener(connectionFactory);
	}

	/**
	 * Return the settings of this backend.
	 * @return the settings
	 */
	public Settings getSettings() {
		return this.settings;
	}

	@Override
	public List<Boolean> append(String queue, List<? extends Task<?>> tasks, boolean unique) {
		assertQueue(queue);
		Assert.notNull(tasks, "'tasks' must not be null");
		Assert.noNullElements(tasks, "'tasks' must not contain null elements");
		if (tasks.isEmpty()) {
			return List.of();
		}
		List<byte[]> jsons = new ArrayList<>(tasks.size());
		tasks.forEach((task) -> jsons.add(this.taskJson.writeBytes(task)));
		return run(() -> "add " + count(tasks.size(), "task") + " to queue '" + queue + "'", () -> {
			List<Boolean> queued = new ArrayList<>(tasks.size());
			for (int from = 0; from < tasks.size(); from += RedisSupport.BATCH_SIZE) {
				int to = Math.min(from + RedisSupport.BATCH_SIZE, tasks.size());
				List<String> keys = new ArrayList<>(to - from + 2);
				keys.add(RedisKeys.pending(queue));
				keys.add(RedisKeys.pendingIds(queue));
				List<Object> args = new ArrayList<>(2 * (to - from) + 2);
				args.add(this.settings.consumerGroup());
				args.add(RedisSupport.flag(unique));
				for (int i = from; i < to; i++) {
					UUID id = tasks.get(i).getId();
					keys.add(RedisKeys.task(queue, id));
					args.add(id.toString());
					args.add(jsons.get(i));
				}
				List<?> replies = (from == 0) ? this.scripts.executeAndRegister(queue, RedisScripts.APPEND, keys, args)
						: this.scripts.execute(RedisScripts.APPEND, keys, args);
				for (Object reply : replies) {
					queued.add(reply instanceof String);
				}
			}
			return queued;
		});
	}

	@Override
	public List<TaskDelivery> pop(String queue, int limit, int held, @Nullable Duration timeout) {
		assertQueue(queue);
		if (limit < 1) {
			throw new IllegalArgumentException("'limit' must be at least 1 but was " + limit);
		}
		if (held < 0 || held >= limit) {
			throw new IllegalArgumentException(
					"'held' must be at least 0 and less than 'limit' (" + limit + ") but was " + held);
		}
		if (timeout != null && timeout.isNegative()) {
			throw new IllegalArgumentException("'timeout' must not be negative but was " + timeout);
		}
		return run(() -> "take tasks from queue '" + queue + "'",
				() -> this.reader.pop(queue, limit, held, timeout));
	}

	@Override
	public void markStarted(String queue, Collection<TaskDelivery> deliveries) {
		assertQueue(queue);
		if (deliveries == null) {
			throw new IllegalArgumentException("'deliveries' must not be null");
		}
		if (deliveries.isEmpty()) {
			return;
		}
		run(() -> "mark " + deliveries.size() + " task(s) of queue '" + queue + "' as started", () -> {
			this.reader.markStarted(queue, deliveries);
			return null;
		});
	}

	@Override
	public List<Task<Object>> getPending(String queue, int count) {
		assertQueue(queue);
		if (count < 1) {
			throw new IllegalArgumentException("'count' must be at least 1 but was " + count);
		}
		return run(() -> "read the pending tasks of queue '" + queue + "'", () -> {
			List<MapRecord<String, Object, Object>> records = this.redisTemplate.opsForStream()
				.range(RedisKeys.pending(queue), Range.unbounded(), Limit.limit().count(count));
			List<Task<Object>> tasks = new ArrayList<>();
			if (records != null) {
				for (MapRecord<String, Object, Object> record : records) {
					Object data = record.getValue().get("data");
					String entry = "entry " + record.getId().getValue();
					Task<Object> task = (data instanceof String json)
							? RedisSupport.readOrSkip(this.taskJson, queue, json, entry, logger) : null;
					if (task != null) {
						tasks.add(task);
					}
				}
			}
			return tasks;
		});
	}

	@Override
	public long size(String queue) {
		assertQueue(queue);
		return run(() -> "count the pending tasks of queue '" + queue + "'",
				() -> orZero(this.redisTemplate.opsForStream().size(RedisKeys.pending(queue))));
	}

	@Override
	public long clear(String queue) {
		assertQueue(queue);
		return run(() -> "clear queue '" + queue + "'", () -> {
			long removed = scanTaskRecords(queue, (keys) -> orZero(this.redisTemplate.unlink(keys)));
			this.connections.executePipelined((connection) -> {
				// trimmed, not deleted: the stream and its consumer group stay for the workers that read it
				connection.streamCommands().xTrim(RedisSupport.bytes(RedisKeys.pending(queue)), 0);
				connection.keyCommands()
					.del(RedisSupport.bytes(RedisKeys.pendingIds(queue)),
							RedisSupport.bytes(RedisKeys.scheduled(queue)), RedisSupport.bytes(RedisKeys.cron(queue)),
							RedisSupport.bytes(RedisKeys.dead(queue)));
				connection.hashCommands().hDel(RedisSupport.bytes(RedisKeys.QUEUES), RedisSupport.bytes(queue));
			});
			return removed;
		});
	}

	@Override
	public Map<UUID, Task<Object>> getTasks(String queue, Collection<UUID> ids) {
		assertQueue(queue);
		Assert.notNull(ids, "'ids' must not be null");
		Assert.noNullElements(ids, "'ids' must not contain null elements");
		Set<UUID> distinct = new LinkedHashSet<>(ids);
		if (distinct.isEmpty()) {
			return new LinkedHashMap<>();
		}
		return run(() -> "read " + count(distinct.size(), "task") + " of queue '" + queue + "'",
				() -> readTasks(queue, distinct));
	}

	private Map<UUID, Task<Object>> readTasks(String queue, Collection<UUID> ids) {
		Map<UUID, Task<Object>> tasks = new LinkedHashMap<>();
		List<UUID> batch = new ArrayList<>(Math.min(ids.size(), RedisSupport.BATCH_SIZE));
		for (UUID id : ids) {
			batch.add(id);
			if (batch.size() == RedisSupport.BATCH_SIZE) {
				readBatch(queue, batch, tasks);
				batch.clear();
			}
		}
		if (!batch.isEmpty()) {
			readBatch(queue, batch, tasks);
		}
		return tasks;
	}

	private void readBatch(String queue, List<UUID> ids, Map<UUID, Task<Object>> tasks) {
		List<String> jsons = this.redisTemplate.opsForValue()
			.multiGet(ids.stream().map((id) -> RedisKeys.task(queue, id)).toList());
		for (int i = 0; i < ids.size(); i++) {
			String json = (jsons != null) ? jsons.get(i) : null;
			if (json != null) {
				tasks.put(ids.get(i), this.taskJson.read(json));
			}
		}
	}

	@Override
	public List<Task<Object>> getAllTasks(String queue) {
		assertQueue(queue);
		return run(() -> "read all tasks of queue '" + queue + "'", () -> {
			List<Task<Object>> tasks = new ArrayList<>();
			scanTaskRecords(queue, (keys) -> {
				readAllBatch(queue, keys, tasks);
				return keys.size();
			});
			return tasks;
		});
	}

	/**
	 * Find the task records of a queue with {@code SCAN} and hand them to an action in batches.
	 * @param queue the queue name
	 * @param action what to do with a batch of at most {@link RedisSupport#BATCH_SIZE} keys, returning a count
	 * @return the sum of the counts
	 */
	private long scanTaskRecords(String queue, ToLongFunction<List<String>> action) {
		long total = 0;
		ScanOptions options = ScanOptions.scanOptions()
			.match(RedisKeys.taskPattern(queue))
			.count(RedisSupport.BATCH_SIZE)
			.build();
		try (Cursor<String> cursor = this.redisTemplate.scan(options)) {
			List<String> batch = new ArrayList<>(RedisSupport.BATCH_SIZE);
			while (cursor.hasNext()) {
				String key = cursor.next();
				if (RedisKeys.taskId(queue, key) != null) {
					batch.add(key);
				}
				if (batch.size() == RedisSupport.BATCH_SIZE) {
					total += action.applyAsLong(batch);
					batch.clear();
				}
			}
			if (!batch.isEmpty()) {
				total += action.applyAsLong(batch);
			}
		}
		return total;
	}

	private void readAllBatch(String queue, List<String> keys, List<Task<Object>> tasks) {
		List<String> jsons = this.redisTemplate.opsForValue().multiGet(keys);
		for (int i = 0; i < keys.size(); i++) {
			String json = (jsons != null) ? jsons.get(i) : null;
			Task<Object> task = (json != null)
					? RedisSupport.readOrSkip(this.taskJson, queue, json, "record " + keys.get(i), logger) : null;
			if (task != null) {
				tasks.add(task);
			}
		}
	}

	@Override
	public boolean schedule(String queue, Task<?> task, Instant at, boolean unique) {
		assertQueue(queue);
		Assert.notNull(task, "'task' must not be null");
		Assert.notNull(at, "'at' must not be null");
		String json = this.taskJson.write(task);
		return run(() -> "schedule task " + task.getId() + " in queue '" + queue + "'", () -> {
			List<String> keys = List.of(RedisKeys.task(queue, task.getId()), RedisKeys.scheduled(queue));
			List<Object> args = List.of(task.getId().toString(), json, score(at), RedisSupport.flag(unique),
					RedisKeys.scheduleChanged(queue));
			return Long.valueOf(1).equals(this.scripts.executeAndRegister(queue, RedisScripts.SCHEDULE, keys, args));
		});
	}

	@Override
	public List<Task<Object>> popScheduled(String queue, Instant now, int limit) {
		assertQueue(queue);
		Assert.notNull(now, "'now' must not be null");
		if (limit < 1) {
			throw new IllegalArgumentException("'limit' must be at least 1 but was " + limit);
		}
		String nowScore = score(now);
		return run(() -> "move due scheduled tasks of queue '" + queue + "' to the queue", () -> {
			Set<String> due = this.redisTemplate.opsForZSet()
				.rangeByScore(RedisKeys.scheduled(queue), Double.NEGATIVE_INFINITY, Double.parseDouble(nowScore), 0,
						limit);
			if (due == null || due.isEmpty()) {
				return List.of();
			}
			List<String> ids = new ArrayList<>(due);
			List<String> keys = new ArrayList<>(ids.size() + 3);
			keys.add(RedisKeys.scheduled(queue));
			keys.add(RedisKeys.pending(queue));
			keys.add(RedisKeys.pendingIds(queue));
			ids.forEach((id) -> keys.add(RedisKeys.taskPrefix(queue) + id));
			// the records are compared byte for byte in the script, so they are read and sent back as bytes
			List<byte[]> peeked = this.redisTemplate.execute((RedisCallback<List<byte[]>>) (connection) -> connection
				.stringCommands()
				.mGet(keys.subList(3, keys.size()).stream().map(RedisSupport::bytes).toArray(byte[][]::new)));
			List<@Nullable Task<Object>> promoted = new ArrayList<>(ids.size());
			List<@Nullable String> problems = new ArrayList<>(ids.size());
			List<Object> args = new ArrayList<>(3 * ids.size() + 2);
			args.add(this.settings.consumerGroup());
			args.add(nowScore);
			for (int i = 0; i < ids.size(); i++) {
				byte[] current = (peeked != null) ? peeked.get(i) : null;
				Task<Object> task = null;
				String json = "";
				String problem = null;
				if (current != null) {
					try {
						Task<Object> stored = this.taskJson.read(RedisSupport.string(current));
						if (!stored.isFinished()) {
							task = stored.mutate().status(TaskStatus.PENDING).build();
							json = this.taskJson.write(task);
						}
					}
					catch (InvalidTaskException ex) {
						task = null;
						problem = ex.getMessage();
					}
				}
				promoted.add(task);
				problems.add(problem);
				args.add(ids.get(i));
				args.add((current != null) ? current : new byte[0]);
				args.add(json);
			}
			List<?> replies = this.scripts.execute(RedisScripts.PROMOTE, keys, args);
			List<Task<Object>> moved = new ArrayList<>(ids.size());
			for (int i = 0; i < ids.size(); i++) {
				Object reply = replies.get(i);
				Task<Object> task = promoted.get(i);
				if (reply instanceof String && task != null) {
					moved.add(task);
				}
				else if (Long.valueOf(-1).equals(reply) && problems.get(i) != null) {
					logger.error("Removed task " + ids.get(i) + " from the schedule of queue '" + queue
							+ "' because its record is not a valid task (" + problems.get(i) + "): "
							+ RedisSupport.abbreviate(RedisSupport.string(peeked.get(i))));
				}
			}
			return moved;
		});
	}

	@Override
	public List<Task<Object>> getScheduled(String queue) {
		assertQueue(queue);
		return run(() -> "read the scheduled tasks of queue '" + queue + "'", () -> {
			Set<String> members = this.redisTemplate.opsForZSet().range(RedisKeys.scheduled(queue), 0, -1);
			if (members == null || members.isEmpty()) {
				return List.of();
			}
			List<String> keys = members.stream().map((id) -> RedisKeys.taskPrefix(queue) + id).toList();
			List<Task<Object>> tasks = new ArrayList<>(keys.size());
			for (int from = 0; from < keys.size(); from += RedisSupport.BATCH_SIZE) {
				readAllBatch(queue, keys.subList(from, Math.min(from + RedisSupport.BATCH_SIZE, keys.size())), tasks);
			}
			return tasks;
		});
	}

	@Override
	public Optional<Instant> nextScheduledAt(String queue) {
		assertQueue(queue);
		return run(() -> "read the schedule of queue '" + queue + "'", () -> {
			Set<TypedTuple<String>> first = this.redisTemplate.opsForZSet()
				.rangeWithScores(RedisKeys.scheduled(queue), 0, 0);
			if (first == null || first.isEmpty()) {
				return Optional.empty();
			}
			Double score = first.iterator().next().getScore();
			return Optional.ofNullable(score).map(RedisBackend::instant);
		});
	}

	@Override
	public boolean storeResult(String queue, Task<?> task, @Nullable String deliveryId) {
		assertQueue(queue);
		Assert.notNull(task, "'task' must not be null");
		List<Boolean> stored = store(queue, List.of(task), Collections.singletonList(deliveryId),
				() -> "store the state of task " + task.getId() + " in queue '" + queue + "'");
		return stored.get(0);
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * This backend stores up to {@value RedisSupport#BATCH_SIZE} states with one script call.
	 */
	@Override
	public List<Boolean> storeResults(String queue, List<TaskDelivery> outcomes) {
		assertQueue(queue);
		Assert.notNull(outcomes, "'outcomes' must not be null");
		Assert.noNullElements(outcomes, "'outcomes' must not contain null elements");
		List<Task<?>> tasks = new ArrayList<>(outcomes.size());
		List<@Nullable String> deliveryIds = new ArrayList<>(outcomes.size());
		for (TaskDelivery outcome : outcomes) {
			tasks.add(outcome.task());
			deliveryIds.add(outcome.deliveryId());
		}
		return store(queue, tasks, deliveryIds,
				() -> "store the states of " + count(outcomes.size(), "task") + " in queue '" + queue + "'");
	}

	private List<Boolean> store(String queue, List<Task<?>> tasks, List<@Nullable String> deliveryIds,
			Supplier<String> operation) {
		if (tasks.isEmpty()) {
			return List.of();
		}
		// written before anything is sent: a state that cannot be written stores none of the batch
		List<byte[]> jsons = new ArrayList<>(tasks.size());
		for (Task<?> task : tasks) {
			jsons.add(this.taskJson.writeBytes(task));
		}
		return run(operation, () -> {
			List<Boolean> stored = new ArrayList<>(tasks.size());
			for (int from = 0; from < tasks.size(); from += RedisSupport.BATCH_SIZE) {
				int to = Math.min(from + RedisSupport.BATCH_SIZE, tasks.size());
				List<String> keys = new ArrayList<>(to - from + 5);
				keys.add(RedisKeys.pending(queue));
				keys.add(RedisKeys.pendingIds(queue));
				keys.add(RedisKeys.finished(queue));
				keys.add(RedisKeys.completed(queue));
				keys.add(RedisKeys.scheduled(queue));
				List<String> delivered = new ArrayList<>(to - from);
				for (String deliveryId : deliveryIds.subList(from, to)) {
					if (deliveryId != null) {
						delivered.add(deliveryId);
					}
				}
				String[] range = delivered.isEmpty() ? new String[] { "", "" } : RedisSupport.range(delivered);
				List<Object> args = new ArrayList<>(7 * (to - from) + 6);
				args.add(this.settings.consumerGroup());
				args.add(this.settings.consumerName());
				args.add(finishedMinId());
				args.add(RedisKeys.scheduleChanged(queue));
				args.add(range[0]);
				args.add(range[1]);
				for (int i = from; i < to; i++) {
					Task<?> task = tasks.get(i);
					String deliveryId = deliveryIds.get(i);
					Instant retryAt = (task.getStatus() == TaskStatus.RETRYING) ? task.getNextRetryAt() : null;
					keys.add(RedisKeys.task(queue, task.getId()));
					args.add(task.getId().toString());
					args.add(jsons.get(i));
					args.add(RedisSupport.flag(task.isFinished()));
					args.add(this.settings.ttlPolicy().resolve(task).map(RedisBackend::seconds).orElse(""));
					args.add((deliveryId != null) ? deliveryId : "");
					args.add((retryAt != null) ? score(retryAt) : "");
					byte[] claimed = (deliveryId != null) ? this.claimedRecords.take(deliveryId) : null;
					args.add((claimed != null) ? claimed : "");
				}
				for (Object reply : this.scripts.execute(RedisScripts.STORE_RESULTS, keys, args)) {
					stored.add(Long.valueOf(1).equals(reply));
				}
			}
			return stored;
		});
	}

	@Override
	public void release(String queue, Collection<TaskDelivery> deliveries) {
		assertQueue(queue);
		Assert.notNull(deliveries, "'deliveries' must not be null");
		Assert.noNullElements(deliveries, "'deliveries' must not contain null elements");
		if (deliveries.isEmpty()) {
			return;
		}
		List<TaskDelivery> released = List.copyOf(deliveries);
		List<byte[]> marks = new ArrayList<>(released.size());
		for (TaskDelivery delivery : released) {
			marks.add(markedPrefix(delivery));
		}
		run(() -> "hand back " + count(released.size(), "task") + " to queue '" + queue + "'", () -> {
			for (int from = 0; from < released.size(); from += RedisSupport.BATCH_SIZE) {
				List<TaskDelivery> batch = released.subList(from,
						Math.min(from + RedisSupport.BATCH_SIZE, released.size()));
				List<String> keys = new ArrayList<>(batch.size() + 2);
				keys.add(RedisKeys.pending(queue));
				keys.add(RedisKeys.pendingIds(queue));
				List<Object> args = new ArrayList<>(3 * batch.size() + 2);
				args.add(this.settings.consumerGroup());
				args.add(this.settings.consumerName());
				for (int i = 0; i < batch.size(); i++) {
					TaskDelivery delivery = batch.get(i);
					UUID id = delivery.task().getId();
					keys.add(RedisKeys.task(queue, id));
					args.add(delivery.deliveryId());
					args.add(id.toString());
					args.add(marks.get(from + i));
				}
				List<?> replies = this.scripts.execute(RedisScripts.RELEASE, keys, args);
				for (int i = 0; i < batch.size(); i++) {
					if (Long.valueOf(-1).equals(replies.get(i))) {
						logger.error("Did not queue task " + batch.get(i).task().getId() + " of queue '" + queue
								+ "' again because its record is not a valid task");
					}
				}
			}
			return null;
		});
	}

	/**
	 * Return the beginning of the processing state this backend wrote when it claimed a delivery, up to its status;
	 * for a delivery it has not noted, that of the state as this backend writes it.
	 */
	private byte[] markedPrefix(TaskDelivery delivery) {
		byte[] noted = this.claimedRecords.take(delivery.deliveryId());
		if (noted != null) {
			return noted;
		}
		Task<Object> processing = delivery.task().mutate().status(TaskStatus.PROCESSING).build();
		ClaimMark mark = ClaimMark.of(this.taskJson.writeBytes(processing), TaskStatus.PROCESSING);
		return (mark != null) ? mark.markedPrefix() : new byte[0];
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * The scripts that put a task in the schedule ({@link #schedule}, {@link #storeResult} of a retrying task and
	 * {@link #retry} with a time) publish its id on the queue's channel {@code sheppy:scheduled-changed:{q}} when it is
	 * now the first of the schedule. This backend listens on one connection of its own, subscribed to the channels of
	 * the queues awaited so far: the first wait for a queue subscribes its channel (one round trip to Redis), later
	 * waits send no command. The signal is sticky: one that arrives while nobody waits is taken by the next wait of the
	 * queue, which returns {@code true} at once; one that arrives while callers wait wakes all of them. Every
	 * subscription signals too, because what was published before it is unknown: the first wait for a queue returns
	 * {@code true} at once, and so does the next wait after Redis went away and the channels were subscribed again.
	 * Tasks scheduled by clients that do not publish (Python Sheppy) are not signalled.
	 * @throws IllegalArgumentException if the timeout is {@code null} or negative
	 * @throws BackendException if the channel of the queue cannot be subscribed, for example because Redis is
	 * unreachable (which may take up to the client's command timeout to tell)
	 * @throws IllegalStateException if the backend has been closed
	 */
	@Override
	public boolean awaitScheduleChange(String queue, Duration timeout) {
		assertQueue(queue);
		ScheduleChangeSignals.assertTimeout(timeout);
		return this.scheduleChangeListener.await(queue, timeout);
	}

	@Override
	public boolean retry(String queue, Task<?> task, @Nullable Instant at) {
		assertQueue(queue);
		Assert.notNull(task, "'task' must not be null");
		Assert.isTrue(!task.isFinished(),
				() -> "'task' must not be finished but has finished_at " + task.getFinishedAt());
		String json = this.taskJson.write(task);
		return run(() -> "retry task " + task.getId() + " of queue '" + queue + "'", () -> {
			List<String> keys = List.of(RedisKeys.task(queue, task.getId()), RedisKeys.pending(queue),
					RedisKeys.pendingIds(queue), RedisKeys.scheduled(queue));
			List<Object> args = List.of(task.getId().toString(), json, this.settings.consumerGroup(),
					(at != null) ? score(at) : "", RedisKeys.scheduleChanged(queue));
			return Long.valueOf(1).equals(this.scripts.executeAndRegister(queue, RedisScripts.RETRY, keys, args));
		});
	}

	/**
	 * Check Redis's eviction policy and persistence. Redis providers that forbid {@code CONFIG GET} make the check
	 * return no warnings.
	 */
	@Override
	public List<String> checkDurability() {
		Properties config;
		try {
			config = this.redisTemplate.execute((RedisCallback<Properties>) (connection) -> {
				Properties all = new Properties();
				for (String name : List.of("maxmemory-policy", "appendonly", "save")) {
					Properties one = connection.serverCommands().getConfig(name);
					if (one != null) {
						all.putAll(one);
					}
				}
				return all;
			});
		}
		catch (RuntimeException ex) {
			logger.debug("Cannot read the configuration of Redis to check its durability", ex);
			return List.of();
		}
		List<String> warnings = new ArrayList<>();
		String policy = (config != null) ? config.getProperty("maxmemory-policy") : null;
		if (policy != null && !"noeviction".equals(policy)) {
			warnings.add("Redis evicts keys when its memory is full (maxmemory-policy " + policy + "), so it can drop "
					+ "tasks; set maxmemory-policy to noeviction");
		}
		String appendOnly = (config != null) ? config.getProperty("appendonly") : null;
		String save = (config != null) ? config.getProperty("save") : null;
		if ("no".equals(appendOnly) && save != null && save.isBlank()) {
			warnings.add("Redis persists nothing (appendonly no, no save points), so a restart loses every task; turn "
					+ "on AOF (appendonly yes) or RDB snapshots");
		}
		return warnings;
	}

	@Override
	public void renewLeases(String queue, Collection<String> deliveryIds) {
		assertQueue(queue);
		Assert.notNull(deliveryIds, "'deliveryIds' must not be null");
		if (deliveryIds.isEmpty()) {
			return;
		}
		List<Object> args = new ArrayList<>(deliveryIds.size() + 2);
		args.add(this.settings.consumerGroup());
		args.add(this.settings.consumerName());
		args.addAll(deliveryIds);
		run(() -> "renew the leases of " + count(deliveryIds.size(), "task") + " of queue '" + queue + "'",
				() -> this.scripts.execute(RedisScripts.RENEW, List.of(RedisKeys.pending(queue)), args));
	}

	@Override
	public List<ReclaimedDelivery> reclaim(String queue, Duration minIdle, int limit) {
		assertQueue(queue);
		Assert.isTrue(minIdle != null && !minIdle.isNegative(), () -> "'minIdle' must not be negative but was " + minIdle);
		Assert.isTrue(limit >= 1, () -> "'limit' must be at least 1 but was " + limit);
		return run(() -> "take over the abandoned tasks of queue '" + queue + "'",
				() -> this.reader.reclaim(queue, minIdle, limit));
	}

	@Override
	public int removeIdleConsumers(String queue, Duration minIdle) {
		assertQueue(queue);
		Assert.isTrue(minIdle != null && !minIdle.isNegative(), () -> "'minIdle' must not be negative but was " + minIdle);
		return run(() -> "remove idle workers of queue '" + queue + "'", () -> {
			byte[] stream = RedisSupport.bytes(RedisKeys.pending(queue));
			String group = this.settings.consumerGroup();
			return this.redisTemplate.execute((RedisCallback<Integer>) (connection) -> {
				StreamInfo.XInfoConsumers consumers;
				try {
					consumers = connection.streamCommands().xInfoConsumers(stream, group);
				}
				catch (RuntimeException ex) {
					if (RedisSupport.hasErrorCode(ex, "NOGROUP") || RedisSupport.hasErrorCode(ex, "ERR")) {
						return 0;
					}
					throw ex;
				}
				int removed = 0;
				for (StreamInfo.XInfoConsumer consumer : consumers) {
					if (consumer.pendingCount() == 0 && consumer.idleTimeMs() >= minIdle.toMillis()
							&& !consumer.consumerName().equals(this.settings.consumerName())) {
						connection.streamCommands().xGroupDelConsumer(stream, group, consumer.consumerName());
						removed++;
					}
				}
				return removed;
			});
		});
	}

	@Override
	public void acknowledge(String queue, Collection<String> deliveryIds) {
		assertQueue(queue);
		Assert.notNull(deliveryIds, "'deliveryIds' must not be null");
		Assert.noNullElements(deliveryIds, "'deliveryIds' must not contain null elements");
		if (deliveryIds.isEmpty()) {
			return;
		}
		this.claimedRecords.forget(deliveryIds);
		String[] ids = deliveryIds.toArray(String[]::new);
		run(() -> "acknowledge " + count(ids.length, "entry", "entries") + " of queue '" + queue + "'", () -> {
			byte[] stream = RedisSupport.bytes(RedisKeys.pending(queue));
			return this.connections.executePipelined((connection) -> {
				connection.streamCommands().xAck(stream, this.settings.consumerGroup(), ids);
				connection.streamCommands().xDel(stream, ids);
			});
		});
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * The waiters of a queue share one reader thread and one connection, started with the first waiter and stopped
	 * when the queue has had no waiters for a while. When Redis cannot be read while the state of the tasks is checked
	 * at the start, the future fails with a {@link BackendException}; once waiting, a future outlives Redis going away
	 * and coming back. When the backend is closed, waiting futures fail with a {@link BackendException}.
	 * @throws IllegalStateException if the backend has been closed
	 */
	@Override
	public CompletableFuture<Map<UUID, Task<Object>>> whenFinished(String queue, Collection<UUID> ids) {
		assertQueue(queue);
		Assert.notNull(ids, "'ids' must not be null");
		Assert.noNullElements(ids, "'ids' must not contain null elements");
		Set<UUID> wanted = new LinkedHashSet<>(ids);
		if (wanted.isEmpty()) {
			return CompletableFuture.completedFuture(new LinkedHashMap<>());
		}
		try {
			return this.finishedTaskListener.whenFinished(queue, wanted);
		}
		catch (DataAccessException ex) {
			String operation = "wait for " + count(wanted.size(), "task") + " of queue '" + queue + "'";
			return CompletableFuture
				.failedFuture(new BackendException("Failed to " + operation + ": " + ex.getMessage(), ex));
		}
	}

	@Override
	public Optional<Task<Object>> cancel(String queue, UUID id) {
		assertQueue(queue);
		Assert.notNull(id, "'id' must not be null");
		return run(() -> "cancel task " + id + " of queue '" + queue + "'", () -> {
			byte[] key = RedisSupport.bytes(RedisKeys.task(queue, id));
			List<String> keys = List.of(RedisKeys.task(queue, id), RedisKeys.scheduled(queue), RedisKeys.pending(queue),
					RedisKeys.pendingIds(queue), RedisKeys.finished(queue), RedisKeys.completed(queue));
			for (int attempt = 0; attempt < CANCEL_ATTEMPTS; attempt++) {
				byte[] current = this.redisTemplate
					.execute((RedisCallback<byte[]>) (connection) -> connection.stringCommands().get(key));
				if (current == null) {
					return Optional.empty();
				}
				Task<Object> task = this.taskJson.read(RedisSupport.string(current));
				if (task.isFinished()) {
					return Optional.empty();
				}
				Task<Object> cancelled = task.mutate().status(TaskStatus.CANCELLED).finishedAt(Task.now()).build();
				String ttl = this.settings.ttlPolicy().resolve(cancelled).map(RedisBackend::seconds).orElse("");
				List<Object> args = List.of(id.toString(), current, this.taskJson.write(cancelled), ttl,
						finishedMinId(), this.settings.consumerGroup());
				String outcome = this.scripts.execute(RedisScripts.CANCEL, keys, args);
				if ("cancelled".equals(outcome)) {
					return Optional.of(cancelled);
				}
				if ("taken".equals(outcome)) {
					return Optional.empty();
				}
			}
			throw new BackendException("Failed to cancel task " + id + " of queue '" + queue + "': its record changed "
					+ CANCEL_ATTEMPTS + " times while cancelling it", null);
		});
	}

	@Override
	public boolean delete(String queue, UUID id) {
		assertQueue(queue);
		Assert.notNull(id, "'id' must not be null");
		Long deleted = run(() -> "delete task " + id + " of queue '" + queue + "'",
				() -> this.scripts.execute(RedisScripts.DELETE, List.of(RedisKeys.task(queue, id)), List.of()));
		if (Long.valueOf(-1).equals(deleted)) {
			throw new IllegalStateException("Task " + id + " has not finished; cancel it first");
		}
		return Long.valueOf(1).equals(deleted);
	}

	@Override
	public QueueStats getStats(String queue) {
		assertQueue(queue);
		return run(() -> "read the counts of queue '" + queue + "'", () -> {
			List<Object> results = this.connections.executePipelined((connection) -> {
				connection.streamCommands().xLen(RedisSupport.bytes(RedisKeys.pending(queue)));
				connection.stringCommands().get(RedisSupport.bytes(RedisKeys.completed(queue)));
				connection.zSetCommands().zCard(RedisSupport.bytes(RedisKeys.scheduled(queue)));
			});
			Object completed = results.get(1);
			return new QueueStats(RedisSupport.number(results.get(0)),
					(completed instanceof byte[] counter) ? Long.parseLong(RedisSupport.string(counter)) : 0,
					RedisSupport.number(results.get(2)));
		});
	}

	@Override
	public Map<String, Long> listQueues() {
		return run(() -> "list the queues", () -> {
			Set<String> names = new TreeSet<>();
			ScanOptions options = ScanOptions.scanOptions().count(RedisSupport.BATCH_SIZE).build();
			try (Cursor<Map.Entry<Object, Object>> cursor = this.redisTemplate.opsForHash()
				.scan(RedisKeys.QUEUES, options)) {
				cursor.forEachRemaining((entry) -> names.add((String) entry.getKey()));
			}
			Map<String, Long> queues = new LinkedHashMap<>();
			List<String> batch = new ArrayList<>(Math.min(names.size(), RedisSupport.BATCH_SIZE));
			for (String name : names) {
				batch.add(name);
				if (batch.size() == RedisSupport.BATCH_SIZE) {
					countPending(batch, queues);
					batch.clear();
				}
			}
			if (!batch.isEmpty()) {
				countPending(batch, queues);
			}
			return queues;
		});
	}

	private void countPending(List<String> names, Map<String, Long> queues) {
		List<Object> sizes;
		try {
			sizes = this.connections.executePipelined((connection) -> names
				.forEach((name) -> connection.streamCommands().xLen(RedisSupport.bytes(RedisKeys.pending(name)))));
		}
		catch (RedisPipelineException ex) {
			// a key of another type under a queue's name counts as an empty queue, as in Python Sheppy
			sizes = ex.getPipelineResult();
		}
		for (int i = 0; i < names.size(); i++) {
			queues.put(names.get(i), (i < sizes.size()) ? RedisSupport.number(sizes.get(i)) : 0);
		}
	}

	@Override
	public boolean addCron(String queue, TaskCron cron) {
		assertQueue(queue);
		Assert.notNull(cron, "'cron' must not be null");
		String json = this.taskJson.writeCron(cron);
		return run(() -> "add cron " + cron.deterministicId() + " to queue '" + queue + "'",
				() -> Boolean.TRUE.equals(this.redisTemplate.opsForHash()
					.putIfAbsent(RedisKeys.cron(queue), cron.deterministicId().toString(), json)));
	}

	@Override
	public boolean deleteCron(String queue, UUID deterministicId) {
		assertQueue(queue);
		Assert.notNull(deterministicId, "'deterministicId' must not be null");
		return run(() -> "delete cron " + deterministicId + " of queue '" + queue + "'",
				() -> orZero(this.redisTemplate.opsForHash()
					.delete(RedisKeys.cron(queue), deterministicId.toString())) > 0);
	}

	@Override
	public List<TaskCron> getCrons(String queue) {
		assertQueue(queue);
		return run(() -> "read the crons of queue '" + queue + "'", () -> {
			List<Object> values = this.redisTemplate.opsForHash().values(RedisKeys.cron(queue));
			List<TaskCron> crons = new ArrayList<>(values.size());
			for (Object value : values) {
				try {
					crons.add(this.taskJson.readCron((String) value));
				}
				catch (InvalidTaskException ex) {
					logger.warn("Skipped a cron of queue '" + queue + "' that cannot be read (" + ex.getMessage()
							+ "): " + RedisSupport.abbreviate((String) value));
				}
			}
			return crons;
		});
	}

	/**
	 * Stop the readers of finished notifications, failing the futures still waiting with a
	 * {@link BackendException}, wake the callers of {@link #awaitScheduleChange} (which return {@code false}), and close
	 * the connections that this backend keeps for blocking reads and schedule changes. A blocking read in progress ends
	 * within its current wait; afterwards the backend must not be used.
	 */
	@Override
	public void close() {
		this.scheduleChangeListener.close();
		this.finishedTaskListener.close();
		this.connections.close();
	}

	/**
	 * Return the number of {@link #whenFinished} futures of a queue still waiting, for tests.
	 */
	int waiterCount(String queue) {
		return this.finishedTaskListener.waiterCount(queue);
	}

	private static long maxBlockMillis(RedisConnectionFactory connectionFactory) {
		long commandTimeout = RedisConnectionFactories.commandTimeoutMillis(connectionFactory);
		// Lettuce fails a command, blocking or not, that takes longer than its command timeout
		return (commandTimeout > 0) ? Math.max(1, Math.min(MAX_BLOCK_MILLIS, commandTimeout / 2)) : MAX_BLOCK_MILLIS;
	}

	private String finishedMinId() {
		return (System.currentTimeMillis() - this.settings.finishedRetention().toMillis()) + "-0";
	}

	/**
	 * Return a time as a score of the schedule: epoch seconds with up to six decimals, as Python's
	 * {@code datetime.timestamp()}.
	 */
	static String score(Instant time) {
		return BigDecimal.valueOf(time.getEpochSecond())
			.add(BigDecimal.valueOf(time.getNano() / 1000, 6))
			.stripTrailingZeros()
			.toPlainString();
	}

	static Instant instant(double score) {
		return Instant.EPOCH.plus(Math.round(score * 1_000_000d), ChronoUnit.MICROS);
	}

	private static String seconds(Duration ttl) {
		return Long.toString(Math.max(1, ttl.toSeconds()));
	}

	private static long orZero(@Nullable Long value) {
		return (value != null) ? value : 0;
	}

	private static String count(int count, String noun) {
		return count(count, noun, noun + "s");
	}

	private static String count(int count, String singular, String plural) {
		return count + " " + ((count == 1) ? singular : plural);
	}

	private static void assertQueue(String queue) {
		Assert.hasLength(queue, "'queue' must not be empty");
	}

	private static <T> T run(Supplier<String> operation, Supplier<T> action) {
		try {
			return action.get();
		}
		catch (DataAccessException ex) {
			throw new BackendException("Failed to " + operation.get() + ": " + RedisSupport.reason(ex), ex);
		}
	}

	/**
	 * Settings of a {@link RedisBackend}; immutable, changed with the {@code withX} methods.
	 *
	 * @param consumerGroup the consumer group of the pending streams, shared by all workers of a queue (Python
	 * Sheppy's default is {@code workers})
	 * @param consumerName the name of this backend in the consumer group, unique per process
	 * @param ttlPolicy how long the records of finished tasks are kept
	 * @param finishedRetention how long finished notifications are kept in the finished stream (approximately)
	 */
	public record Settings(String consumerGroup, String consumerName, TtlPolicy ttlPolicy,
			Duration finishedRetention) {

		/** The default consumer group, as Python Sheppy's. */
		public static final String DEFAULT_CONSUMER_GROUP = "workers";

		/** The default retention of finished notifications, as Python Sheppy's. */
		public static final Duration DEFAULT_FINISHED_RETENTION = Duration.ofSeconds(60);

		public Settings {
			Assert.hasText(consumerGroup, "'consumerGroup' must not be empty");
			Assert.hasText(consumerName, "'consumerName' must not be empty");
			Assert.notNull(ttlPolicy, "'ttlPolicy' must not be null");
			Assert.notNull(finishedRetention, "'finishedRetention' must not be null");
			Assert.isTrue(!finishedRetention.isNegative() && !finishedRetention.isZero(),
					() -> "'finishedRetention' must be positive but was " + finishedRetention);
		}

		/**
		 * Return the default settings: consumer group {@code workers}, a consumer name unique to this process
		 * ({@code <host>-<pid>-<random>}), {@link TtlPolicy#DEFAULT} and 60 seconds of finished notifications.
		 * @return the default settings
		 */
		public static Settings defaults() {
			return new Settings(DEFAULT_CONSUMER_GROUP, defaultConsumerName(), TtlPolicy.DEFAULT,
					DEFAULT_FINISHED_RETENTION);
		}

		public Settings withConsumerGroup(String consumerGroup) {
			return new Settings(consumerGroup, this.consumerName, this.ttlPolicy, this.finishedRetention);
		}

		public Settings withConsumerName(String consumerName) {
			return new Settings(this.consumerGroup, consumerName, this.ttlPolicy, this.finishedRetention);
		}

		public Settings withTtlPolicy(TtlPolicy ttlPolicy) {
			return new Settings(this.consumerGroup, this.consumerName, ttlPolicy, this.finishedRetention);
		}

		public Settings withFinishedRetention(Duration finishedRetention) {
			return new Settings(this.consumerGroup, this.consumerName, this.ttlPolicy, finishedRetention);
		}

		private static String defaultConsumerName() {
			String host = System.getenv("HOSTNAME");
			if (!StringUtils.hasText(host)) {
				try {
					host = InetAddress.getLocalHost().getHostName();
				}
				catch (UnknownHostException ex) {
					host = "localhost";
				}
			}
			return host + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
		}

	}

}
