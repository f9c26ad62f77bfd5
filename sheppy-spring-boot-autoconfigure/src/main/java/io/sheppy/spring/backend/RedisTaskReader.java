package io.sheppy.spring.backend;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.stream.ByteRecord;
import org.springframework.data.redis.connection.stream.Consumer;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.connection.stream.StreamRecords;

import io.sheppy.spring.core.InvalidTaskException;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskException;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskSpec;
import io.sheppy.spring.core.TaskStatus;

/**
 * Takes the tasks of the Redis backend's workers from a queue's pending stream ({@code sheppy:pending:{q}}): reads
 * new entries as this worker of the consumer group (creating the stream and its group when they are missing), reads
 * and claims them in one script call while the queue has a backlog, and takes over the entries of lost workers.
 * Claiming an entry marks its task's record as processing and notes the beginning of the record it wrote in the
 * {@link ClaimedRecords} it is given, so that the outcome can later be stored over it; an entry that holds no valid
 * task is moved to the queue's dead-letter stream, or, when its task names its id, recorded as failed.
 *
 * @author Sheppy for Spring
 */
final class RedisTaskReader {

	private static final Log logger = LogFactory.getLog(RedisTaskReader.class);

	private static final JsonMapper TREE_MAPPER = JsonMapper.builder().build();

	private static final byte[] DATA_FIELD = RedisSupport.bytes("data");

	private final RedisDedicatedConnections connections;

	private final RedisScriptRunner scripts;

	private final TaskJson taskJson;

	private final String consumerGroup;

	private final String consumerName;

	private final long maxBlockMillis;

	private final ClaimedRecords claimedRecords;

	private final ResultStore resultStore;

	/** Queues whose last read took as many entries as it asked for: the next read claims in the same step. */
	private final Set<String> backlogged = ConcurrentHashMap.newKeySet();

	/**
	 * Create a reader.
	 * @param connections the connections for blocking reads
	 * @param scripts the runner of the scripts
	 * @param taskJson the codec of tasks
	 * @param consumerGroup the consumer group of the pending streams
	 * @param consumerName the name of this worker in the consumer group
	 * @param maxBlockMillis the longest one blocking read waits, below the client's command timeout
	 * @param claimedRecords where to note the beginnings of the records written when tasks are claimed
	 * @param resultStore how to store the failed state of a claimed task that cannot be read
	 */
	RedisTaskReader(RedisDedicatedConnections connections, RedisScriptRunner scripts, TaskJson taskJson,
			String consumerGroup, String consumerName, long maxBlockMillis, ClaimedRecords claimedRecords,
			ResultStore resultStore) {
		this.connections = connections;
		this.scripts = scripts;
		this.taskJson = taskJson;
		this.consumerGroup = consumerGroup;
		this.consumerName = consumerName;
		this.maxBlockMillis = maxBlockMillis;
		this.claimedRecords = claimedRecords;
		this.resultStore = resultStore;
	}

