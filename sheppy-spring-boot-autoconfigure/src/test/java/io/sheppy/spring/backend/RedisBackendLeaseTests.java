package io.sheppy.spring.backend;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.IntStream;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.stream.Consumer;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.PendingMessage;
import org.springframework.data.redis.connection.stream.PendingMessages;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamInfo.XInfoConsumer;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.core.StringRedisTemplate;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskSpec;
import io.sheppy.spring.core.TaskStatus;

import static io.sheppy.spring.backend.BackendContractTests.completed;
import static io.sheppy.spring.backend.BackendContractTests.taken;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests of the leases of {@link RedisBackend} on a real Redis, with two backends under different consumer names
 * standing for two workers: a taken task is marked as processing and handed back as it was queued, renewed entries
 * stay with their worker, entries of a lost worker are taken over page after page, only the worker that holds a
 * delivery may store its outcome, and idle workers holding nothing leave the consumer group.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
class RedisBackendLeaseTests {

	private static final String QUEUE = "leases";

	private static final String STREAM = RedisKeys.pending(QUEUE);

	private static final String GROUP = RedisBackend.Settings.DEFAULT_CONSUMER_GROUP;

	private static final Duration LEASE = Duration.ofSeconds(1);

	private final TaskJson taskJson = new TaskJson();

	private LettuceConnectionFactory connectionFactory;

	private StringRedisTemplate redis;

	private RedisBackend workerA;

	private RedisBackend workerB;

	@BeforeEach
	void setUp(RedisServer server) {
		this.connectionFactory = RedisTestSupport.connectionFactory(server, Duration.ofSeconds(10));
		this.redis = RedisTestSupport.redisTemplate(this.connectionFactory);
		this.workerA = worker("worker-a");
		this.workerB = worker("worker-b");
	}

	@AfterEach
	void tearDown() {
		this.workerA.close();
		this.workerB.close();
		this.connectionFactory.destroy();
	}

	@Test
	void popMarksTheStoredTaskAsProcessingAndReleaseRestoresTheQueuedJsonByteForByte() {
		// queued as Python Sheppy writes it: its layout differs from the JSON this project writes
		UUID id = UUID.randomUUID();
		String queued = pythonJson(id);
		addAsPython(id, queued);
		Task<Object> task = this.taskJson.read(queued);

		TaskDelivery delivery = this.workerA.pop(QUEUE, 1, null).get(0);

		assertThat(delivery.task()).isEqualTo(taken(task));
		assertThat(this.workerA.getTasks(QUEUE, List.of(id)).get(id).getStatus()).isEqualTo(TaskStatus.PROCESSING);
		assertThat(record(id)).isNotEqualTo(queued);
		assertThat(this.workerA.getPending(QUEUE, 10)).containsExactly(task);
		assertThat(this.workerA.getPending(QUEUE, 10).get(0).getStatus()).isEqualTo(TaskStatus.NEW);

		this.workerA.release(QUEUE, List.of(delivery));

		assertThat(record(id)).isEqualTo(queued);
		List<MapRecord<String, Object, Object>> entries = this.redis.opsForStream().range(STREAM, Range.unbounded());
		assertThat(entries).singleElement().satisfies((entry) -> {
			assertThat(entry.getId().getValue()).isNotEqualTo(delivery.deliveryId());
			assertThat(entry.getValue()).containsExactly(Map.entry("data", queued));
		});
		assertThat(this.workerA.getPending(QUEUE, 10)).containsExactly(task);
		assertThat(pendingCount()).isZero();
		assertThat(this.workerB.pop(QUEUE, 1, null)).extracting(TaskDelivery::task).containsExactly(taken(task));
	}

	@Test
	void renewedLeasesKeepEntriesFromBeingTakenOverWhileLapsedOnesAreTaken() {
		this.workerA.append(QUEUE, List.of(task(1), task(2)), true);
		List<TaskDelivery> taken = this.workerA.pop(QUEUE, 2, null);
		String renewed = taken.get(0).deliveryId();
		String lapsed = taken.get(1).deliveryId();
		awaitIdle(LEASE, renewed, lapsed);

		this.workerA.renewLeases(QUEUE, List.of(renewed));

		assertThat(pending(renewed).getElapsedTimeSinceLastDelivery()).isLessThan(LEASE.dividedBy(2));
		assertThat(pending(lapsed).getElapsedTimeSinceLastDelivery()).isGreaterThanOrEqualTo(LEASE);
		List<ReclaimedDelivery> reclaimed = this.workerB.reclaim(QUEUE, LEASE, 10);
		assertThat(reclaimed).extracting(RedisBackendLeaseTests::entryId).containsExactly(lapsed);
		assertThat(pending(renewed).getConsumerName()).isEqualTo("worker-a");
		assertThat(pending(renewed).getTotalDeliveryCount()).as("a renewal is not a delivery").isOne();
		assertThat(pending(lapsed).getConsumerName()).isEqualTo("worker-b");
		assertThat(pending(lapsed).getTotalDeliveryCount()).isEqualTo(2);
	}

