package io.sheppy.spring.backend;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.stream.Consumer;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.core.StringRedisTemplate;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskSpec;
import io.sheppy.spring.core.TaskStatus;

import static io.sheppy.spring.backend.BackendContractTests.taken;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests that the multi-key operations of {@link RedisBackend} are atomic and compare-and-set on a real Redis: many
 * schedulers never promote a task twice, a task changed after it was read is left alone, and a finished task is never
 * overwritten.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
class RedisBackendAtomicityTests {

	private static final String QUEUE = "atomic";

	private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

	private final TaskJson taskJson = new TaskJson();

	private final ExecutorService executor = Executors.newFixedThreadPool(4);

	private LettuceConnectionFactory connectionFactory;

	private StringRedisTemplate redis;

	private RedisBackend backend;

	@BeforeEach
	void setUp(RedisServer server) {
		this.connectionFactory = RedisTestSupport.connectionFactory(server);
		this.redis = RedisTestSupport.redisTemplate(this.connectionFactory);
		this.backend = new RedisBackend(this.connectionFactory, this.taskJson);
	}

	@AfterEach
	void tearDown() {
		this.executor.shutdownNow();
		this.backend.close();
		this.connectionFactory.destroy();
	}

	@Test
	void fourSchedulersPromoteEachOf500DueTasksExactlyOnce() throws Exception {
		List<Task<Object>> tasks = IntStream.range(0, 500).mapToObj((i) -> scheduled(task(i))).toList();
		for (int i = 0; i < tasks.size(); i++) {
			assertThat(this.backend.schedule(QUEUE, tasks.get(i), NOW.minusMillis(i), true)).isTrue();
		}
		CyclicBarrier start = new CyclicBarrier(4);
		ConcurrentLinkedQueue<UUID> promoted = new ConcurrentLinkedQueue<>();
		List<Future<?>> schedulers = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			schedulers.add(this.executor.submit(() -> {
				start.await();
				List<Task<Object>> batch;
				while (!(batch = this.backend.popScheduled(QUEUE, NOW, 25)).isEmpty()) {
					batch.forEach((task) -> promoted.add(task.getId()));
				}
				return null;
			}));
		}
		for (Future<?> scheduler : schedulers) {
			assertThat(scheduler).succeedsWithin(Duration.ofSeconds(30));
		}
		assertThat(promoted).hasSize(500).doesNotHaveDuplicates();
		Map<UUID, Integer> entriesPerTask = new HashMap<>();
		for (MapRecord<String, Object, Object> entry : this.redis.opsForStream()
			.range(RedisKeys.pending(QUEUE), Range.unbounded())) {
			UUID id = this.taskJson.read((String) entry.getValue().get("data")).getId();
			entriesPerTask.merge(id, 1, Integer::sum);
		}
		assertThat(entriesPerTask).hasSize(500).allSatisfy((id, count) -> assertThat(count).as(id.toString()).isOne());
		assertThat(this.redis.opsForHash().size(RedisKeys.pendingIds(QUEUE))).isEqualTo(500);
		assertThat(this.backend.getScheduled(QUEUE)).isEmpty();
	}

	@Test
	@SuppressWarnings("unchecked")
	void taskWhoseRecordChangedAfterItWasReadIsNotPromotedInThatRound() {
		Task<Object> task = scheduled(task(1));
		this.backend.schedule(QUEUE, task, NOW, true);
		String read = this.redis.opsForValue().get(RedisKeys.task(QUEUE, task.getId()));
		Task<Object> changed = task.mutate().spec(TaskSpec.of("tests:run", "changed")).build();
		this.redis.opsForValue().set(RedisKeys.task(QUEUE, task.getId()), this.taskJson.write(changed));

		List<Object> replies = this.redis.execute(RedisScripts.PROMOTE,
				List.of(RedisKeys.scheduled(QUEUE), RedisKeys.pending(QUEUE), RedisKeys.pendingIds(QUEUE),
						RedisKeys.task(QUEUE, task.getId())),
				"workers", RedisBackend.score(NOW), task.getId().toString(), read,
				this.taskJson.write(pending(task)));

		assertThat(replies).containsExactly(0L);
		assertThat(this.backend.getScheduled(QUEUE)).containsExactly(changed);
		assertThat(this.backend.size(QUEUE)).isZero();
		assertThat(this.backend.popScheduled(QUEUE, NOW, 10)).containsExactly(pending(changed));
		assertThat(this.backend.pop(QUEUE, 10, null)).extracting(TaskDelivery::task)
			.containsExactly(taken(pending(changed)));
	}

	@Test
	void scheduledTaskWithoutARecordIsDroppedFromTheSchedule() {
		Task<Object> kept = scheduled(task(1));
		Task<Object> lost = scheduled(task(2));
		this.backend.schedule(QUEUE, kept, NOW, true);
		this.backend.schedule(QUEUE, lost, NOW, true);
		this.redis.delete(RedisKeys.task(QUEUE, lost.getId()));
		assertThat(this.backend.popScheduled(QUEUE, NOW, 10)).containsExactly(pending(kept));
		assertThat(this.redis.opsForZSet().size(RedisKeys.scheduled(QUEUE))).isZero();
		assertThat(this.backend.size(QUEUE)).isOne();
	}

	@Test
	void scheduledTaskWhoseRecordIsNotATaskIsDroppedFromTheScheduleAndDoesNotBlockTheOthers() {
		Task<Object> good = scheduled(task(1));
		this.redis.opsForValue().set(RedisKeys.taskPrefix(QUEUE) + "0badbad0-0000-0000-0000-000000000000", "not json");
		this.redis.opsForZSet().add(RedisKeys.scheduled(QUEUE), "0badbad0-0000-0000-0000-000000000000", 0);
		this.backend.schedule(QUEUE, good, NOW, true);
		assertThat(this.backend.popScheduled(QUEUE, NOW, 1)).isEmpty();
		assertThat(this.backend.popScheduled(QUEUE, NOW, 1)).containsExactly(pending(good));
		assertThat(this.backend.getScheduled(QUEUE)).isEmpty();
	}

	@Test
	void storeResultDoesNotOverwriteATaskCancelledWhileItWasClaimed() {
		Task<Object> task = task(1);
		this.backend.append(QUEUE, List.of(task), true);
		String entry = this.redis.opsForHash().get(RedisKeys.pendingIds(QUEUE), task.getId().toString()).toString();
		assertThat(this.backend.cancel(QUEUE, task.getId())).isPresent();

		Task<Object> completed = task.mutate().status(TaskStatus.COMPLETED).result(3).finishedAt(Task.now()).build();
		assertThat(this.backend.storeResult(QUEUE, completed, entry)).isFalse();

		Task<Object> stored = this.backend.getTasks(QUEUE, List.of(task.getId())).get(task.getId());
		assertThat(stored.getStatus()).isEqualTo(TaskStatus.CANCELLED);
		assertThat(stored.getResult()).isNull();
		assertThat(this.backend.getStats(QUEUE)).isEqualTo(new QueueStats(0, 1, 0));
		assertThat(this.redis.opsForStream().size(RedisKeys.finished(QUEUE))).isOne();
	}

	@Test
	@SuppressWarnings("unchecked")
	void cancelledTaskIsNeverHandedOutEvenIfItsEntryWasReadBeforeTheCancel() {
		Task<Object> task = task(1);
		this.backend.append(QUEUE, List.of(task), true);
		String entry = this.redis.opsForHash().get(RedisKeys.pendingIds(QUEUE), task.getId().toString()).toString();
		// a worker has read the entry with XREADGROUP but not yet claimed it when the task is cancelled
		this.redis.opsForStream()
			.read(Consumer.from("workers", "slow"), StreamReadOptions.empty().count(1),
					StreamOffset.create(RedisKeys.pending(QUEUE), ReadOffset.lastConsumed()));
		assertThat(this.backend.cancel(QUEUE, task.getId())).isPresent();

		List<Object> claimed = this.redis.execute(RedisScripts.CLAIM,
				List.of(RedisKeys.pending(QUEUE), RedisKeys.pendingIds(QUEUE), RedisKeys.dead(QUEUE)), "workers",
				"slow", RedisKeys.taskPrefix(QUEUE), "1", entry, entry, entry, task.getId().toString(),
				processing(task), queuedPrefix(task));

		assertThat(claimed).containsExactly(0L);
		assertThat(this.redis.opsForStream().pending(RedisKeys.pending(QUEUE), "workers").getTotalPendingMessages())
			.isZero();
	}

	@Test
	void releasedTaskIsTakenByAnotherWorkerAndLeavesNothingClaimedBehind() {
		RedisBackend otherWorker = new RedisBackend(this.connectionFactory, this.taskJson,
				RedisBackend.Settings.defaults().withConsumerName("other-worker"));
		try {
			Task<Object> task = task(1);
			this.backend.append(QUEUE, List.of(task), true);
			TaskDelivery taken = this.backend.pop(QUEUE, 1, null).get(0);

			this.backend.release(QUEUE, List.of(taken));

			assertThat(this.redis.opsForStream().pending(RedisKeys.pending(QUEUE), "workers").getTotalPendingMessages())
				.isZero();
			String entry = (String) this.redis.opsForHash().get(RedisKeys.pendingIds(QUEUE), task.getId().toString());
			List<TaskDelivery> again = otherWorker.pop(QUEUE, 10, null);
			assertThat(again).extracting(TaskDelivery::task).containsExactly(taken(task));
			assertThat(again.get(0).deliveryId()).isEqualTo(entry).isNotEqualTo(taken.deliveryId());
			// claimed: it stays in the index until its outcome is stored, and cancel refuses it
			assertThat(this.redis.opsForHash().get(RedisKeys.pendingIds(QUEUE), task.getId().toString()))
				.isEqualTo(entry);
			assertThat(otherWorker.cancel(QUEUE, task.getId())).isEmpty();
			assertThat(this.redis.opsForStream().size(RedisKeys.pending(QUEUE))).isOne();
		}
		finally {
			otherWorker.close();
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void releaseScriptQueuesTheRecordAsStoredAndSkipsFinishedMissingAndBrokenRecords() {
		Task<Object> waiting = task(1);
		Task<Object> finished = task(2);
		Task<Object> missing = task(3);
		Task<Object> broken = task(4);
		this.backend.append(QUEUE, List.of(waiting, finished, missing, broken), true);
		String stored = this.redis.opsForValue().get(RedisKeys.task(QUEUE, waiting.getId()));
		List<TaskDelivery> taken = this.backend.pop(QUEUE, 4, null);
		this.backend.storeResult(QUEUE, finished.mutate().status(TaskStatus.COMPLETED).finishedAt(Task.now()).build(),
				null);
		this.redis.delete(RedisKeys.task(QUEUE, missing.getId()));
		this.redis.opsForValue().set(RedisKeys.task(QUEUE, broken.getId()), "not json");
		List<String> keys = new ArrayList<>(List.of(RedisKeys.pending(QUEUE), RedisKeys.pendingIds(QUEUE)));
		List<String> args = new ArrayList<>(List.of("workers", this.backend.getSettings().consumerName()));
		for (TaskDelivery delivery : taken) {
			keys.add(RedisKeys.task(QUEUE, delivery.task().getId()));
			args.add(delivery.deliveryId());
			args.add(delivery.task().getId().toString());
			args.add(this.taskJson.write(delivery.task()));
		}

		List<Object> replies = this.redis.execute(RedisScripts.RELEASE, keys, args.toArray());

		assertThat(replies).hasSize(4).element(0).isInstanceOf(String.class);
		assertThat(replies.subList(1, 4)).containsExactly(0L, 0L, -1L);
		List<MapRecord<String, Object, Object>> entries = this.redis.opsForStream()
			.range(RedisKeys.pending(QUEUE), Range.unbounded());
		assertThat(entries).singleElement().satisfies((entry) -> {
			assertThat(entry.getId().getValue()).isEqualTo(replies.get(0));
			assertThat(entry.getValue()).containsExactly(Map.entry("data", stored));
		});
		assertThat(this.redis.opsForHash().entries(RedisKeys.pendingIds(QUEUE)))
			.containsExactly(Map.entry(waiting.getId().toString(), replies.get(0)));
		assertThat(this.redis.opsForStream().pending(RedisKeys.pending(QUEUE), "workers").getTotalPendingMessages())
			.isZero();
	}

	@Test
	void entryTakenOverWhileItsWorkerWasStillClaimingItIsLeftToTheWorkerThatTookItOver() {
		Task<Object> task = task(1);
		this.backend.append(QUEUE, List.of(task), true);
		String consumer = this.backend.getSettings().consumerName();
		// the worker has read the entry but stalled past its lease before claiming it; a worker that restarted under
		// the same consumer name, or any other, takes it over as the entry of a lost worker that never started it
		String entry = readWithoutClaiming(consumer);
		List<ReclaimedDelivery> reclaimed = this.backend.reclaim(QUEUE, Duration.ZERO, 10);
		assertThat(reclaimed).singleElement()
			.satisfies((taken) -> assertThat(taken.stored().getStatus()).isEqualTo(task.getStatus()));

		List<Object> claimed = claim(consumer, entry, task);

		assertThat(claimed).containsExactly(-1L);
		assertThat(this.backend.getTasks(QUEUE, List.of(task.getId())).get(task.getId()).getStatus())
			.isEqualTo(task.getStatus());
		this.backend.release(QUEUE, List.of(reclaimed.get(0).delivery()));
		assertThat(this.backend.pop(QUEUE, 10, null)).extracting(TaskDelivery::task).containsExactly(taken(task));
	}

	@Test
	void leaseOfAClaimedEntryStartsWhenItIsClaimedNotWhenItWasRead() {
		Task<Object> task = task(1);
		this.backend.append(QUEUE, List.of(task), true);
		String consumer = this.backend.getSettings().consumerName();
		String entry = readWithoutClaiming(consumer);
		Duration lease = Duration.ofMillis(300);
		await().atMost(Duration.ofSeconds(5))
			.until(() -> this.redis.opsForStream()
				.pending(RedisKeys.pending(QUEUE), Consumer.from("workers", consumer), Range.unbounded(), 1L)
				.get(0)
				.getElapsedTimeSinceLastDelivery()
				.compareTo(lease) > 0);

		assertThat(claim(consumer, entry, task)).containsExactly(1L);

		assertThat(this.backend.reclaim(QUEUE, lease, 10)).isEmpty();
	}

	@Test
	@SuppressWarnings("unchecked")
	void claimFindsTheCallersEntriesAlsoWhenTheRangeOfTheBatchHoldsManyMoreOfThem() {
		List<Task<Object>> tasks = IntStream.range(0, 100).mapToObj(RedisBackendAtomicityTests::task).toList();
		this.backend.append(QUEUE, tasks, true);
		List<MapRecord<String, Object, Object>> read = this.redis.opsForStream()
			.read(Consumer.from("workers", "slow"), StreamReadOptions.empty().count(100),
					StreamOffset.create(RedisKeys.pending(QUEUE), ReadOffset.lastConsumed()));
		String first = read.get(0).getId().getValue();
		String last = read.get(99).getId().getValue();

		// the first and the last of 100 entries that the caller holds: one XPENDING page of the range is not enough
		List<Object> claimed = this.redis.execute(RedisScripts.CLAIM,
				List.of(RedisKeys.pending(QUEUE), RedisKeys.pendingIds(QUEUE), RedisKeys.dead(QUEUE)), "workers",
				"slow", RedisKeys.taskPrefix(QUEUE), "1", first, last, first, tasks.get(0).getId().toString(),
				processing(tasks.get(0)), queuedPrefix(tasks.get(0)), last,
				tasks.get(99).getId().toString(), processing(tasks.get(99)), queuedPrefix(tasks.get(99)));

		assertThat(claimed).containsExactly(1L, 1L);
		assertThat(this.backend.getTasks(QUEUE, List.of(tasks.get(99).getId())).get(tasks.get(99).getId())
			.getStatus()).isEqualTo(TaskStatus.PROCESSING);
	}

	private String readWithoutClaiming(String consumer) {
		List<MapRecord<String, Object, Object>> read = this.redis.opsForStream()
			.read(Consumer.from("workers", consumer), StreamReadOptions.empty().count(1),
					StreamOffset.create(RedisKeys.pending(QUEUE), ReadOffset.lastConsumed()));
		assertThat(read).hasSize(1);
		return read.get(0).getId().getValue();
	}

	@SuppressWarnings("unchecked")
	private List<Object> claim(String consumer, String entry, Task<Object> task) {
		return this.redis.execute(RedisScripts.CLAIM,
				List.of(RedisKeys.pending(QUEUE), RedisKeys.pendingIds(QUEUE), RedisKeys.dead(QUEUE)), "workers",
				consumer, RedisKeys.taskPrefix(QUEUE), "1", entry, entry, entry, task.getId().toString(),
				processing(task), queuedPrefix(task));
	}

	/**
	 * Return the processing state a claim writes for a task queued as the given task.
	 */
	private String processing(Task<Object> task) {
		return new String(mark(task).json(), StandardCharsets.UTF_8);
	}

	/**
	 * Return the beginning of the JSON of a task queued as the given task, by which the claim recognises its record.
	 */
	private String queuedPrefix(Task<Object> task) {
		return new String(mark(task).queuedPrefix(), StandardCharsets.UTF_8);
	}

	private ClaimMark mark(Task<Object> task) {
		ClaimMark mark = ClaimMark.of(this.taskJson.writeBytes(task), TaskStatus.PROCESSING);
		assertThat(mark).isNotNull();
		return mark;
	}

	private static Task<Object> task(int number) {
		return Task.builder(TaskSpec.of("tests:run", number)).build();
	}

	private static Task<Object> scheduled(Task<Object> task) {
		return task.mutate().status(TaskStatus.SCHEDULED).scheduledAt(NOW).build();
	}

	private static Task<Object> pending(Task<Object> task) {
		return task.mutate().status(TaskStatus.PENDING).build();
	}

}