	/**
	 * Take the next queued tasks of a queue for this worker, oldest first, and claim them.
	 * @param queue the queue name
	 * @param limit the most tasks to take, at least 1
	 * @param timeout how long to wait when none is queued; {@code null} or zero returns at once
	 * @return the tasks taken, possibly none; none when the calling thread is interrupted, which keeps its interrupt
	 * status
	 */
	List<TaskDelivery> pop(String queue, int limit, int held, @Nullable Duration timeout) {
		int marks = limit - held;
		if (Thread.currentThread().isInterrupted()) {
			// a worker that is being stopped: a read whose reply is never taken would leave its entries claimed
			return List.of();
		}
		if (this.backlogged.contains(queue)) {
			List<TaskDelivery> taken = readAndClaim(queue, limit, marks);
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
		if (records.isEmpty()) {
			return List.of();
		}
		Set<String> heldEntries = new HashSet<>();
		for (int i = marks; i < records.size(); i++) {
			heldEntries.add(records.get(i).getId().getValue());
		}
		return claim(queue, records, false, heldEntries);
	}

	/**
	 * Read and claim new entries in one step, without blocking: while the queue has a backlog, this saves the round
	 * trip of a read. The entries that the script left unclaimed (a layout it does not know, a record that changed, a
	 * task that cannot be read) are claimed as read entries are.
	 * @return the tasks taken, or {@code null} when there was no new entry (or no stream or group) to read
	 */
	private @Nullable List<TaskDelivery> readAndClaim(String queue, int limit, int marks) {
		List<?> replies;
		try {
			replies = this.scripts.executeForBytes(RedisScripts.READ_CLAIM,
					List.of(RedisKeys.pending(queue), RedisKeys.pendingIds(queue)),
					List.of(this.consumerGroup, this.consumerName, RedisKeys.taskPrefix(queue), limit, marks));
		}
		catch (DataAccessException ex) {
			this.backlogged.remove(queue);
			if (RedisSupport.hasErrorCode(ex, "NOGROUP")) {
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
		Set<String> heldEntries = new HashSet<>();
		for (int i = 0; i + 2 < replies.size(); i += 3) {
			String entryId = RedisSupport.string((byte[]) replies.get(i));
			byte[] data = (byte[]) replies.get(i + 1);
			int status = ((Number) replies.get(i + 2)).intValue();
			boolean held = i / 3 >= marks;
			TaskDelivery delivery = (status >= 0) ? claimed(entryId, data, status, held) : null;
			if (delivery != null) {
				deliveries.add(delivery);
			}
			else {
				unclaimed.add(entry(queue, entryId, (data.length > 0) ? data : null));
				if (held) {
					heldEntries.add(entryId);
				}
			}
		}
		if (!unclaimed.isEmpty()) {
			deliveries.addAll(claim(queue, unclaimed, false, heldEntries));
		}
		return deliveries;
	}

	/**
	 * Return the delivery of an entry that the read-and-claim script claimed, noting the beginning of the record it
	 * wrote (or, for a held entry, the mark to write when it starts); {@code null} when its task cannot be read (it is
	 * then claimed as any read entry, and recorded as failed).
	 */
	private @Nullable TaskDelivery claimed(String entryId, byte[] data, int status, boolean held) {
		Task<Object> task;
		try {
			task = this.taskJson.read(data);
		}
		catch (InvalidTaskException ex) {
			return null;
		}
		if (held) {
			this.claimedRecords.hold(entryId, ClaimMark.at(data, status, TaskStatus.PROCESSING));
		}
		else if (task.getFinishedAt() == null) {
			this.claimedRecords.put(entryId, ClaimMark.markedPrefix(data, status, TaskStatus.PROCESSING));
		}
		return new TaskDelivery(task.mutate().status(TaskStatus.PROCESSING).build(), entryId, held);
	}

	private List<ByteRecord> readGroup(String queue, int limit, @Nullable Duration timeout) {
		byte[] stream = RedisSupport.bytes(RedisKeys.pending(queue));
		Consumer consumer = Consumer.from(this.consumerGroup, this.consumerName);
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
					if (groupCreated || !(RedisSupport.hasErrorCode(ex, "NOGROUP")
							|| RedisSupport.hasErrorCode(ex, "UNBLOCKED"))) {
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
			connection.streamCommands().xGroupCreate(stream, this.consumerGroup, ReadOffset.from("0"), true);
		}
		catch (DataAccessException ex) {
			if (!RedisSupport.hasErrorCode(ex, "BUSYGROUP")) {
				throw ex;
			}
		}
	}

	/**
	 * Take over the entries of workers that have not renewed their leases for at least the given time. An entry that
	 * holds no readable task is moved aside here, as {@link #pop} moves it aside, and is not returned.
	 * @param queue the queue name
	 * @param minIdle how long an entry's lease must have lapsed
	 * @param limit the most entries to take, at least 1
	 * @return the entries taken over
	 */
	List<ReclaimedDelivery> reclaim(String queue, Duration minIdle, int limit) {
		List<ReclaimedDelivery> reclaimed = new ArrayList<>();
		String cursor = "0-0";
		do {
			List<?> page;
			try {
				page = this.scripts.execute(RedisScripts.RECLAIM, List.of(RedisKeys.pending(queue)),
						List.of(this.consumerGroup, this.consumerName, minIdle.toMillis(), cursor,
								Math.min(RedisSupport.BATCH_SIZE, limit - reclaimed.size()),
								RedisKeys.taskPrefix(queue)));
			}
			catch (RuntimeException ex) {
				if (RedisSupport.hasErrorCode(ex, "NOGROUP")) {
					return reclaimed;
				}
				throw ex;
			}
			cursor = String.valueOf(page.get(0));
			List<ByteRecord> unreadable = new ArrayList<>();
			for (int i = 1; i + 3 < page.size(); i += 4) {
				String entryId = String.valueOf(page.get(i));
				String data = (String) page.get(i + 1);
				ReclaimedDelivery entry = reclaimed(queue, entryId, data, RedisSupport.number(page.get(i + 2)),
						(String) page.get(i + 3));
				if (entry != null) {
					reclaimed.add(entry);
				}
				else {
					unreadable.add(entry(queue, entryId, (data != null) ? RedisSupport.bytes(data) : null));
				}
			}
			if (!unreadable.isEmpty()) {
				// kept as pop keeps them: in the dead-letter stream, or recorded as failed when they name their task
				claim(queue, unreadable, true, Set.of());
			}
		}
		while (!"0-0".equals(cursor) && reclaimed.size() < limit);
		return reclaimed;
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
		Task<Object> current = (stored != null)
				? RedisSupport.readOrSkip(this.taskJson, queue, stored, "taken-over entry " + entryId, logger) : null;
		return new ReclaimedDelivery(new TaskDelivery(task, entryId), current, deliveries);
	}

	/**
	 * Claim entries this worker read ({@code takenOver} false) or took over from a lost worker: mark their tasks as
	 * processing (except those of the held entries, which keep their queued state until they start), and move entries
	 * that hold no valid task aside.
	 */
	private List<TaskDelivery> claim(String queue, List<ByteRecord> records, boolean takenOver,
			Set<String> heldEntries) {
		List<@Nullable Task<Object>> tasks = new ArrayList<>(records.size());
		List<@Nullable String> problems = new ArrayList<>(records.size());
		List<Object> args = new ArrayList<>(4 * records.size() + 6);
		args.add(this.consumerGroup);
		args.add(this.consumerName);
		args.add(RedisKeys.taskPrefix(queue));
		args.add(RedisSupport.flag(!takenOver));
		List<String> entryIds = new ArrayList<>(records.size());
		records.forEach((record) -> entryIds.add(record.getId().getValue()));
		String[] range = RedisSupport.range(entryIds);
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
			Task<Object> invalid = (task == null && data != null) ? invalidTask(RedisSupport.string(data), problem)
					: null;
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
				// a held task is claimed without a mark: the script takes it out of the index instead
				args.add(heldEntries.contains(record.getId().getValue()) ? "" : mark.json());
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
		List<?> replies = this.scripts.execute(RedisScripts.CLAIM,
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
				this.resultStore.storeResult(queue, task, entryId);
			}
			else {
				ClaimMark mark = marks.get(i);
				boolean held = heldEntries.contains(entryId);
				if (mark != null && held) {
					this.claimedRecords.hold(entryId, mark);
				}
				else if (mark != null) {
					this.claimedRecords.put(entryId, mark.markedPrefix());
				}
				deliveries.add(new TaskDelivery(task, entryId, held));
			}
		}
		return deliveries;
	}

	/**
	 * Mark held tasks as processing, now that they started; a task whose mark is not known (never held, or already
	 * marked) is skipped.
	 * @param queue the queue name
	 * @param deliveries the deliveries of the tasks that started
	 */
	void markStarted(String queue, Collection<TaskDelivery> deliveries) {
		List<String> keys = new ArrayList<>(deliveries.size() + 1);
		keys.add(RedisKeys.pending(queue));
		List<Object> args = new ArrayList<>(3 * deliveries.size() + 2);
		args.add(this.consumerGroup);
		args.add(this.consumerName);
		// by entry id, in the order of the script's replies
		Map<String, ClaimMark> marks = new LinkedHashMap<>();
		for (TaskDelivery delivery : deliveries) {
			ClaimMark mark = this.claimedRecords.release(delivery.deliveryId());
			if (mark != null) {
				keys.add(RedisKeys.task(queue, delivery.task().getId()));
				args.add(delivery.deliveryId());
				args.add(mark.queuedPrefix());
				args.add(mark.json());
				marks.put(delivery.deliveryId(), mark);
			}
		}
		if (marks.isEmpty()) {
			return;
		}
		List<?> replies = this.scripts.execute(RedisScripts.MARK_STARTED, keys, args);
		int i = 0;
		for (Map.Entry<String, ClaimMark> marked : marks.entrySet()) {
			if (Long.valueOf(1).equals(replies.get(i++))) {
				this.claimedRecords.put(marked.getKey(), marked.getValue().markedPrefix());
			}
		}
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
		String message = "The task cannot be read (" + problem + "): " + RedisSupport.abbreviate(json);
		return Task.builder(new TaskSpec(name, List.of(), Map.of()))
			.id(uuid)
			.status(TaskStatus.FAILED)
			.exception(TaskException.of("InvalidTaskException", message))
			.finishedAt(Task.now())
			.build();
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

	/**
	 * Return an entry of a queue's pending stream as a record, to be claimed as the entries of a read are.
	 * @param data the entry's data field, or {@code null} when it has none
	 */
	private static ByteRecord entry(String queue, String entryId, byte @Nullable [] data) {
		return StreamRecords.rawBytes((data != null) ? Map.of(DATA_FIELD, data) : Map.of())
			.withStreamKey(RedisSupport.bytes(RedisKeys.pending(queue)))
			.withId(RecordId.of(entryId));
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
			fields.append(RedisSupport.string(name)).append('=').append(RedisSupport.string(value));
		});
		return RedisSupport.abbreviate(fields.append('}').toString());
	}

	/**
	 * Stores the state of a task: how a task that is claimed but cannot be read is recorded as failed.
	 */
	@FunctionalInterface
	interface ResultStore {

		void storeResult(String queue, Task<Object> task, String deliveryId);

	}

}