	@Test
	void renewLeasesSkipsEntriesThatAnotherWorkerTookOver() {
		this.workerA.append(QUEUE, List.of(task(1)), true);
		String entry = this.workerA.pop(QUEUE, 1, null).get(0).deliveryId();
		awaitIdle(LEASE, entry);
		assertThat(this.workerB.reclaim(QUEUE, LEASE, 10)).extracting(RedisBackendLeaseTests::entryId)
			.containsExactly(entry);
		awaitIdle(LEASE, entry);

		this.workerA.renewLeases(QUEUE, List.of(entry));

		PendingMessage pending = pending(entry);
		assertThat(pending.getConsumerName()).isEqualTo("worker-b");
		assertThat(pending.getTotalDeliveryCount()).isEqualTo(2);
		assertThat(pending.getElapsedTimeSinceLastDelivery()).as("worker B's lease is not renewed by worker A")
			.isGreaterThanOrEqualTo(LEASE);
	}

	@Test
	void reclaimTakesTheLapsedEntriesOfALostWorkerWithTheirStoredStateAndDeliveryCountsAndLeavesFreshOnes() {
		Task<Object> first = task(1);
		Task<Object> second = task(2);
		Task<Object> fresh = task(3);
		this.workerA.append(QUEUE, List.of(first, second, fresh), true);
		List<TaskDelivery> lapsed = this.workerA.pop(QUEUE, 2, null);
		// the second entry was delivered once more before, to a worker that was lost as well
		claim("ghost", lapsed.get(1).deliveryId());
		claim("worker-a", lapsed.get(1).deliveryId());
		awaitIdle(LEASE, lapsed.get(0).deliveryId(), lapsed.get(1).deliveryId());
		String freshEntry = this.workerA.pop(QUEUE, 1, null).get(0).deliveryId();

		List<ReclaimedDelivery> reclaimed = this.workerB.reclaim(QUEUE, LEASE, 10);

		assertThat(reclaimed).hasSize(2);
		assertThat(reclaimed.get(0).delivery().deliveryId()).isEqualTo(lapsed.get(0).deliveryId());
		assertThat(reclaimed.get(0).delivery()).isEqualTo(new TaskDelivery(first, lapsed.get(0).deliveryId()));
		assertThat(reclaimed.get(0).stored()).isEqualTo(taken(first));
		assertThat(reclaimed.get(0).deliveries()).isEqualTo(2);
		assertThat(reclaimed.get(1).delivery()).isEqualTo(new TaskDelivery(second, lapsed.get(1).deliveryId()));
		assertThat(reclaimed.get(1).stored()).isEqualTo(taken(second));
		assertThat(reclaimed.get(1).deliveries()).isEqualTo(4);
		assertThat(pending(lapsed.get(0).deliveryId()).getConsumerName()).isEqualTo("worker-b");
		assertThat(pending(lapsed.get(1).deliveryId()).getConsumerName()).isEqualTo("worker-b");
		assertThat(pending(freshEntry).getConsumerName()).isEqualTo("worker-a");
		assertThat(pending(freshEntry).getTotalDeliveryCount()).isOne();
		assertThat(this.workerB.reclaim(QUEUE, LEASE, 10)).as("the entries taken over are fresh now").isEmpty();
	}

