package io.sheppy.spring.backend;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.dao.DataAccessException;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisPipelineException;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.stream.ByteRecord;
import org.springframework.data.redis.connection.stream.Consumer;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.connection.stream.StreamInfo;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations.TypedTuple;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.data.redis.serializer.SerializationException;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

import io.sheppy.spring.core.InvalidTaskException;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskCron;
import io.sheppy.spring.core.TaskException;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskSpec;
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

	/** The most keys read, deleted or sent to a script in one command. */
	static final int BATCH_SIZE = 1000;

	/** The longest a blocking read waits in one call; longer waits loop. */
	static final long MAX_BLOCK_MILLIS = 5000;

	private static final int CANCEL_ATTEMPTS = 5;

	private static final int LOGGED_CONTENT_LENGTH = 200;

	private static final JsonMapper TREE_MAPPER = JsonMapper.builder().build();

	private static final byte[] DATA_FIELD = bytes("data");

	private static final boolean LETTUCE_PRESENT = ClassUtils.isPresent("io.lettuce.core.RedisClient",
			RedisBackend.class.getClassLoader());

	private static final RedisSerializer<Object> ARGS_SERIALIZER = new ArgsSerializer();

	private final StringRedisTemplate redisTemplate;

	private final RedisDedicatedConnections connections;

	private final TaskJson taskJson;

	private final Settings settings;

	private final long maxBlockMillis;

	private final RedisFinishedTaskListener finishedTaskListener;

	private final RedisScheduleChangeListener scheduleChangeListener;

	private final ClaimedRecords claimedRecords = new ClaimedRecords();

	/** Queues whose last read took as many entries as it asked for: the next read claims in the same step. */
	private final Set<String> backlogged = ConcurrentHashMap.newKeySet();

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
		this.taskJson = taskJson;
		this.settings = settings;
		this.maxBlockMillis = maxBlockMillis(connectionFactory);
		this.finishedTaskListener = new RedisFinishedTaskListener(this.redisTemplate, this.connections, taskJson,
				this.maxBlockMillis, readerIdleTimeout, readerRecheckInterval);
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
			for (int from = 0; from < tasks.size(); from += BATCH_SIZE) {
				int to = Math.min(from + BATCH_SIZE, tasks.size());
				List<String> keys = new ArrayList<>(to - from + 2);
				keys.add(RedisKeys.pending(queue));
				keys.add(RedisKeys.pendingIds(queue));
				List<Object> args = new ArrayList<>(2 * (to - from) + 2);
				args.add(this.settings.consumerGroup());
				args.add(flag(unique));
				for (int i = from; i < to; i++) {
					UUID id = tasks.get(i).getId();
					keys.add(RedisKeys.task(queue, id));
					args.add(id.toString());
					args.add(jsons.get(i));
				}
				List<?> replies = (from == 0) ? executeAndRegister(queue, RedisScripts.APPEND, keys, args)
						: execute(RedisScripts.APPEND, keys, args);
				for (Object reply : replies) {
					queued.add(reply instanceof String);
				}
			}
			return queued;
		});
	}

	@Override
	public List<TaskDelivery> pop(String queue, int limit, @Nullable Duration timeout) {
		assertQueue(queue);
		if (limit < 1) {
			throw new IllegalArgumentException("'limit' must be at least 1 but was " + limit);
		}
		if (timeout != null && timeout.isNegative()) {
			throw new IllegalArgumentException("'timeout' must not be negative but was " + timeout);
		}
		if (Thread.currentThread().isInterrupted()) {
			// a worker that is being stopped: a read whose reply is never taken would leave its entries claimed
			return List.of();
		}
		return run(() -> "take tasks from queue '" + queue + "'", () -> {
			if (this.backlogged.contains(queue)) {
				List<TaskDelivery> taken = readAndClaim(queue, limit);
				if (taken != null) {
					return taken;
				}
			}
			List<ByteRecord> records;
			try {
				records = readGroup(queue, limit, timeout);
				if (records.size() >= limit) {
					this.backlogged.add(queue);
				}
			}
			catch (DataAccessException ex) {
				if (Thread.currentThread().isInterrupted()) {
					// interrupted while waiting: the connection is closed, the interrupt stays for the caller
					return List.of();
				}
				throw ex;
			}
			return records.isEmpty() ? List.of() : claim(queue, records, false);
		});
	}

	/**
	 * Read and claim new entries in one step, without blocking: while the queue has a backlog, this saves the round
	 * trip of a read. The entries that the script left unclaimed (a layout it does not know, a record that changed, a
	 * task that cannot be read) are claimed as read entries are.
	 * @return the tasks taken, or {@code null} when there was no new entry (or no stream or group) to read
	 */
	private @Nullable List<TaskDelivery> readAndClaim(String queue, int limit) {
		List<?> replies;
		try {
			replies = this.redisTemplate.execute(RedisScripts.READ_CLAIM, ARGS_SERIALIZER, rawResults(),
					List.of(RedisKeys.pending(queue)), this.settings.consumerGroup(), this.settings.consumerName(),
					RedisKeys.taskPrefix(queue), limit);
		}
		catch (DataAccessException ex) {
			this.backlogged.remove(queue);
			if (hasErrorCode(ex, "NOGROUP")) {
				// the blocking read creates the stream and its group
				return null;
			}
			throw ex;
		}
		int read = replies.size() / 3;
		if (read < limit) {
			this.backlogged.remove(queue);
		}
		if (read == 0) {
			return null;
		}
		List<TaskDelivery> deliveries = new ArrayList<>(read);
		List<ByteRecord> unclaimed = new ArrayList<>();
		for (int i = 0; i + 2 < replies.size(); i += 3) {
			String entryId = string((byte[]) replies.get(i));
			byte[] data = (byte[]) replies.get(i + 1);
			int status = ((Number) replies.get(i + 2)).intValue();
			TaskDelivery delivery = (status >= 0) ? claimed(entryId, data, status) : null;
			if (delivery != null) {
				deliveries.add(delivery);
			}
			else {
				unclaimed.add(StreamRecords.rawBytes((data.length > 0) ? Map.of(DATA_FIELD, data) : Map.of())
					.withStreamKey(bytes(RedisKeys.pending(queue)))
					.withId(RecordId.of(entryId)));
			}
		}
		if (!unclaimed.isEmpty()) {
			deliveries.addAll(claim(queue, unclaimed, false));
		}
		return deliveries;
	}

	/**
	 * Return the delivery of an entry that the read-and-claim script claimed, noting the beginning of the record it
	 * wrote; {@code null} when its task cannot be read (it is then claimed as any read entry, and recorded as failed).
	 */
	private @Nullable TaskDelivery claimed(String entryId, byte[] data, int status) {
		Task<Object> task;
		try {
			task = this.taskJson.read(data);
		}
		catch (InvalidTaskException ex) {
			return null;
		}
		if (task.getFinishedAt() == null) {
			this.claimedRecords.put(entryId, ClaimMark.markedPrefix(data, status, TaskStatus.PROCESSING));
		}
		return new TaskDelivery(task.mutate().status(TaskStatus.PROCESSING).build(), entryId);
	}

	private List<ByteRecord> readGroup(String queue, int limit, @Nullable Duration timeout) {
		byte[] stream = bytes(RedisKeys.pending(queue));
		Consumer consumer = Consumer.from(this.settings.consumerGroup(), this.settings.consumerName());
		boolean blocking = timeout != null && !timeout.isZero();
		long deadline = blocking ? deadline(timeout) : 0;
		return this.connections.execute((connection) -> {
			boolean groupCreated = false;
			while (true) {
				StreamReadOptions options = StreamReadOptions.empty().count(limit);
				long block = blocking ? blockMillis(deadline - System.nanoTime(), this.maxBlockMillis) : 0;
				if (block > 0) {
					options = options.block(Duration.ofMillis(block));
				}
				List<ByteRecord> records;
				try {
					records = connection.streamCommands()
						.xReadGroup(consumer, options, StreamOffset.create(stream, ReadOffset.lastConsumed()));
				}
				catch (DataAccessException ex) {
					// UNBLOCKED: the stream was deleted while the read blocked; NOGROUP: the stream or group is gone
					if (groupCreated || !(hasErrorCode(ex, "NOGROUP") || hasErrorCode(ex, "UNBLOCKED"))) {
						throw ex;
					}
					createGroup(connection, stream);
					groupCreated = true;
					continue;
				}
				if ((records != null && !records.isEmpty()) || block == 0) {
					return (records != null) ? records : List.of();
				}
			}
		});
	}

	private void createGroup(RedisConnection connection, byte[] stream) {
		try {
			connection.streamCommands()
				.xGroupCreate(stream, this.settings.consumerGroup(), ReadOffset.from("0"), true);
		}
		catch (DataAccessException ex) {
			if (!hasErrorCode(ex, "BUSYGROUP")) {
				throw ex;
			}
		}
	}

	/**
	 * Claim entries this worker read ({@code takenOver} false) or took over from a lost worker: mark their tasks as
	 * processing, and move entries that hold no valid task aside.
	 */
	private List<TaskDelivery> claim(String queue, List<ByteRecord> records, boolean takenOver) {
		List<@Nullable Task<Object>> tasks = new ArrayList<>(records.size());
		List<@Nullable String> problems = new ArrayList<>(records.size());
		List<Object> args = new ArrayList<>(4 * records.size() + 6);
		args.add(this.settings.consumerGroup());
		args.add(this.settings.consumerName());
		args.add(RedisKeys.taskPrefix(queue));
		args.add(flag(!takenOver));
		List<String> entryIds = new ArrayList<>(records.size());
		records.forEach((record) -> entryIds.add(record.getId().getValue()));
		String[] range = range(entryIds);
		args.add(range[0]);
		args.add(range[1]);
		List<@Nullable ClaimMark> marks = new ArrayList<>(records.size());
		for (ByteRecord record : records) {
			byte[] data = field(record, DATA_FIELD);
			Task<Object> task = null;
			String problem = null;
			if (data == null) {
				problem = "it has no 'data' field";
			}
			else {
				try {
					task = this.taskJson.read(data);
				}
				catch (InvalidTaskException ex) {
					problem = ex.getMessage();
				}
			}
			Task<Object> invalid = (task == null && data != null) ? invalidTask(string(data), problem) : null;
			ClaimMark mark = null;
			if (task != null && data != null) {
				task = task.mutate().status(TaskStatus.PROCESSING).build();
				mark = mark(data, task);
			}
			tasks.add((task != null) ? task : invalid);
			problems.add(problem);
			args.add(record.getId().getValue());
			if (task != null && mark != null) {
				args.add(task.getId().toString());
				args.add(mark.json());
				args.add(mark.queuedPrefix());
			}
			else if (invalid != null) {
				args.add(invalid.getId().toString());
				args.add("");
				args.add("");
			}
			else {
				args.add("");
				args.add(String.valueOf(problem));
				args.add("");
			}
			marks.add((task != null && task.getFinishedAt() == null) ? mark : null);
		}
		List<?> replies = execute(RedisScripts.CLAIM,
				List.of(RedisKeys.pending(queue), RedisKeys.pendingIds(queue), RedisKeys.dead(queue)), args);
		List<TaskDelivery> deliveries = new ArrayList<>(records.size());
		for (int i = 0; i < records.size(); i++) {
			Task<Object> task = tasks.get(i);
			String entryId = records.get(i).getId().getValue();
			if (Long.valueOf(-1).equals(replies.get(i))) {
				// taken over by another worker since it was read (this one stalled past its lease): it decides
				logger.info("Entry " + entryId + " of queue '" + queue + "' was taken over by another worker before "
						+ "this one claimed it; it is left to that worker");
			}
			else if (task == null) {
				logger.error("Moved entry " + entryId + " of queue '" + queue + "' to its dead-letter stream "
						+ RedisKeys.dead(queue) + " because it holds no valid task (" + problems.get(i) + "): "
						+ describe(records.get(i)));
			}
			else if (!Long.valueOf(1).equals(replies.get(i))) {
				continue;
			}
			else if (task.getStatus() == TaskStatus.FAILED) {
				logger.error("Task " + task.getId() + " of queue '" + queue + "' is not valid and is recorded as failed: "
						+ problems.get(i));
				storeResult(queue, task, entryId);
			}
			else {
				ClaimMark mark = marks.get(i);
				if (mark != null) {
					this.claimedRecords.put(entryId, mark.markedPrefix());
				}
				deliveries.add(new TaskDelivery(task, entryId));
			}
		}
		return deliveries;
	}

	/**
	 * Return the processing state of a task read from the given JSON: the JSON with its status replaced, or, when it
	 * has no status to replace, the task written anew (then recognised as queued by the whole JSON).
	 */
	private ClaimMark mark(byte[] queued, Task<Object> processing) {
		ClaimMark mark = ClaimMark.of(queued, TaskStatus.PROCESSING);
		if (mark != null) {
			return mark;
		}
		byte[] json = this.taskJson.writeBytes(processing);
		ClaimMark written = ClaimMark.of(json, TaskStatus.PROCESSING);
		return new ClaimMark(json, queued, (written != null) ? written.markedPrefix() : json);
	}

	/**
	 * Return the failed state of a task whose JSON cannot be read but names its id, so that its owner sees why it did
	 * not run; {@code null} when not even the id can be read.
	 */
	private @Nullable Task<Object> invalidTask(String json, @Nullable String problem) {
		JsonNode node;
		try {
			node = TREE_MAPPER.readTree(json);
		}
		catch (RuntimeException ex) {
			return null;
		}
		JsonNode id = (node != null) ? node.get("id") : null;
		if (id == null || !id.isString()) {
			return null;
		}
		UUID uuid;
		try {
			uuid = UUID.fromString(id.stringValue());
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
		JsonNode func = node.path("spec").path("func");
		String name = (func.isString() && !func.stringValue().isBlank()) ? func.stringValue() : "unknown";
		String message = "The task cannot be read (" + problem + "): " + abbreviate(json);
		return Task.builder(new TaskSpec(name, List.of(), Map.of()))
			.id(uuid)
			.status(TaskStatus.FAILED)
			.exception(TaskException.of("InvalidTaskException", message))
			.finishedAt(Task.now())
			.build();
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
					Task<Object> task = (data instanceof String json) ? readOrSkip(queue, json, entry) : null;
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
				connection.streamCommands().xTrim(bytes(RedisKeys.pending(queue)), 0);
				connection.keyCommands()
					.del(bytes(RedisKeys.pendingIds(queue)), bytes(RedisKeys.scheduled(queue)),
							bytes(RedisKeys.cron(queue)), bytes(RedisKeys.dead(queue)));
				connection.hashCommands().hDel(bytes(RedisKeys.QUEUES), bytes(queue));
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
		List<UUID> batch = new ArrayList<>(Math.min(ids.size(), BATCH_SIZE));
		for (UUID id : ids) {
			batch.add(id);
			if (batch.size() == BATCH_SIZE) {
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
	 * @param action what to do with a batch of at most {@link #BATCH_SIZE} keys, returning a count
	 * @return the sum of the counts
	 */
	private long scanTaskRecords(String queue, ToLongFunction<List<String>> action) {
		long total = 0;
		ScanOptions options = ScanOptions.scanOptions().match(RedisKeys.taskPattern(queue)).count(BATCH_SIZE).build();
		try (Cursor<String> cursor = this.redisTemplate.scan(options)) {
			List<String> batch = new ArrayList<>(BATCH_SIZE);
			while (cursor.hasNext()) {
				String key = cursor.next();
				if (RedisKeys.taskId(queue, key) != null) {
					batch.add(key);
				}
				if (batch.size() == BATCH_SIZE) {
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
			Task<Object> task = (json != null) ? readOrSkip(queue, json, "record " + keys.get(i)) : null;
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
			List<Object> args = List.of(task.getId().toString(), json, score(at), flag(unique),
					RedisKeys.scheduleChanged(queue));
			return Long.valueOf(1).equals(executeAndRegister(queue, RedisScripts.SCHEDULE, keys, args));
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
				.mGet(keys.subList(3, keys.size()).stream().map(RedisBackend::bytes).toArray(byte[][]::new)));
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
						Task<Object> stored = this.taskJson.read(string(current));
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
			List<?> replies = execute(RedisScripts.PROMOTE, keys, args);
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
							+ abbreviate(string(peeked.get(i))));
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
			for (int from = 0; from < keys.size(); from += BATCH_SIZE) {
				readAllBatch(queue, keys.subList(from, Math.min(from + BATCH_SIZE, keys.size())), tasks);
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
	 * This backend stores up to {@value #BATCH_SIZE} states with one script call.
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
			for (int from = 0; from < tasks.size(); from += BATCH_SIZE) {
				int to = Math.min(from + BATCH_SIZE, tasks.size());
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
				String[] range = delivered.isEmpty() ? new String[] { "", "" } : range(delivered);
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
					args.add(flag(task.isFinished()));
					args.add(this.settings.ttlPolicy().resolve(task).map(RedisBackend::seconds).orElse(""));
					args.add((deliveryId != null) ? deliveryId : "");
					args.add((retryAt != null) ? score(retryAt) : "");
					byte[] claimed = (deliveryId != null) ? this.claimedRecords.take(deliveryId) : null;
					args.add((claimed != null) ? claimed : "");
				}
				for (Object reply : execute(RedisScripts.STORE_RESULTS, keys, args)) {
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
			for (int from = 0; from < released.size(); from += BATCH_SIZE) {
				List<TaskDelivery> batch = released.subList(from, Math.min(from + BATCH_SIZE, released.size()));
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
				List<?> replies = execute(RedisScripts.RELEASE, keys, args);
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
			return Long.valueOf(1).equals(executeAndRegister(queue, RedisScripts.RETRY, keys, args));
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
				() -> execute(RedisScripts.RENEW, List.of(RedisKeys.pending(queue)), args));
	}

	@Override
	public List<ReclaimedDelivery> reclaim(String queue, Duration minIdle, int limit) {
		assertQueue(queue);
		Assert.isTrue(minIdle != null && !minIdle.isNegative(), () -> "'minIdle' must not be negative but was " + minIdle);
		Assert.isTrue(limit >= 1, () -> "'limit' must be at least 1 but was " + limit);
		return run(() -> "take over the abandoned tasks of queue '" + queue + "'", () -> {
			List<ReclaimedDelivery> reclaimed = new ArrayList<>();
			String cursor = "0-0";
			do {
				List<?> page;
				try {
					page = execute(RedisScripts.RECLAIM, List.of(RedisKeys.pending(queue)),
							List.of(this.settings.consumerGroup(), this.settings.consumerName(), minIdle.toMillis(),
									cursor, Math.min(BATCH_SIZE, limit - reclaimed.size()),
									RedisKeys.taskPrefix(queue)));
				}
				catch (RuntimeException ex) {
					if (hasErrorCode(ex, "NOGROUP")) {
						return reclaimed;
					}
					throw ex;
				}
				cursor = String.valueOf(page.get(0));
				List<ByteRecord> unreadable = new ArrayList<>();
				for (int i = 1; i + 3 < page.size(); i += 4) {
					String entryId = String.valueOf(page.get(i));
					String data = (String) page.get(i + 1);
					ReclaimedDelivery entry = reclaimed(queue, entryId, data, number(page.get(i + 2)),
							(String) page.get(i + 3));
					if (entry != null) {
						reclaimed.add(entry);
					}
					else {
						unreadable.add(StreamRecords
							.rawBytes((data != null) ? Map.of(DATA_FIELD, bytes(data)) : Map.of())
							.withStreamKey(bytes(RedisKeys.pending(queue)))
							.withId(RecordId.of(entryId)));
					}
				}
				if (!unreadable.isEmpty()) {
					// kept as pop keeps them: in the dead-letter stream, or recorded as failed when they name their task
					claim(queue, unreadable, true);
				}
			}
			while (!"0-0".equals(cursor) && reclaimed.size() < limit);
			return reclaimed;
		});
	}

	/**
	 * Return a taken-over entry, or {@code null} when it holds no readable task (the caller moves it aside).
	 */
	private @Nullable ReclaimedDelivery reclaimed(String queue, String entryId, @Nullable String data,
			long deliveries, @Nullable String stored) {
		if (data == null) {
			return null;
		}
		Task<Object> task;
		try {
			task = this.taskJson.read(data);
		}
		catch (InvalidTaskException ex) {
			return null;
		}
		Task<Object> current = (stored != null) ? readOrSkip(queue, stored, "taken-over entry " + entryId) : null;
		return new ReclaimedDelivery(new TaskDelivery(task, entryId), current, deliveries);
	}

	@Override
	public int removeIdleConsumers(String queue, Duration minIdle) {
		assertQueue(queue);
		Assert.isTrue(minIdle != null && !minIdle.isNegative(), () -> "'minIdle' must not be negative but was " + minIdle);
		return run(() -> "remove idle workers of queue '" + queue + "'", () -> {
			byte[] stream = bytes(RedisKeys.pending(queue));
			String group = this.settings.consumerGroup();
			return this.redisTemplate.execute((RedisCallback<Integer>) (connection) -> {
				StreamInfo.XInfoConsumers consumers;
				try {
					consumers = connection.streamCommands().xInfoConsumers(stream, group);
				}
				catch (RuntimeException ex) {
					if (hasErrorCode(ex, "NOGROUP") || hasErrorCode(ex, "ERR")) {
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
			byte[] stream = bytes(RedisKeys.pending(queue));
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
			byte[] key = bytes(RedisKeys.task(queue, id));
			List<String> keys = List.of(RedisKeys.task(queue, id), RedisKeys.scheduled(queue), RedisKeys.pending(queue),
					RedisKeys.pendingIds(queue), RedisKeys.finished(queue), RedisKeys.completed(queue));
			for (int attempt = 0; attempt < CANCEL_ATTEMPTS; attempt++) {
				byte[] current = this.redisTemplate
					.execute((RedisCallback<byte[]>) (connection) -> connection.stringCommands().get(key));
				if (current == null) {
					return Optional.empty();
				}
				Task<Object> task = this.taskJson.read(string(current));
				if (task.isFinished()) {
					return Optional.empty();
				}
				Task<Object> cancelled = task.mutate().status(TaskStatus.CANCELLED).finishedAt(Task.now()).build();
				String ttl = this.settings.ttlPolicy().resolve(cancelled).map(RedisBackend::seconds).orElse("");
				List<Object> args = List.of(id.toString(), current, this.taskJson.write(cancelled), ttl,
						finishedMinId(), this.settings.consumerGroup());
				String outcome = execute(RedisScripts.CANCEL, keys, args);
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
				() -> execute(RedisScripts.DELETE, List.of(RedisKeys.task(queue, id)), List.of()));
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
				connection.streamCommands().xLen(bytes(RedisKeys.pending(queue)));
				connection.stringCommands().get(bytes(RedisKeys.completed(queue)));
				connection.zSetCommands().zCard(bytes(RedisKeys.scheduled(queue)));
			});
			Object completed = results.get(1);
			return new QueueStats(number(results.get(0)),
					(completed instanceof byte[] counter) ? Long.parseLong(string(counter)) : 0,
					number(results.get(2)));
		});
	}

	@Override
	public Map<String, Long> listQueues() {
		return run(() -> "list the queues", () -> {
			Set<String> names = new TreeSet<>();
			ScanOptions options = ScanOptions.scanOptions().count(BATCH_SIZE).build();
			try (Cursor<Map.Entry<Object, Object>> cursor = this.redisTemplate.opsForHash()
				.scan(RedisKeys.QUEUES, options)) {
				cursor.forEachRemaining((entry) -> names.add((String) entry.getKey()));
			}
			Map<String, Long> queues = new LinkedHashMap<>();
			List<String> batch = new ArrayList<>(Math.min(names.size(), BATCH_SIZE));
			for (String name : names) {
				batch.add(name);
				if (batch.size() == BATCH_SIZE) {
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
				.forEach((name) -> connection.streamCommands().xLen(bytes(RedisKeys.pending(name)))));
		}
		catch (RedisPipelineException ex) {
			// a key of another type under a queue's name counts as an empty queue, as in Python Sheppy
			sizes = ex.getPipelineResult();
		}
		for (int i = 0; i < names.size(); i++) {
			queues.put(names.get(i), (i < sizes.size()) ? number(sizes.get(i)) : 0);
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
							+ "): " + abbreviate((String) value));
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

	/**
	 * Return how long one blocking read may wait when a deadline is {@code remainingNanos} away: the remaining time in
	 * whole milliseconds, at most {@code maxBlockMillis}, or 0 when less than a millisecond remains, which means "do
	 * not block" (never {@code BLOCK 0}, which Redis reads as "block forever").
	 * @param remainingNanos the time until the deadline in nanoseconds
	 * @param maxBlockMillis the longest one read may wait
	 * @return the block time in milliseconds, or 0 when the deadline has (as good as) passed
	 */
	static long blockMillis(long remainingNanos, long maxBlockMillis) {
		long millis = remainingNanos / 1_000_000L;
		return (millis < 1) ? 0 : Math.min(millis, maxBlockMillis);
	}

	private static long deadline(Duration timeout) {
		long nanos;
		try {
			nanos = timeout.toNanos();
		}
		catch (ArithmeticException ex) {
			nanos = Long.MAX_VALUE;
		}
		// capped so that the deadline cannot overflow: a century is as good as forever
		return System.nanoTime() + Math.min(nanos, ChronoUnit.CENTURIES.getDuration().toNanos());
	}

	private static long maxBlockMillis(RedisConnectionFactory connectionFactory) {
		long commandTimeout = LETTUCE_PRESENT ? LettuceTimeout.of(connectionFactory) : 0;
		// Lettuce fails a command, blocking or not, that takes longer than its command timeout
		return (commandTimeout > 0) ? Math.max(1, Math.min(MAX_BLOCK_MILLIS, commandTimeout / 2)) : MAX_BLOCK_MILLIS;
	}

	private <T> T execute(RedisScript<T> script, List<String> keys, List<?> args) {
		return this.redisTemplate.execute(script, ARGS_SERIALIZER, resultSerializer(), keys, args.toArray());
	}

	/**
	 * Run a script pipelined with the registration of its queue in the registry of queues. The registry is a key of
	 * its own, outside the queue's hash slot, so it is never touched by the script.
	 */
	private <T> T executeAndRegister(String queue, RedisScript<T> script, List<String> keys, List<?> args) {
		byte[][] keysAndArgs = new byte[keys.size() + args.size()][];
		int i = 0;
		for (String key : keys) {
			keysAndArgs[i++] = bytes(key);
		}
		for (Object arg : args) {
			keysAndArgs[i++] = ARGS_SERIALIZER.serialize(arg);
		}
		ReturnType returnType = ReturnType.fromJavaType(script.getResultType());
		List<Object> results;
		try {
			results = this.connections.executePipelined((connection) -> {
				connection.hashCommands().hSetNX(bytes(RedisKeys.QUEUES), bytes(queue), bytes("{}"));
				connection.scriptingCommands().evalSha(script.getSha1(), returnType, keys.size(), keysAndArgs);
			});
		}
		catch (RedisPipelineException ex) {
			if (!hasErrorCode(ex, "NOSCRIPT")) {
				throw ex;
			}
			// the registration is done; the template loads the script with EVAL
			return execute(script, keys, args);
		}
		return deserialize(results.get(1));
	}

	@SuppressWarnings("unchecked")
	private static <T> T deserialize(@Nullable Object result) {
		if (result instanceof byte[] bytes) {
			return (T) string(bytes);
		}
		if (result instanceof List<?> list) {
			List<Object> values = new ArrayList<>(list.size());
			list.forEach((element) -> values.add(deserialize(element)));
			return (T) values;
		}
		return (T) result;
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static <T> RedisSerializer<T> resultSerializer() {
		return (RedisSerializer) RedisSerializer.string();
	}

	/**
	 * Return the serializer of script results that are kept as the bytes Redis sent.
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static <T> RedisSerializer<T> rawResults() {
		return (RedisSerializer) RedisSerializer.byteArray();
	}

	private @Nullable Task<Object> readOrSkip(String queue, String json, String where) {
		try {
			return this.taskJson.read(json);
		}
		catch (InvalidTaskException ex) {
			logger.warn("Skipped " + where + " of queue '" + queue + "' because it holds no valid task ("
					+ ex.getMessage() + "): " + abbreviate(json));
			return null;
		}
	}

	private String finishedMinId() {
		return (System.currentTimeMillis() - this.settings.finishedRetention().toMillis()) + "-0";
	}

	private static boolean hasErrorCode(Throwable ex, String code) {
		for (Throwable current = ex; current != null; current = current.getCause()) {
			String message = current.getMessage();
			if (message != null && message.contains(code)) {
				return true;
			}
			if (current instanceof RedisPipelineException pipeline) {
				for (Object result : pipeline.getPipelineResult()) {
					if (result instanceof Throwable failure && failure != current && hasErrorCode(failure, code)) {
						return true;
					}
				}
			}
		}
		return false;
	}

	private static byte @Nullable [] field(ByteRecord record, byte[] name) {
		for (Map.Entry<byte[], byte[]> entry : record.getValue().entrySet()) {
			if (Arrays.equals(entry.getKey(), name)) {
				return entry.getValue();
			}
		}
		return null;
	}

	private static String describe(ByteRecord record) {
		StringBuilder fields = new StringBuilder("{");
		record.getValue().forEach((name, value) -> {
			if (fields.length() > 1) {
				fields.append(", ");
			}
			fields.append(string(name)).append('=').append(string(value));
		});
		return abbreviate(fields.append('}').toString());
	}

	/**
	 * Return the lowest and the highest of stream entry ids ({@code <milliseconds>-<sequence>}).
	 */
	private static String[] range(List<String> entryIds) {
		String lowest = entryIds.get(0);
		String highest = lowest;
		long[] low = entryId(lowest);
		long[] high = low;
		for (int i = 1; i < entryIds.size(); i++) {
			long[] id = entryId(entryIds.get(i));
			if (Arrays.compare(id, low) < 0) {
				low = id;
				lowest = entryIds.get(i);
			}
			if (Arrays.compare(id, high) > 0) {
				high = id;
				highest = entryIds.get(i);
			}
		}
		return new String[] { lowest, highest };
	}

	private static long[] entryId(String entryId) {
		int dash = entryId.indexOf('-');
		return (dash < 0) ? new long[] { Long.parseLong(entryId), 0 }
				: new long[] { Long.parseLong(entryId, 0, dash, 10),
						Long.parseLong(entryId, dash + 1, entryId.length(), 10) };
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

	private static String flag(boolean value) {
		return value ? "1" : "0";
	}

	private static long number(@Nullable Object value) {
		return (value instanceof Number number) ? number.longValue() : 0;
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

	private static String abbreviate(String text) {
		return (text.length() <= LOGGED_CONTENT_LENGTH) ? text : text.substring(0, LOGGED_CONTENT_LENGTH) + "...";
	}

	private static void assertQueue(String queue) {
		Assert.hasLength(queue, "'queue' must not be empty");
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static String string(byte[] bytes) {
		return new String(bytes, StandardCharsets.UTF_8);
	}

	private static <T> T run(Supplier<String> operation, Supplier<T> action) {
		try {
			return action.get();
		}
		catch (DataAccessException ex) {
			throw new BackendException("Failed to " + operation.get() + ": " + ex.getMessage(), ex);
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

	/**
	 * Reads the command timeout of a Lettuce connection factory, in a class of its own so that Lettuce is optional.
	 */
	private static final class LettuceTimeout {

		static long of(RedisConnectionFactory connectionFactory) {
			return (connectionFactory instanceof LettuceConnectionFactory lettuce) ? lettuce.getTimeout() : 0;
		}

	}

	/**
	 * Writes script arguments: strings as UTF-8, byte arrays as they are.
	 */
	private static final class ArgsSerializer implements RedisSerializer<Object> {

		@Override
		public byte[] serialize(@Nullable Object value) throws SerializationException {
			if (value instanceof byte[] bytes) {
				return bytes;
			}
			Assert.notNull(value, "A script argument must not be null");
			return bytes(value.toString());
		}

		@Override
		public @Nullable Object deserialize(byte @Nullable [] bytes) throws SerializationException {
			return (bytes != null) ? string(bytes) : null;
		}

	}

}