	@Test
	void reclaimFollowsTheCursorPastPagesOfEntriesThatAreNotIdle() {
		// a live worker holds 500 entries before the 10 of a lost one; one XAUTOCLAIM with COUNT 10 looks at no more
		// than 100 entries of the pending list, so only a caller that follows the cursor finds the lost ones
		List<Task<Object>> tasks = IntStream.range(0, 510).mapToObj(RedisBackendLeaseTests::task).toList();
		this.workerA.append(QUEUE, tasks, true);
		List<TaskDelivery> live = this.workerA.pop(QUEUE, 500, null);
		RedisBackend lost = worker("lost");
		List<TaskDelivery> abandoned;
		try {
			abandoned = lost.pop(QUEUE, 10, null);
		}
		finally {
			lost.close();
		}
		awaitIdle(LEASE, abandoned.get(0).deliveryId());
		this.workerA.renewLeases(QUEUE, live.stream().map(TaskDelivery::deliveryId).toList());

		List<ReclaimedDelivery> reclaimed = this.workerB.reclaim(QUEUE, LEASE, 10);

		assertThat(reclaimed).extracting(RedisBackendLeaseTests::entryId)
			.containsExactlyElementsOf(abandoned.stream().map(TaskDelivery::deliveryId).toList());
		assertThat(pendingOf("worker-a")).isEqualTo(500);
	}

	@Test
	void reclaimTakesMoreEntriesThanOnePageAndStopsAtItsLimit() {
		List<Task<Object>> tasks = IntStream.range(0, 2500).mapToObj(RedisBackendLeaseTests::task).toList();
		this.workerA.append(QUEUE, tasks, true);
		List<TaskDelivery> abandoned = this.workerA.pop(QUEUE, 2500, null);
		assertThat(abandoned).hasSize(2500);
		// a longer lease: the entries taken in the first round must stay fresh while the rounds run
		Duration lease = Duration.ofSeconds(3);
		awaitIdle(lease, abandoned.get(2499).deliveryId());

		List<ReclaimedDelivery> firstRound = this.workerB.reclaim(QUEUE, lease, 1200);
		List<ReclaimedDelivery> secondRound = this.workerB.reclaim(QUEUE, lease, 5000);

		assertThat(firstRound).hasSize(1200);
		assertThat(secondRound).hasSize(1300);
		List<String> all = new ArrayList<>();
		firstRound.forEach((entry) -> all.add(entry.delivery().deliveryId()));
		secondRound.forEach((entry) -> all.add(entry.delivery().deliveryId()));
		assertThat(all).containsExactlyElementsOf(abandoned.stream().map(TaskDelivery::deliveryId).toList());
		assertThat(secondRound).allSatisfy((entry) -> {
			assertThat(entry.stored()).isNotNull();
			assertThat(entry.stored().getStatus()).isEqualTo(TaskStatus.PROCESSING);
			assertThat(entry.deliveries()).isEqualTo(2);
		});
		assertThat(pendingOf("worker-a")).isZero();
		assertThat(pendingOf("worker-b")).isEqualTo(2500);
	}

	@Test
	void reclaimReturnsTheEntriesOfTasksThatAreGoneOrFinishedSoThatTheCallerAcknowledgesThem() {
		Task<Object> deleted = task(1);
		Task<Object> done = task(2);
		Task<Object> running = task(3);
		this.workerA.append(QUEUE, List.of(deleted, done, running), true);
		List<TaskDelivery> taken = this.workerA.pop(QUEUE, 3, null);
		this.redis.delete(RedisKeys.task(QUEUE, deleted.getId()));
		assertThat(this.workerB.storeResult(QUEUE, completed(taken(done), 2), null)).isTrue();
		awaitIdle(LEASE, taken.get(0).deliveryId(), taken.get(2).deliveryId());

		List<ReclaimedDelivery> reclaimed = this.workerB.reclaim(QUEUE, LEASE, 10);

		assertThat(reclaimed).extracting(RedisBackendLeaseTests::entryId)
			.containsExactlyElementsOf(taken.stream().map(TaskDelivery::deliveryId).toList());
		assertThat(reclaimed.get(0).delivery().task()).isEqualTo(deleted);
		assertThat(reclaimed.get(0).stored()).isNull();
		assertThat(reclaimed.get(1).stored().getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(reclaimed.get(1).stored().isFinished()).isTrue();
		assertThat(reclaimed.get(2).stored()).isEqualTo(taken(running));
		this.workerB.acknowledge(QUEUE, List.of(reclaimed.get(0).delivery().deliveryId(), reclaimed.get(1).delivery().deliveryId()));
		assertThat(pendingCount()).isOne();
		assertThat(this.workerA.size(QUEUE)).isOne();
	}

	@Test
	void reclaimMovesAsideTheEntriesOfALostWorkerThatHoldNoReadableTaskAsPopDoes() {
		Task<Object> good = task(1);
		Task<Object> wrongType = task(2);
		String wrongTypeJson = this.taskJson.write(wrongType).replace("\"retry\":0,", "\"retry\":\"x\",");
		this.workerA.append(QUEUE, List.of(good), true);
		this.redis.opsForValue().set(RedisKeys.task(QUEUE, wrongType.getId()), wrongTypeJson);
		String wrongTypeEntry = addEntry(Map.of("data", wrongTypeJson));
		String notJson = addEntry(Map.of("data", "{not json"));
		String noData = addEntry(Map.of("payload", "x"));
		// a worker that reads entries and is lost before it looks at them
		List<?> read = this.redis.opsForStream()
			.read(Consumer.from(GROUP, "lost"), StreamReadOptions.empty().count(10),
					StreamOffset.create(STREAM, ReadOffset.lastConsumed()));
		assertThat(read).hasSize(4);
		awaitIdle(LEASE, noData);

		List<ReclaimedDelivery> reclaimed = this.workerB.reclaim(QUEUE, LEASE, 10);

		assertThat(reclaimed).singleElement().satisfies((entry) -> assertThat(entry.stored()).isEqualTo(good));
		List<MapRecord<String, Object, Object>> dead = this.redis.opsForStream()
			.range(RedisKeys.dead(QUEUE), Range.unbounded());
		assertThat(dead).extracting((letter) -> letter.getValue().get("entry")).containsExactly(notJson, noData);
		assertThat(dead.get(0).getValue().get("reason").toString()).startsWith("Malformed task JSON");
		assertThat(dead.get(1).getValue()).containsEntry("reason", "it has no 'data' field");
		Task<Object> failed = stored(wrongType);
		assertThat(failed.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(failed.getException().type()).isEqualTo("InvalidTaskException");
		assertThat(failed.getException().message()).contains("'config.retry'");
		assertThat(this.redis.opsForStream().range(STREAM, Range.unbounded())).extracting((entry) -> entry.getId()
			.getValue()).doesNotContain(wrongTypeEntry, notJson, noData);
		assertThat(pendingCount()).isOne();
	}

	@Test
	void aWorkerWhoseTaskWasTakenOverCannotStoreItsOutcomeOrAcknowledgeTheNewOwnersDelivery() {
		Task<Object> task = task(1);
		this.workerA.append(QUEUE, List.of(task), true);
		TaskDelivery byA = this.workerA.pop(QUEUE, 1, null).get(0);
		awaitIdle(LEASE, byA.deliveryId());
		ReclaimedDelivery byB = this.workerB.reclaim(QUEUE, LEASE, 10).get(0);
		assertThat(byB.delivery().deliveryId()).isEqualTo(byA.deliveryId());

		assertThat(this.workerA.storeResult(QUEUE, completed(byA.task(), "from A"), byA.deliveryId())).isFalse();

		assertThat(stored(task).getStatus()).isEqualTo(TaskStatus.PROCESSING);
		assertThat(pending(byA.deliveryId()).getConsumerName()).as("B's delivery is not acknowledged by A")
			.isEqualTo("worker-b");
		assertThat(this.workerA.size(QUEUE)).isOne();

		assertThat(this.workerB.storeResult(QUEUE, completed(byB.stored(), "from B"), byB.delivery().deliveryId())).isTrue();
		assertThat(this.workerA.storeResult(QUEUE, completed(byA.task(), "from A"), byA.deliveryId())).isFalse();

		Task<Object> outcome = stored(task);
		assertThat(outcome.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(outcome.getResult()).isEqualTo("from B");
		assertThat(this.workerA.getStats(QUEUE)).isEqualTo(new QueueStats(0, 1, 0));
		assertThat(this.redis.opsForStream().size(RedisKeys.finished(QUEUE))).isOne();
		assertThat(pendingCount()).isZero();
	}

	@Test
	void aBatchOfOutcomesIsFencedPerTask() {
		Task<Object> lost = task(1);
		Task<Object> kept = task(2);
		this.workerA.append(QUEUE, List.of(lost, kept), true);
		List<TaskDelivery> byA = this.workerA.pop(QUEUE, 2, null);
		awaitIdle(LEASE, byA.get(0).deliveryId());
		this.workerA.renewLeases(QUEUE, List.of(byA.get(1).deliveryId()));
		claim("worker-b", byA.get(0).deliveryId());

		List<Boolean> stored = this.workerA.storeResults(QUEUE,
				List.of(new TaskDelivery(completed(byA.get(0).task(), "from A"), byA.get(0).deliveryId()),
						new TaskDelivery(completed(byA.get(1).task(), "from A"), byA.get(1).deliveryId())));

		assertThat(stored).containsExactly(false, true);
		assertThat(stored(lost).getStatus()).isEqualTo(TaskStatus.PROCESSING);
		assertThat(stored(kept).getResult()).isEqualTo("from A");
		assertThat(pending(byA.get(0).deliveryId()).getConsumerName()).isEqualTo("worker-b");
		assertThat(pendingCount()).isOne();
		assertThat(this.workerA.getStats(QUEUE)).isEqualTo(new QueueStats(1, 1, 0));
	}

	@Test
	void fencingFindsTheCallersDeliveriesAlsoWhenTheRangeOfTheBatchHoldsManyMoreOfThem() {
		List<Task<Object>> tasks = IntStream.range(0, 100).mapToObj(RedisBackendLeaseTests::task).toList();
		this.workerA.append(QUEUE, tasks, true);
		List<TaskDelivery> byA = this.workerA.pop(QUEUE, 100, null);
		assertThat(byA).hasSize(100);
		TaskDelivery first = byA.get(0);
		TaskDelivery last = byA.get(99);

		List<Boolean> stored = this.workerA.storeResults(QUEUE,
				List.of(new TaskDelivery(completed(first.task(), "first"), first.deliveryId()),
						new TaskDelivery(completed(last.task(), "last"), last.deliveryId())));

		assertThat(stored).containsExactly(true, true);
		assertThat(stored(tasks.get(99)).getResult()).isEqualTo("last");
		assertThat(pendingCount()).isEqualTo(98);
	}

	@Test
	void aWorkerWhoseTaskWasTakenOverCannotHandItBack() {
		Task<Object> task = task(1);
		this.workerA.append(QUEUE, List.of(task), true);
		TaskDelivery byA = this.workerA.pop(QUEUE, 1, null).get(0);
		awaitIdle(LEASE, byA.deliveryId());
		assertThat(this.workerB.reclaim(QUEUE, LEASE, 10)).hasSize(1);
		String storedBefore = record(task.getId());

		this.workerA.release(QUEUE, List.of(byA));

		assertThat(record(task.getId())).isEqualTo(storedBefore);
		assertThat(this.redis.opsForStream().range(STREAM, Range.unbounded())).extracting((entry) -> entry.getId()
			.getValue()).containsExactly(byA.deliveryId());
		assertThat(pending(byA.deliveryId()).getConsumerName()).isEqualTo("worker-b");
		assertThat(this.redis.opsForHash().entries(RedisKeys.pendingIds(QUEUE)))
			.containsExactly(Map.entry(task.getId().toString(), byA.deliveryId()));
		assertThat(this.workerA.cancel(QUEUE, task.getId())).isEmpty();
	}

	@Test
	void removeIdleConsumersRemovesIdleWorkersThatHoldNothingButNeverOneThatHoldsEntriesNorItself() {
		this.workerA.append(QUEUE, List.of(task(1), task(2), task(3), task(4)), true);
		takeAndFinish(this.workerA);
		RedisBackend holding = worker("holding");
		RedisBackend empty = worker("empty");
		try {
			assertThat(holding.pop(QUEUE, 1, null)).hasSize(1);
			takeAndFinish(empty);
		}
		finally {
			holding.close();
			empty.close();
		}
		await().atMost(Duration.ofSeconds(10))
			.until(() -> consumers().values().stream().allMatch((idle) -> idle >= LEASE.toMillis()));
		RedisBackend fresh = worker("fresh");
		try {
			takeAndFinish(fresh);
		}
		finally {
			fresh.close();
		}
		assertThat(consumers()).containsOnlyKeys("worker-a", "holding", "empty", "fresh");

		assertThat(this.workerA.removeIdleConsumers(QUEUE, LEASE)).isOne();

		assertThat(consumers()).containsOnlyKeys("worker-a", "holding", "fresh");
		assertThat(this.workerA.removeIdleConsumers(QUEUE, LEASE)).isZero();
		assertThat(pendingOf("holding")).isOne();
	}

	@Test
	void removeIdleConsumersOfAQueueWithoutStreamOrGroupRemovesNothing() {
		assertThat(this.workerA.removeIdleConsumers(QUEUE, LEASE)).isZero();
		this.redis.opsForStream().add(StreamRecords.string(Map.of("data", "x")).withStreamKey(STREAM));
		assertThat(this.workerA.removeIdleConsumers(QUEUE, LEASE)).isZero();
	}

	private String addEntry(Map<String, String> fields) {
		return this.redis.opsForStream().add(StreamRecords.string(fields).withStreamKey(STREAM)).getValue();
	}

	private void takeAndFinish(RedisBackend worker) {
		TaskDelivery delivery = worker.pop(QUEUE, 1, null).get(0);
		assertThat(worker.storeResult(QUEUE, completed(delivery.task(), 1), delivery.deliveryId())).isTrue();
	}

	private RedisBackend worker(String name) {
		return new RedisBackend(this.connectionFactory, this.taskJson,
				RedisBackend.Settings.defaults().withConsumerName(name));
	}

	private static Task<Object> task(int number) {
		return Task.builder(TaskSpec.of("tests:run", number)).build();
	}

	private Task<Object> stored(Task<Object> task) {
		return this.workerA.getTasks(QUEUE, List.of(task.getId())).get(task.getId());
	}

	private @Nullable String record(UUID id) {
		return this.redis.opsForValue().get(RedisKeys.task(QUEUE, id));
	}

	/**
	 * Return the JSON of a new task laid out as Python Sheppy 0.0.7 writes it.
	 */
	private static String pythonJson(UUID id) {
		return "{\"id\": \"" + id + "\", \"status\": \"new\", \"exception\": null, \"result\": null, \"spec\": "
				+ "{\"func\": \"tests:run\", \"args\": [1, 2], \"kwargs\": {}}, \"config\": {\"retry\": 0, "
				+ "\"retry_delay\": 1.0, \"timeout\": null, \"retry_on_timeout\": false, \"retry_on_crash\": false, "
				+ "\"rate_limit\": null, \"ttl\": \"inherit\", \"error_ttl\": \"inherit\"}, \"created_at\": "
				+ "\"2026-11-26T19:16:24.713947Z\", \"finished_at\": null, \"scheduled_at\": null, \"retry_count\": 0, "
				+ "\"last_retry_at\": null, \"next_retry_at\": null, \"workflow_id\": null, \"cron_id\": null}";
	}

	private void addAsPython(UUID id, String json) {
		this.redis.opsForStream().createGroup(STREAM, ReadOffset.from("0"), GROUP);
		this.redis.opsForValue().set(RedisKeys.task(QUEUE, id), json);
		String entry = this.redis.opsForStream()
			.add(StreamRecords.string(Map.of("data", json)).withStreamKey(STREAM))
			.getValue();
		this.redis.opsForHash().put(RedisKeys.pendingIds(QUEUE), id.toString(), entry);
	}

	/**
	 * Claim an entry for a consumer with XCLAIM, which counts as a delivery.
	 */
	private void claim(String consumer, String entry) {
		List<?> claimed = this.redis.opsForStream()
			.claim(STREAM, GROUP, consumer, Duration.ZERO, RecordId.of(entry));
		assertThat(claimed).hasSize(1);
	}

	private void awaitIdle(Duration idle, String... entries) {
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			for (String entry : entries) {
				if (pending(entry).getElapsedTimeSinceLastDelivery().compareTo(idle) < 0) {
					return false;
				}
			}
			return true;
		});
	}

	private PendingMessage pending(String entry) {
		PendingMessages messages = this.redis.opsForStream().pending(STREAM, GROUP, Range.closed(entry, entry), 1);
		assertThat(messages).as("pending entry %s", entry).hasSize(1);
		return messages.get(0);
	}

	private long pendingCount() {
		return this.redis.opsForStream().pending(STREAM, GROUP).getTotalPendingMessages();
	}

	private long pendingOf(String consumer) {
		return this.redis.opsForStream()
			.pending(STREAM, Consumer.from(GROUP, consumer), Range.unbounded(), Long.MAX_VALUE)
			.size();
	}

	private Map<String, Long> consumers() {
		Map<String, Long> idle = new TreeMap<>();
		for (XInfoConsumer consumer : this.redis.opsForStream().consumers(STREAM, GROUP)) {
			idle.put(consumer.consumerName(), consumer.idleTimeMs());
		}
		return idle;
	}

	private static String entryId(ReclaimedDelivery reclaimed) {
		return reclaimed.delivery().deliveryId();
	}

}
