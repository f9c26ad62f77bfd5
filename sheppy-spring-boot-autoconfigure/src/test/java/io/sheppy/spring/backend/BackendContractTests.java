package io.sheppy.spring.backend;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.sheppy.spring.core.InvalidTaskException;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskConfig;
import io.sheppy.spring.core.TaskCron;
import io.sheppy.spring.core.TaskException;
import io.sheppy.spring.core.TaskSpec;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.core.Ttl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * The behaviour that every {@link Backend} must have, as a user of the backend sees it. A subclass supplies the
 * backend under test.
 *
 * @author Sheppy for Spring
 */
public abstract class BackendContractTests {

	private static final Instant DUE = Instant.parse("2030-01-01T00:00:00Z");

	private static final Duration LONG_WAIT = Duration.ofSeconds(10);

	private static final Duration BLOCKED = Duration.ofMillis(200);

	/** A queue of its own for each test. */
	protected final String queue = "q-" + UUID.randomUUID();

	protected Backend backend;

	private final ExecutorService executor = Executors.newCachedThreadPool();

	/**
	 * Create the backend under test, empty, with {@link TtlPolicy#DEFAULT}. Called before each test.
	 * @return the backend
	 */
	protected abstract Backend createBackend();

	/**
	 * Return the time to live of a task's stored record as the backend keeps it.
	 * @param queue the queue name
	 * @param taskId the task id
	 * @return the time left, or empty when the record does not expire (or does not exist)
	 */
	protected abstract Optional<Duration> storedTtl(String queue, UUID taskId);

	/**
	 * Return how many futures of {@link Backend#whenFinished} the backend keeps for a queue.
	 * @param queue the queue name
	 * @return the number of futures still waiting
	 */
	protected abstract int waitingFutures(String queue);

	@BeforeEach
	void createBackendUnderTest() {
		this.backend = createBackend();
	}

	@AfterEach
	void stopThreads() {
		this.executor.shutdownNow();
	}

	// append

	@Test
	void appendStoresTheTasksAsTheyWere() {
		Task<Object> task = task(1);
		assertThat(this.backend.append(this.queue, List.of(task), true)).containsExactly(true);
		assertThat(this.backend.getTasks(this.queue, List.of(task.getId())))
			.containsExactly(Map.entry(task.getId(), task));
		assertThat(this.backend.getAllTasks(this.queue)).containsExactly(task);
	}

	@Test
	void uniqueAppendRefusesAnIdThatAlreadyExists() {
		Task<Object> task = task(1);
		Task<Object> sameId = task.mutate().spec(TaskSpec.of("tests:other")).build();
		assertThat(this.backend.append(this.queue, List.of(task), true)).containsExactly(true);
		assertThat(this.backend.append(this.queue, List.of(sameId), true)).containsExactly(false);
		assertThat(this.backend.size(this.queue)).isEqualTo(1);
		assertThat(this.backend.getTasks(this.queue, List.of(task.getId())).get(task.getId())).isEqualTo(task);
	}

	@Test
	void uniqueAppendRefusesTheSecondOfTwoEqualIdsInOneBatch() {
		Task<Object> task = task(1);
		Task<Object> other = task(2);
		assertThat(this.backend.append(this.queue, List.of(task, task), true)).containsExactly(true, false);
		assertThat(this.backend.append(this.queue, List.of(other, task, other), true)).containsExactly(true, false,
				false);
		assertThat(this.backend.size(this.queue)).isEqualTo(2);
	}

	@Test
	void uniqueAppendRefusesAFinishedTask() {
		Task<Object> task = addOne();
		this.backend.storeResult(this.queue, completed(task, 3), null);
		assertThat(this.backend.append(this.queue, List.of(task), true)).containsExactly(false);
		assertThat(this.backend.getTasks(this.queue, List.of(task.getId())).get(task.getId()).getStatus())
			.isEqualTo(TaskStatus.COMPLETED);
	}

	@Test
	void nonUniqueAppendOverwritesAnExistingTaskAndQueuesItAgain() {
		Task<Object> task = addOne();
		Task<Object> changed = task.mutate().spec(TaskSpec.of("tests:add", 5, 6)).build();
		assertThat(this.backend.append(this.queue, List.of(changed), false)).containsExactly(true);
		assertThat(this.backend.size(this.queue)).isEqualTo(2);
		assertThat(this.backend.getTasks(this.queue, List.of(task.getId())).get(task.getId())).isEqualTo(changed);
		assertThat(this.backend.pop(this.queue, 5, null)).extracting(TaskDelivery::task)
			.containsExactly(taken(task), taken(changed));
	}

	@Test
	void appendOfATaskThatCannotBeWrittenFailsAndQueuesNothing() {
		Task<Object> good = task(1);
		Task<Object> bad = Task.builder(TaskSpec.of("tests:add", new Unwritable())).build();
		assertThatExceptionOfType(InvalidTaskException.class)
			.isThrownBy(() -> this.backend.append(this.queue, List.of(good, bad), true));
		assertThat(this.backend.size(this.queue)).isZero();
		assertThat(this.backend.getTasks(this.queue, List.of(good.getId(), bad.getId()))).isEmpty();
	}

	// pop

	@Test
	void popTakesTheOldestTasksFirst() {
		Task<Object> first = task(1);
		Task<Object> second = task(2);
		Task<Object> third = task(3);
		this.backend.append(this.queue, List.of(first, second, third), true);
		List<TaskDelivery> firstTwo = this.backend.pop(this.queue, 2, null);
		assertThat(firstTwo).extracting(TaskDelivery::task).containsExactly(taken(first), taken(second));
		List<TaskDelivery> rest = this.backend.pop(this.queue, 2, null);
		assertThat(rest).extracting(TaskDelivery::task).containsExactly(taken(third));
		assertThat(this.backend.pop(this.queue, 2, null)).isEmpty();
		List<String> deliveryIds = new ArrayList<>();
		firstTwo.forEach((delivery) -> deliveryIds.add(delivery.deliveryId()));
		rest.forEach((delivery) -> deliveryIds.add(delivery.deliveryId()));
		assertThat(deliveryIds).doesNotHaveDuplicates().allSatisfy((id) -> assertThat(id).isNotBlank());
	}

	@Test
	void popOfAnEmptyQueueWithoutTimeoutReturnsAtOnce() {
		long start = System.nanoTime();
		assertThat(this.backend.pop(this.queue, 1, null)).isEmpty();
		assertThat(this.backend.pop(this.queue, 1, Duration.ZERO)).isEmpty();
		assertThat(since(start)).isLessThan(Duration.ofSeconds(1));
	}

	@Test
	void popWaitsForTheTimeoutWhenNothingIsQueued() {
		long start = System.nanoTime();
		assertThat(this.backend.pop(this.queue, 1, Duration.ofMillis(300))).isEmpty();
		assertThat(since(start)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(3));
	}

	@Test
	void popReturnsAsSoonAsAnotherThreadAppendsATask() {
		long start = System.nanoTime();
		Future<List<TaskDelivery>> popped = inBackground(() -> this.backend.pop(this.queue, 1, LONG_WAIT));
		assertBlocked(popped);
		Task<Object> task = addOne();
		assertThat(popped).succeedsWithin(Duration.ofSeconds(5))
			.satisfies((deliveries) -> assertThat(deliveries).extracting(TaskDelivery::task)
				.containsExactly(taken(task)));
		assertThat(since(start)).isLessThan(LONG_WAIT.dividedBy(2));
	}

	@Test
	void popReturnsAsSoonAsAScheduledTaskIsPromoted() {
		Task<Object> task = scheduled(task(1));
		this.backend.schedule(this.queue, task, DUE, true);
		Future<List<TaskDelivery>> popped = inBackground(() -> this.backend.pop(this.queue, 1, LONG_WAIT));
		assertBlocked(popped);
		this.backend.popScheduled(this.queue, DUE, 10);
		assertThat(popped).succeedsWithin(Duration.ofSeconds(5))
			.satisfies((deliveries) -> assertThat(deliveries).singleElement()
				.extracting(TaskDelivery::task)
				.isEqualTo(task.mutate().status(TaskStatus.PROCESSING).build()));
	}

	@Test
	void popRejectsALimitBelowOne() {
		addOne();
		assertThatIllegalArgumentException().isThrownBy(() -> this.backend.pop(this.queue, 0, null))
			.withMessageContaining("limit")
			.withMessageContaining("0");
		assertThatIllegalArgumentException().isThrownBy(() -> this.backend.pop(this.queue, -3, null))
			.withMessageContaining("limit")
			.withMessageContaining("-3");
		assertThat(this.backend.pop(this.queue, 1, null)).hasSize(1);
	}

	@Test
	void popRejectsANegativeTimeout() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.backend.pop(this.queue, 1, Duration.ofSeconds(-1)))
			.withMessageContaining("timeout")
			.withMessageContaining("-1");
	}

	@Test
	void popHoldsTheLastTasksTakenWithoutMarkingThemOnEveryKindOfRead() {
		List<Task<Object>> tasks = IntStream.range(0, 6).mapToObj(BackendContractTests::task).toList();
		this.backend.append(this.queue, tasks, true);

		// the first read takes as many as it asked for; the next one reads while the queue has a backlog
		List<TaskDelivery> deliveries = new ArrayList<>(this.backend.pop(this.queue, 2, 1, null));
		deliveries.addAll(this.backend.pop(this.queue, 4, 2, null));

		assertThat(deliveries).extracting(TaskDelivery::task).containsExactlyElementsOf(tasks.stream()
			.map(BackendContractTests::taken)
			.toList());
		assertThat(deliveries).extracting(TaskDelivery::held).containsExactly(false, true, false, false, true, true);
		Map<UUID, Task<Object>> stored = this.backend.getTasks(this.queue,
				tasks.stream().map(Task::getId).toList());
		assertThat(tasks).extracting((task) -> stored.get(task.getId()).getStatus())
			.containsExactly(TaskStatus.PROCESSING, tasks.get(1).getStatus(), TaskStatus.PROCESSING,
					TaskStatus.PROCESSING, tasks.get(4).getStatus(), tasks.get(5).getStatus());
		assertThat(this.backend.pop(this.queue, 10, null)).as("taken by no one else").isEmpty();
		assertThat(this.backend.cancel(this.queue, tasks.get(5).getId())).as("cancel of a held task").isEmpty();
	}

	@Test
	void markStartedMarksAHeldTaskAsProcessingAndItsOutcomeIsStoredOverIt() {
		Task<Object> second = task(2);
		TaskDelivery held = takeHoldingSecond(task(1), second);

		this.backend.markStarted(this.queue, List.of(held));

		assertThat(stored(second)).isEqualTo(taken(second));
		assertThat(this.backend.storeResult(this.queue, completed(second, 7), held.deliveryId())).isTrue();
		assertThat(stored(second).getResult()).isEqualTo(7);
	}

	@Test
	void markStartedLeavesAHeldTaskWhoseOutcomeWasStored() {
		Task<Object> second = task(2);
		TaskDelivery held = takeHoldingSecond(task(1), second);
		assertThat(this.backend.storeResult(this.queue, completed(second, 7), held.deliveryId())).isTrue();

		this.backend.markStarted(this.queue, List.of(held));

		assertThat(stored(second).getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(stored(second).getResult()).isEqualTo(7);
	}

	@Test
	void releaseOfAHeldTaskQueuesItAgainForAnyWorker() {
		Task<Object> second = task(2);
		TaskDelivery held = takeHoldingSecond(task(1), second);

		this.backend.release(this.queue, List.of(held));

		assertThat(stored(second).getStatus()).isEqualTo(second.getStatus());
		assertThat(this.backend.pop(this.queue, 10, null)).extracting(TaskDelivery::task)
			.containsExactly(taken(second));
	}

	@Test
	void popRejectsHoldingAllTasksTakenOrANegativeNumber() {
		addOne();
		assertThatIllegalArgumentException().isThrownBy(() -> this.backend.pop(this.queue, 2, 2, null))
			.withMessageContaining("held")
			.withMessageContaining("2");
		assertThatIllegalArgumentException().isThrownBy(() -> this.backend.pop(this.queue, 2, -1, null))
			.withMessageContaining("held")
			.withMessageContaining("-1");
		assertThat(this.backend.pop(this.queue, 1, null)).hasSize(1);
	}

	@Test
	void popDeliversEachTaskOnceToConcurrentWorkers() throws Exception {
		List<Task<Object>> tasks = IntStream.range(0, 200).mapToObj(BackendContractTests::task).toList();
		this.backend.append(this.queue, tasks, true);
		ConcurrentLinkedQueue<UUID> delivered = new ConcurrentLinkedQueue<>();
		List<Future<?>> workers = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			workers.add(this.executor.submit(() -> {
				List<TaskDelivery> deliveries;
				while (!(deliveries = this.backend.pop(this.queue, 3, null)).isEmpty()) {
					deliveries.forEach((delivery) -> delivered.add(delivery.task().getId()));
				}
			}));
		}
		for (Future<?> worker : workers) {
			assertThat(worker).succeedsWithin(Duration.ofSeconds(10));
		}
		assertThat(delivered).containsExactlyInAnyOrderElementsOf(tasks.stream().map(Task::getId).toList());
	}

	// getPending, size, acknowledge

	@Test
	void getPendingReturnsTheOldestTasksWithoutTakingThem() {
		Task<Object> first = task(1);
		Task<Object> second = task(2);
		Task<Object> third = task(3);
		this.backend.append(this.queue, List.of(first, second, third), true);
		assertThat(this.backend.getPending(this.queue, 2)).containsExactly(first, second);
		assertThat(this.backend.getPending(this.queue, 10)).containsExactly(first, second, third);
		assertThat(this.backend.size(this.queue)).isEqualTo(3);
		assertThat(this.backend.pop(this.queue, 2, null)).extracting(TaskDelivery::task)
			.containsExactly(taken(first), taken(second));
	}

	@Test
	void getPendingRejectsACountBelowOne() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.backend.getPending(this.queue, 0))
			.withMessageContaining("count")
			.withMessageContaining("0");
	}

	@Test
	void sizeCountsQueuedAndRunningTasksUntilTheirResultIsStored() {
		Task<Object> first = task(1);
		Task<Object> second = task(2);
		Task<Object> third = task(3);
		assertThat(this.backend.size(this.queue)).isZero();
		this.backend.append(this.queue, List.of(first, second, third), true);
		TaskDelivery delivery = this.backend.pop(this.queue, 1, null).get(0);
		assertThat(this.backend.size(this.queue)).isEqualTo(3);
		assertThat(this.backend.getPending(this.queue, 10)).containsExactly(first, second, third);
		assertThat(this.backend.storeResult(this.queue, completed(first, 3), delivery.deliveryId())).isTrue();
		assertThat(this.backend.size(this.queue)).isEqualTo(2);
		assertThat(this.backend.getPending(this.queue, 10)).containsExactly(second, third);
	}

	@Test
	void storeResultOfARetryingTaskWithItsDeliveryTakesItOffTheQueue() {
		Task<Object> task = addOne();
		TaskDelivery delivery = this.backend.pop(this.queue, 1, null).get(0);
		assertThat(this.backend.storeResult(this.queue, retrying(task), delivery.deliveryId())).isTrue();
		assertThat(this.backend.size(this.queue)).isZero();
		assertThat(this.backend.getStats(this.queue).completed()).isZero();
	}

	@Test
	void storeResultOfARetryingTaskPutsItInTheScheduleAtItsNextRetryTime() {
		Task<Object> task = addOne();
		Task<Object> other = addOne();
		TaskDelivery delivery = this.backend.pop(this.queue, 1, null).get(0);
		Task<Object> retrying = retrying(task, DUE);

		assertThat(this.backend.storeResult(this.queue, retrying, delivery.deliveryId())).isTrue();

		assertThat(this.backend.size(this.queue)).isEqualTo(1);
		assertThat(this.backend.getPending(this.queue, 10)).containsExactly(other);
		assertThat(this.backend.getScheduled(this.queue)).containsExactly(retrying);
		assertThat(this.backend.nextScheduledAt(this.queue)).contains(DUE);
		assertThat(this.backend.getStats(this.queue)).isEqualTo(new QueueStats(1, 0, 1));
		assertThat(this.backend.popScheduled(this.queue, DUE.minusMillis(1), 10)).isEmpty();
		assertThat(this.backend.popScheduled(this.queue, DUE, 10)).containsExactly(pending(retrying));
		assertThat(this.backend.getScheduled(this.queue)).isEmpty();
		List<TaskDelivery> again = this.backend.pop(this.queue, 10, null);
		assertThat(again).extracting(TaskDelivery::task).containsExactly(taken(other), taken(pending(retrying)));
		assertThat(again.get(1).task()).satisfies((found) -> {
			assertThat(found.getStatus()).isEqualTo(TaskStatus.PROCESSING);
			assertThat(found.getRetryCount()).isOne();
			assertThat(found.getLastRetryAt()).isEqualTo(retrying.getLastRetryAt()).isNotNull();
			assertThat(found.getNextRetryAt()).isEqualTo(DUE);
			assertThat(found.getException()).isNotNull();
			assertThat(found.getException().message()).isEqualTo("boom");
			assertThat(found.getFinishedAt()).isNull();
		});
	}

	@Test
	void storeResultSchedulesOnlyARetryingTaskWithANextRetryTime() {
		Task<Object> task = addOne();
		Task<Object> withoutRetryTime = retrying(task).mutate().nextRetryAt(null).build();
		assertThat(this.backend.storeResult(this.queue, withoutRetryTime, null)).isTrue();
		assertThat(this.backend.getScheduled(this.queue)).isEmpty();
		Task<Object> processing = task.mutate().status(TaskStatus.PROCESSING).nextRetryAt(DUE).build();
		assertThat(this.backend.storeResult(this.queue, processing, null)).isTrue();
		assertThat(this.backend.getScheduled(this.queue)).isEmpty();
		assertThat(this.backend.nextScheduledAt(this.queue)).isEmpty();
		assertThat(this.backend.getTasks(this.queue, List.of(task.getId())).get(task.getId())).isEqualTo(processing);
	}

	@Test
	void storeResultOfARetryingTaskOverACancelledTaskIsRefusedAndDoesNotScheduleIt() {
		Task<Object> task = task(1);
		this.backend.append(this.queue, List.of(task), true);
		this.backend.append(this.queue, List.of(task), false);
		TaskDelivery delivery = this.backend.pop(this.queue, 1, null).get(0);
		assertThat(this.backend.cancel(this.queue, task.getId())).isPresent();

		assertThat(this.backend.storeResult(this.queue, retrying(task, DUE), delivery.deliveryId())).isFalse();

		assertThat(this.backend.size(this.queue)).isZero();
		assertThat(this.backend.getScheduled(this.queue)).isEmpty();
		assertThat(this.backend.nextScheduledAt(this.queue)).isEmpty();
		assertThat(this.backend.popScheduled(this.queue, DUE, 10)).isEmpty();
		assertThat(this.backend.pop(this.queue, 10, null)).isEmpty();
		assertThat(this.backend.getTasks(this.queue, List.of(task.getId())).get(task.getId()).getStatus())
			.isEqualTo(TaskStatus.CANCELLED);
		assertThat(this.backend.getStats(this.queue)).isEqualTo(new QueueStats(0, 1, 0));
	}

	@Test
	void acknowledgeRemovesEntries() {
		Task<Object> first = task(1);
		Task<Object> second = task(2);
		this.backend.append(this.queue, List.of(first, second), true);
		List<TaskDelivery> deliveries = this.backend.pop(this.queue, 2, null);
		this.backend.acknowledge(this.queue, List.of(deliveries.get(0).deliveryId(), "1-999"));
		assertThat(this.backend.size(this.queue)).isEqualTo(1);
		assertThat(this.backend.getPending(this.queue, 10)).containsExactly(second);
		this.backend.acknowledge(this.queue, List.of(deliveries.get(1).deliveryId()));
		assertThat(this.backend.size(this.queue)).isZero();
		assertThat(this.backend.getTasks(this.queue, List.of(first.getId(), second.getId()))).hasSize(2);
	}

	// release

	@Test
	void releasePutsATakenTaskBackAtTheEndOfTheQueueForTheNextPop() {
		Task<Object> first = task(1);
		Task<Object> second = task(2);
		this.backend.append(this.queue, List.of(first, second), true);
		TaskDelivery taken = this.backend.pop(this.queue, 1, null).get(0);
		assertThat(taken.task()).isEqualTo(taken(first));

		this.backend.release(this.queue, List.of(taken));

		assertThat(this.backend.size(this.queue)).isEqualTo(2);
		assertThat(this.backend.getPending(this.queue, 10)).containsExactly(second, first);
		List<TaskDelivery> again = this.backend.pop(this.queue, 10, null);
		assertThat(again).extracting(TaskDelivery::task).containsExactly(taken(second), taken(first));
		assertThat(again.get(1).deliveryId()).isNotEqualTo(taken.deliveryId());
		assertThat(this.backend.size(this.queue)).isEqualTo(2);
		assertThat(this.backend.storeResult(this.queue, completed(first, 3), again.get(1).deliveryId())).isTrue();
		assertThat(this.backend.size(this.queue)).isEqualTo(1);
	}

	@Test
	void releaseOfSeveralDeliveriesKeepsTheirOrder() {
		List<Task<Object>> tasks = List.of(task(1), task(2), task(3));
		this.backend.append(this.queue, tasks, true);
		List<TaskDelivery> taken = this.backend.pop(this.queue, 3, null);
		this.backend.release(this.queue, taken);
		this.backend.release(this.queue, List.of());
		assertThat(this.backend.size(this.queue)).isEqualTo(3);
		assertThat(this.backend.pop(this.queue, 10, null)).extracting(TaskDelivery::task)
			.containsExactlyElementsOf(tasks.stream().map(BackendContractTests::taken).toList());
	}

	@Test
	void releaseQueuesTheTaskAsItIsStoredNow() {
		Task<Object> task = addOne();
		TaskDelivery taken = this.backend.pop(this.queue, 1, null).get(0);
		Task<Object> processing = task.mutate().status(TaskStatus.PROCESSING).build();
		assertThat(this.backend.storeResult(this.queue, processing, null)).isTrue();

		this.backend.release(this.queue, List.of(taken));

		assertThat(this.backend.pop(this.queue, 10, null)).extracting(TaskDelivery::task)
			.containsExactly(taken(processing));
	}

	@Test
	void releasedTaskWaitsUnclaimedSoItCanBeCancelled() {
		Task<Object> task = addOne();
		TaskDelivery taken = this.backend.pop(this.queue, 1, null).get(0);
		assertThat(this.backend.cancel(this.queue, task.getId())).isEmpty();
		this.backend.release(this.queue, List.of(taken));
		assertThat(this.backend.cancel(this.queue, task.getId()))
			.hasValueSatisfying((found) -> assertThat(found.getStatus()).isEqualTo(TaskStatus.CANCELLED));
		assertThat(this.backend.size(this.queue)).isZero();
		assertThat(this.backend.pop(this.queue, 10, null)).isEmpty();
	}

	@Test
	void releaseOfATaskThatFinishedMeanwhileKeepsItsOutcomeAndDoesNotQueueItAgain() {
		Task<Object> task = addOne();
		TaskDelivery taken = this.backend.pop(this.queue, 1, null).get(0);
		assertThat(this.backend.storeResult(this.queue, completed(task, 3), null)).isTrue();

		this.backend.release(this.queue, List.of(taken));

		assertThat(this.backend.size(this.queue)).isZero();
		assertThat(this.backend.pop(this.queue, 10, null)).isEmpty();
		Task<Object> stored = this.backend.getResults(this.queue, List.of(task.getId()), null).get(task.getId());
		assertThat(stored.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(stored.getResult()).isEqualTo(3);
		assertThat(this.backend.getStats(this.queue).completed()).isEqualTo(1);
	}

	@Test
	void releaseOfACancelledTaskDoesNotQueueIt() {
		Task<Object> task = task(1);
		this.backend.append(this.queue, List.of(task), true);
		this.backend.append(this.queue, List.of(task), false);
		TaskDelivery taken = this.backend.pop(this.queue, 1, null).get(0);
		assertThat(this.backend.cancel(this.queue, task.getId())).isPresent();

		this.backend.release(this.queue, List.of(taken));

		assertThat(this.backend.size(this.queue)).isZero();
		assertThat(this.backend.pop(this.queue, 10, null)).isEmpty();
		assertThat(this.backend.getTasks(this.queue, List.of(task.getId())).get(task.getId()).getStatus())
			.isEqualTo(TaskStatus.CANCELLED);
	}

	@Test
	void releaseOfADeletedTaskDoesNotQueueIt() {
		Task<Object> task = addOne();
		TaskDelivery taken = this.backend.pop(this.queue, 1, null).get(0);
		this.backend.storeResult(this.queue, completed(task, 3), null);
		assertThat(this.backend.delete(this.queue, task.getId())).isTrue();

		this.backend.release(this.queue, List.of(taken));

		assertThat(this.backend.size(this.queue)).isZero();
		assertThat(this.backend.pop(this.queue, 10, null)).isEmpty();
		assertThat(this.backend.getTasks(this.queue, List.of(task.getId()))).isEmpty();
	}

	// getTasks

	@Test
	void getTasksReturnsTheFoundTasksInTheOrderOfTheirFirstOccurrence() {
		Task<Object> first = task(1);
		Task<Object> second = task(2);
		this.backend.append(this.queue, List.of(first, second), true);
		UUID unknown = UUID.randomUUID();
		Map<UUID, Task<Object>> found = this.backend.getTasks(this.queue,
				List.of(second.getId(), unknown, first.getId(), second.getId()));
		assertThat(found.keySet()).containsExactly(second.getId(), first.getId());
		assertThat(found).containsEntry(first.getId(), first).containsEntry(second.getId(), second);
		assertThat(this.backend.getTasks(this.queue, List.of())).isEmpty();
		assertThat(this.backend.getTasks(this.queue, List.of(unknown))).isEmpty();
	}

	// isolation

	@Test
	void queuesWhoseNamesArePrefixesOfEachOtherAreIsolated() {
		List<String> names = List.of("a", "a:b", "ab");
		Map<String, Task<Object>> queued = new HashMap<>();
		Map<String, Task<Object>> scheduled = new HashMap<>();
		for (String name : names) {
			queued.put(name, task(name));
			scheduled.put(name, scheduled(task(name)));
			this.backend.append(name, List.of(queued.get(name)), true);
			this.backend.schedule(name, scheduled.get(name), DUE, true);
			this.backend.addCron(name, TaskCron.of("@hourly", TaskSpec.of("tests:cron", name), TaskConfig.DEFAULT));
		}
		for (String name : names) {
			assertThat(this.backend.getAllTasks(name)).as(name)
				.containsExactlyInAnyOrder(queued.get(name), scheduled.get(name));
			assertThat(this.backend.size(name)).as(name).isEqualTo(1);
			assertThat(this.backend.getStats(name)).as(name).isEqualTo(new QueueStats(1, 0, 1));
			assertThat(this.backend.getTasks(name, queued.values().stream().map(Task::getId).toList())).as(name)
				.containsOnlyKeys(queued.get(name).getId());
		}
		assertThat(this.backend.storeResult("a", completed(queued.get("ab"), 1), null)).isFalse();
		assertThat(this.backend.cancel("a", queued.get("a:b").getId())).isEmpty();
		assertThat(this.backend.clear("a")).isEqualTo(2);
		assertThat(this.backend.getAllTasks("a")).isEmpty();
		for (String name : List.of("a:b", "ab")) {
			assertThat(this.backend.getAllTasks(name)).as(name)
				.containsExactlyInAnyOrder(queued.get(name), scheduled.get(name));
			assertThat(this.backend.getStats(name)).as(name).isEqualTo(new QueueStats(1, 0, 1));
			assertThat(this.backend.getCrons(name)).as(name).hasSize(1);
			assertThat(this.backend.pop(name, 10, null)).as(name)
				.extracting(TaskDelivery::task)
				.containsExactly(taken(queued.get(name)));
		}
		assertThat(this.backend.listQueues()).containsKeys("a:b", "ab").doesNotContainKey("a");
	}

	@Test
	void queuesWithGlobCharactersInTheirNamesAreIsolated() {
		List<String> globs = List.of("q*", "q?", "q[1]", "q\\x");
		List<String> names = List.of("q*", "q?", "q[1]", "q\\x", "q1", "qx", "qa", "q");
		Map<String, Task<Object>> tasks = new HashMap<>();
		for (String name : names) {
			tasks.put(name, task(name));
			this.backend.append(name, List.of(tasks.get(name)), true);
			this.backend.addCron(name, TaskCron.of("@daily", TaskSpec.of("tests:cron", name), TaskConfig.DEFAULT));
		}
		for (String name : names) {
			assertThat(this.backend.getAllTasks(name)).as(name).containsExactly(tasks.get(name));
			assertThat(this.backend.size(name)).as(name).isEqualTo(1);
			assertThat(this.backend.getStats(name)).as(name).isEqualTo(new QueueStats(1, 0, 0));
		}
		for (String glob : globs) {
			assertThat(this.backend.clear(glob)).as(glob).isEqualTo(1);
			assertThat(this.backend.getAllTasks(glob)).as(glob).isEmpty();
			assertThat(this.backend.getCrons(glob)).as(glob).isEmpty();
		}
		for (String name : List.of("q1", "qx", "qa", "q")) {
			assertThat(this.backend.getAllTasks(name)).as(name).containsExactly(tasks.get(name));
			assertThat(this.backend.size(name)).as(name).isEqualTo(1);
			assertThat(this.backend.getCrons(name)).as(name).hasSize(1);
		}
		assertThat(this.backend.listQueues()).containsKeys("q1", "qx", "qa", "q").doesNotContainKeys("q*", "q?",
				"q[1]", "q\\x");
	}

	// clear

	@Test
	void clearRemovesTheTasksScheduleAndCronsOfTheQueueAndCountsTheTasks() {
		Task<Object> done = task(1);
		Task<Object> waiting = task(2);
		Task<Object> running = task(3);
		this.backend.append(this.queue, List.of(done, waiting, running), true);
		TaskDelivery doneDelivery = this.backend.pop(this.queue, 1, null).get(0);
		this.backend.storeResult(this.queue, completed(done, 1), doneDelivery.deliveryId());
		this.backend.pop(this.queue, 1, null);
		this.backend.pop(this.queue, 1, null);
		this.backend.schedule(this.queue, scheduled(task(4)), DUE, true);
		this.backend.addCron(this.queue, TaskCron.of("@hourly", TaskSpec.of("tests:cron"), TaskConfig.DEFAULT));
		assertThat(this.backend.listQueues()).containsKey(this.queue);

		assertThat(this.backend.clear(this.queue)).isEqualTo(4);

		assertThat(this.backend.size(this.queue)).isZero();
		assertThat(this.backend.getAllTasks(this.queue)).isEmpty();
		assertThat(this.backend.getPending(this.queue, 10)).isEmpty();
		assertThat(this.backend.pop(this.queue, 10, null)).isEmpty();
		assertThat(this.backend.getScheduled(this.queue)).isEmpty();
		assertThat(this.backend.nextScheduledAt(this.queue)).isEmpty();
		assertThat(this.backend.popScheduled(this.queue, DUE, 10)).isEmpty();
		assertThat(this.backend.getCrons(this.queue)).isEmpty();
		assertThat(this.backend.getStats(this.queue).pending()).isZero();
		assertThat(this.backend.getStats(this.queue).scheduled()).isZero();
		assertThat(this.backend.listQueues()).doesNotContainKey(this.queue);
		assertThat(this.backend.clear(this.queue)).isZero();
	}

	@Test
	void clearedQueueCanBeUsedAgain() {
		addOne();
		this.backend.clear(this.queue);
		Task<Object> task = addOne();
		assertThat(this.backend.pop(this.queue, 10, null)).extracting(TaskDelivery::task).containsExactly(taken(task));
		assertThat(this.backend.listQueues()).containsKey(this.queue);
	}

	// stats and queues

	@Test
	void statsCountPendingCompletedAndScheduledTasks() {
		assertThat(this.backend.getStats(this.queue)).isEqualTo(new QueueStats(0, 0, 0));
		Task<Object> first = task(1);
		Task<Object> second = task(2);
		Task<Object> third = task(3);
		this.backend.append(this.queue, List.of(first, second, third), true);
		assertThat(this.backend.getStats(this.queue)).isEqualTo(new QueueStats(3, 0, 0));
		TaskDelivery delivery = this.backend.pop(this.queue, 1, null).get(0);
		this.backend.storeResult(this.queue, completed(first, 1), delivery.deliveryId());
		assertThat(this.backend.getStats(this.queue)).isEqualTo(new QueueStats(2, 1, 0));
		this.backend.cancel(this.queue, second.getId());
		this.backend.schedule(this.queue, scheduled(task(4)), DUE, true);
		this.backend.schedule(this.queue, scheduled(task(5)), DUE.plusSeconds(1), true);
		assertThat(this.backend.getStats(this.queue)).isEqualTo(new QueueStats(1, 2, 2));
	}

	@Test
	void listQueuesReturnsTheQueuesWithTheirPendingCountsSortedByName() {
		this.backend.append("list-b", List.of(task(1), task(2)), true);
		this.backend.append("list-a", List.of(task(3)), true);
		this.backend.schedule("list-c", scheduled(task(4)), DUE, true);
		Map<String, Long> queues = this.backend.listQueues();
		assertThat(queues).containsEntry("list-a", 1L).containsEntry("list-b", 2L).containsEntry("list-c", 0L);
		assertThat(new ArrayList<>(queues.keySet())).isSorted();
	}

	// schedule

	@Test
	void popScheduledMovesNothingBeforeTheDueTime() {
		Task<Object> task = scheduled(task(1));
		assertThat(this.backend.schedule(this.queue, task, DUE, true)).isTrue();
		assertThat(this.backend.popScheduled(this.queue, DUE.minusMillis(1), 10)).isEmpty();
		assertThat(this.backend.getScheduled(this.queue)).containsExactly(task);
		assertThat(this.backend.size(this.queue)).isZero();
		assertThat(this.backend.pop(this.queue, 1, null)).isEmpty();
	}

	@Test
	void popScheduledMovesATaskAtExactlyItsDueTime() {
		Task<Object> task = scheduled(task(1));
		this.backend.schedule(this.queue, task, DUE, true);
		Task<Object> pending = task.mutate().status(TaskStatus.PENDING).build();
		assertThat(this.backend.popScheduled(this.queue, DUE, 10)).containsExactly(pending);
		assertThat(this.backend.getTasks(this.queue, List.of(task.getId())).get(task.getId())).isEqualTo(pending);
		assertThat(this.backend.getScheduled(this.queue)).isEmpty();
		assertThat(this.backend.pop(this.queue, 1, null)).extracting(TaskDelivery::task)
			.containsExactly(taken(pending));
		assertThat(this.backend.popScheduled(this.queue, DUE, 10)).isEmpty();
	}

	@Test
	void popScheduledMovesDueTasksInDueOrder() {
		Task<Object> first = scheduled(task(1));
		Task<Object> second = scheduled(task(2));
		Task<Object> third = scheduled(task(3));
		Task<Object> later = scheduled(task(4));
		this.backend.schedule(this.queue, third, DUE.plusSeconds(3), true);
		this.backend.schedule(this.queue, later, DUE.plusSeconds(60), true);
		this.backend.schedule(this.queue, first, DUE.plusSeconds(1), true);
		this.backend.schedule(this.queue, second, DUE.plusSeconds(2), true);

		List<Task<Object>> moved = this.backend.popScheduled(this.queue, DUE.plusSeconds(3), 2);
		assertThat(moved).containsExactly(pending(first), pending(second));
		assertThat(this.backend.getScheduled(this.queue)).containsExactly(third, later);
		moved = this.backend.popScheduled(this.queue, DUE.plusSeconds(3), 2);
		assertThat(moved).containsExactly(pending(third));
		assertThat(this.backend.getScheduled(this.queue)).containsExactly(later);
		assertThat(this.backend.pop(this.queue, 10, null)).extracting(TaskDelivery::task)
			.containsExactly(taken(pending(first)), taken(pending(second)), taken(pending(third)));
	}

	@Test
	void popScheduledDropsATaskThatFinishedWhileItWasScheduled() {
		Task<Object> task = scheduled(task(1));
		this.backend.schedule(this.queue, task, Instant.parse("2030-01-01T00:00:00Z"), true);
		assertThat(this.backend.storeResult(this.queue, completed(task, 1), null)).isTrue();
		assertThat(this.backend.popScheduled(this.queue, Instant.parse("2030-01-01T00:00:00Z"), 10)).isEmpty();
		assertThat(this.backend.getScheduled(this.queue)).isEmpty();
		assertThat(this.backend.size(this.queue)).isZero();
		assertThat(this.backend.getTasks(this.queue, List.of(task.getId())).get(task.getId()).getStatus())
			.isEqualTo(TaskStatus.COMPLETED);
	}

	@Test
	void popScheduledRejectsALimitBelowOne() {
		this.backend.schedule(this.queue, scheduled(task(1)), DUE, true);
		assertThatIllegalArgumentException().isThrownBy(() -> this.backend.popScheduled(this.queue, DUE, 0))
			.withMessageContaining("limit")
			.withMessageContaining("0");
		assertThat(this.backend.getScheduled(this.queue)).hasSize(1);
	}

	@Test
	void popScheduledMovesEachDueTaskOnceWhenCalledConcurrently() {
		List<Task<Object>> tasks = IntStream.range(0, 100).mapToObj((i) -> scheduled(task(i))).toList();
		for (int i = 0; i < tasks.size(); i++) {
			this.backend.schedule(this.queue, tasks.get(i), DUE.plusMillis(i), true);
		}
		ConcurrentLinkedQueue<UUID> moved = new ConcurrentLinkedQueue<>();
		List<Future<?>> schedulers = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			schedulers.add(this.executor.submit(() -> {
				List<Task<Object>> batch;
				while (!(batch = this.backend.popScheduled(this.queue, DUE.plusSeconds(1), 7)).isEmpty()) {
					batch.forEach((task) -> moved.add(task.getId()));
				}
			}));
		}
		for (Future<?> scheduler : schedulers) {
			assertThat(scheduler).succeedsWithin(Duration.ofSeconds(10));
		}
		assertThat(moved).containsExactlyInAnyOrderElementsOf(tasks.stream().map(Task::getId).toList());
		assertThat(this.backend.size(this.queue)).isEqualTo(100);
		assertThat(this.backend.getScheduled(this.queue)).isEmpty();
	}

	@Test
	void scheduleRefusesAnIdThatAlreadyExists() {
		Task<Object> task = scheduled(task(1));
		assertThat(this.backend.schedule(this.queue, task, DUE, true)).isTrue();
		assertThat(this.backend.schedule(this.queue, task, DUE.plusSeconds(5), true)).isFalse();
		assertThat(this.backend.append(this.queue, List.of(task), true)).containsExactly(false);
		Task<Object> queued = addOne();
		assertThat(this.backend.schedule(this.queue, scheduled(queued), DUE, true)).isFalse();
		assertThat(this.backend.getScheduled(this.queue)).containsExactly(task);
		assertThat(this.backend.nextScheduledAt(this.queue)).contains(DUE);
	}

	@Test
	void nonUniqueScheduleMovesAnExistingTaskToTheNewDueTime() {
		Task<Object> task = scheduled(task(1));
		this.backend.schedule(this.queue, task, DUE, true);
		assertThat(this.backend.schedule(this.queue, task, DUE.plusSeconds(5), false)).isTrue();
		assertThat(this.backend.getScheduled(this.queue)).containsExactly(task);
		assertThat(this.backend.nextScheduledAt(this.queue)).contains(DUE.plusSeconds(5));
		assertThat(this.backend.popScheduled(this.queue, DUE, 10)).isEmpty();
	}

	@Test
	void getScheduledAndNextScheduledAtShowTheEarliestDueTaskFirst() {
		assertThat(this.backend.getScheduled(this.queue)).isEmpty();
		assertThat(this.backend.nextScheduledAt(this.queue)).isEmpty();
		Task<Object> later = scheduled(task(1));
		Task<Object> earlier = scheduled(task(2));
		this.backend.schedule(this.queue, later, DUE.plusSeconds(2), true);
		this.backend.schedule(this.queue, earlier, DUE.plusSeconds(1), true);
		assertThat(this.backend.getScheduled(this.queue)).containsExactly(earlier, later);
		assertThat(this.backend.nextScheduledAt(this.queue)).contains(DUE.plusSeconds(1));
	}

	// awaitScheduleChange

	@Test
	void awaitScheduleChangeReturnsAsSoonAsAnotherThreadSchedulesATaskBeforeTheEarliest() {
		this.backend.schedule(this.queue, scheduled(task(1)), DUE.plusSeconds(60), true);
		startAwaitingScheduleChanges();
		long start = System.nanoTime();
		Future<Boolean> changed = inBackground(() -> this.backend.awaitScheduleChange(this.queue, LONG_WAIT));
		assertBlocked(changed);

		this.backend.schedule(this.queue, scheduled(task(2)), DUE, true);

		assertThat(changed).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(true);
		assertThat(since(start)).isLessThan(LONG_WAIT.dividedBy(2));
	}

	@Test
	void awaitScheduleChangeReturnsFalseAfterItsTimeoutWhenOnlyALaterTaskIsScheduled() {
		this.backend.schedule(this.queue, scheduled(task(1)), DUE, true);
		startAwaitingScheduleChanges();
		long start = System.nanoTime();
		Future<Boolean> changed = inBackground(
				() -> this.backend.awaitScheduleChange(this.queue, Duration.ofMillis(300)));

		this.backend.schedule(this.queue, scheduled(task(2)), DUE.plusSeconds(60), true);
		this.backend.schedule("other-" + this.queue, scheduled(task(3)), DUE.minusSeconds(60), true);

		assertThat(changed).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(false);
		assertThat(since(start)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(3));
	}

	@Test
	void awaitScheduleChangeReturnsFalseAfterItsTimeoutWhenNothingHappens() {
		startAwaitingScheduleChanges();
		long start = System.nanoTime();
		assertThat(this.backend.awaitScheduleChange(this.queue, Duration.ofMillis(300))).isFalse();
		assertThat(since(start)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(3));
		assertThat(this.backend.awaitScheduleChange(this.queue, Duration.ZERO)).isFalse();
	}

	@Test
	void scheduleChangeBetweenTwoWaitsIsKeptForTheNextWaitOnly() {
		this.backend.schedule(this.queue, scheduled(task(1)), DUE, true);
		startAwaitingScheduleChanges();

		this.backend.schedule(this.queue, scheduled(task(2)), DUE.minusSeconds(1), true);

		long start = System.nanoTime();
		assertThat(this.backend.awaitScheduleChange(this.queue, LONG_WAIT)).isTrue();
		assertThat(since(start)).isLessThan(LONG_WAIT.dividedBy(2));
		assertThat(this.backend.awaitScheduleChange(this.queue, Duration.ofMillis(300))).isFalse();
	}

	@Test
	void storeResultOfARetryingTaskDueBeforeTheEarliestSignalsAScheduleChange() {
		this.backend.schedule(this.queue, scheduled(task(1)), DUE.plusSeconds(60), true);
		Task<Object> task = addOne();
		TaskDelivery delivery = this.backend.pop(this.queue, 1, null).get(0);
		startAwaitingScheduleChanges();
		Future<Boolean> changed = inBackground(() -> this.backend.awaitScheduleChange(this.queue, LONG_WAIT));
		assertBlocked(changed);

		this.backend.storeResult(this.queue, retrying(task, DUE), delivery.deliveryId());

		assertThat(changed).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(true);
	}

	@Test
	void retryAtATimeBeforeTheEarliestSignalsAScheduleChange() {
		this.backend.schedule(this.queue, scheduled(task(1)), DUE.plusSeconds(60), true);
		Task<Object> task = addOne();
		this.backend.storeResult(this.queue, failed(task), this.backend.pop(this.queue, 1, null).get(0).deliveryId());
		startAwaitingScheduleChanges();
		Future<Boolean> changed = inBackground(() -> this.backend.awaitScheduleChange(this.queue, LONG_WAIT));
		assertBlocked(changed);

		this.backend.retry(this.queue, scheduled(task), DUE);

		assertThat(changed).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(true);
	}

	@Test
	void awaitScheduleChangeRejectsANegativeOrMissingTimeout() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.backend.awaitScheduleChange(this.queue, Duration.ofMillis(-1)))
			.withMessageContaining("timeout");
		assertThatIllegalArgumentException().isThrownBy(() -> this.backend.awaitScheduleChange(this.queue, null))
			.withMessageContaining("timeout");
	}

	@Test
	void interruptedAwaitScheduleChangeReturnsFalseAndKeepsTheInterrupt() {
		startAwaitingScheduleChanges();
		AtomicReference<Boolean> changed = new AtomicReference<>();
		AtomicBoolean interrupted = new AtomicBoolean();
		Thread scheduler = new Thread(() -> {
			changed.set(this.backend.awaitScheduleChange(this.queue, LONG_WAIT));
			interrupted.set(Thread.currentThread().isInterrupted());
		});
		long start = System.nanoTime();
		scheduler.start();
		await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.getState() == Thread.State.TIMED_WAITING);
		scheduler.interrupt();
		await().atMost(Duration.ofSeconds(5)).until(() -> changed.get() != null);
		assertThat(changed.get()).isFalse();
		assertThat(interrupted).isTrue();
		assertThat(since(start)).isLessThan(LONG_WAIT.dividedBy(2));

		this.backend.schedule(this.queue, scheduled(task(1)), DUE, true);
		Thread.currentThread().interrupt();
		try {
			assertThat(this.backend.awaitScheduleChange(this.queue, LONG_WAIT)).isFalse();
			assertThat(Thread.currentThread().isInterrupted()).isTrue();
		}
		finally {
			Thread.interrupted();
		}
		assertThat(this.backend.awaitScheduleChange(this.queue, LONG_WAIT)).isTrue();
	}

	// results

	@Test
	void getResultsReturnsStoredResultsWithTheirStatus() {
		Task<Object> number = task(1);
		Task<Object> map = task(2);
		Task<Object> failure = task(3);
		this.backend.append(this.queue, List.of(number, map, failure), true);
		Task<Object> failed = failed(failure);
		assertThat(this.backend.storeResult(this.queue, completed(number, 3), null)).isTrue();
		assertThat(this.backend.storeResult(this.queue, completed(map, Map.of("name", "x", "count", 2)), null))
			.isTrue();
		assertThat(this.backend.storeResult(this.queue, failed, null)).isTrue();

		Map<UUID, Task<Object>> results = this.backend.getResults(this.queue,
				List.of(number.getId(), map.getId(), failure.getId()), null);

		assertThat(results.keySet()).containsExactly(number.getId(), map.getId(), failure.getId());
		assertThat(results.get(number.getId())).satisfies((task) -> {
			assertThat(task.getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(task.getResult()).isEqualTo(3);
			assertThat(task.getFinishedAt()).isNotNull();
		});
		assertThat(results.get(map.getId())).satisfies((task) -> {
			assertThat(task.getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(task.getResult()).isEqualTo(Map.of("name", "x", "count", 2));
		});
		assertThat(results.get(failure.getId())).isEqualTo(failed).satisfies((task) -> {
			assertThat(task.getStatus()).isEqualTo(TaskStatus.FAILED);
			assertThat(task.getException()).isNotNull();
			assertThat(task.getException().type()).isEqualTo("IllegalStateException");
			assertThat(task.getException().message()).isEqualTo("boom");
		});
	}

	@Test
	void storeResultReadsBackAnObjectResultAsJsonValues() {
		Task<Object> task = addOne();
		this.backend.storeResult(this.queue, completed(task, new Point(1, 2)), null);
		assertThat(this.backend.getResults(this.queue, List.of(task.getId()), null).get(task.getId()).getResult())
			.isEqualTo(Map.of("x", 1, "y", 2));
	}

	@Test
	void storeResultOfAResultThatCannotBeWrittenFailsAndChangesNothing() {
		Task<Object> task = addOne();
		TaskDelivery delivery = this.backend.pop(this.queue, 1, null).get(0);
		assertThatExceptionOfType(InvalidTaskException.class).isThrownBy(() -> this.backend.storeResult(this.queue,
				completed(task, new Unwritable()), delivery.deliveryId()));
		assertThat(this.backend.getTasks(this.queue, List.of(task.getId())).get(task.getId())).isEqualTo(taken(task));
		assertThat(this.backend.size(this.queue)).isEqualTo(1);
		assertThat(this.backend.storeResult(this.queue, failed(task), delivery.deliveryId())).isTrue();
		assertThat(this.backend.size(this.queue)).isZero();
	}

	@Test
	void getResultsWithoutTimeoutReturnsAtOnceWithTheFinishedTasksOnly() {
		Task<Object> done = task(1);
		Task<Object> waiting = task(2);
		this.backend.append(this.queue, List.of(done, waiting), true);
		this.backend.storeResult(this.queue, completed(done, 1), null);
		List<UUID> ids = List.of(done.getId(), waiting.getId(), UUID.randomUUID());
		long start = System.nanoTime();
		assertThat(this.backend.getResults(this.queue, ids, null)).containsOnlyKeys(done.getId());
		assertThat(this.backend.getResults(this.queue, ids, Duration.ofSeconds(-1))).containsOnlyKeys(done.getId());
		assertThat(since(start)).isLessThan(Duration.ofSeconds(1));
	}

	@Test
	void getResultsWithPositiveTimeoutFailsListingTheUnfinishedTasks() {
		Task<Object> done = task(1);
		Task<Object> waiting = task(2);
		UUID missing = UUID.randomUUID();
		this.backend.append(this.queue, List.of(done, waiting), true);
		this.backend.storeResult(this.queue, completed(done, 1), null);
		long start = System.nanoTime();
		assertThatExceptionOfType(WaitTimeoutException.class)
			.isThrownBy(() -> this.backend.getResults(this.queue, List.of(done.getId(), waiting.getId(), missing),
					Duration.ofMillis(300)))
			.satisfies((ex) -> assertThat(ex.getUnfinished()).containsExactlyInAnyOrder(waiting.getId(), missing));
		assertThat(since(start)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(3));
	}

	@Test
	void getResultsWithPositiveTimeoutReturnsWhenTheTasksFinishDuringTheWait() {
		Task<Object> task = addOne();
		long start = System.nanoTime();
		Future<Map<UUID, Task<Object>>> results = inBackground(
				() -> this.backend.getResults(this.queue, List.of(task.getId()), LONG_WAIT));
		assertBlocked(results);
		this.backend.storeResult(this.queue, completed(task, 3), null);
		assertThat(results).succeedsWithin(Duration.ofSeconds(5))
			.satisfies((found) -> assertThat(found.get(task.getId()).getResult()).isEqualTo(3));
		assertThat(since(start)).isLessThan(LONG_WAIT.dividedBy(2));
	}

	@Test
	void getResultsWithZeroTimeoutWaitsUntilTheTasksFinish() {
		Task<Object> first = task(1);
		Task<Object> second = task(2);
		this.backend.append(this.queue, List.of(first, second), true);
		Future<Map<UUID, Task<Object>>> results = inBackground(
				() -> this.backend.getResults(this.queue, List.of(first.getId(), second.getId()), Duration.ZERO));
		assertBlocked(results);
		this.backend.storeResult(this.queue, completed(first, 1), null);
		assertBlocked(results);
		this.backend.storeResult(this.queue, completed(second, 2), null);
		assertThat(results).succeedsWithin(Duration.ofSeconds(5))
			.satisfies((found) -> assertThat(found).containsOnlyKeys(first.getId(), second.getId()));
	}

	@Test
	void getResultsWithZeroTimeoutWaitsForATaskThatIsCreatedLater() {
		Task<Object> task = task(1);
		Future<Map<UUID, Task<Object>>> results = inBackground(
				() -> this.backend.getResults(this.queue, List.of(task.getId()), Duration.ZERO));
		assertBlocked(results);
		this.backend.append(this.queue, List.of(task), true);
		this.backend.storeResult(this.queue, completed(task, 1), null);
		assertThat(results).succeedsWithin(Duration.ofSeconds(5))
			.satisfies((found) -> assertThat(found).containsOnlyKeys(task.getId()));
	}

	@Test
	void getResultsDoesNotCountARetryingTaskAsFinished() {
		Task<Object> task = addOne();
		TaskDelivery delivery = this.backend.pop(this.queue, 1, null).get(0);
		assertThat(this.backend.storeResult(this.queue, retrying(task), delivery.deliveryId())).isTrue();
		assertThat(this.backend.getResults(this.queue, List.of(task.getId()), null)).isEmpty();
		assertThatExceptionOfType(WaitTimeoutException.class)
			.isThrownBy(() -> this.backend.getResults(this.queue, List.of(task.getId()), Duration.ofMillis(200)))
			.satisfies((ex) -> assertThat(ex.getUnfinished()).containsExactly(task.getId()));
		assertThat(this.backend.getTasks(this.queue, List.of(task.getId())).get(task.getId()).getStatus())
			.isEqualTo(TaskStatus.RETRYING);
	}

	// whenFinished

	@Test
	void whenFinishedCompletesOnceTheTaskIsFinishedByAnotherThread() {
		Task<Object> task = addOne();
		CompletableFuture<Map<UUID, Task<Object>>> finished = this.backend.whenFinished(this.queue,
				List.of(task.getId()));
		assertBlocked(finished);
		Future<Boolean> stored = inBackground(() -> this.backend.storeResult(this.queue, completed(task, 3), null));
		assertThat(stored).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(true);
		assertThat(finished).succeedsWithin(Duration.ofSeconds(5)).satisfies((tasks) -> {
			assertThat(tasks).containsOnlyKeys(task.getId());
			assertThat(tasks.get(task.getId()).getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(tasks.get(task.getId()).getResult()).isEqualTo(3);
		});
		await().atMost(Duration.ofSeconds(5)).until(() -> waitingFutures(this.queue) == 0);
	}

	@Test
	void whenFinishedOfTasksThatHaveFinishedIsCompleteAtOnceInTheOrderOfTheIds() {
		Task<Object> first = task(1);
		Task<Object> second = task(2);
		this.backend.append(this.queue, List.of(first, second), true);
		this.backend.storeResult(this.queue, completed(first, 1), null);
		this.backend.storeResult(this.queue, failed(second), null);

		CompletableFuture<Map<UUID, Task<Object>>> finished = this.backend.whenFinished(this.queue,
				List.of(second.getId(), first.getId(), second.getId()));

		assertThat(finished).isCompleted();
		assertThat(finished.join().keySet()).containsExactly(second.getId(), first.getId());
		assertThat(finished.join().get(second.getId()).getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(this.backend.whenFinished(this.queue, List.of())).isCompletedWithValue(Map.of());
	}

	@Test
	void whenFinishedWaitsForATaskThatIsCreatedLater() {
		Task<Object> task = task(1);
		CompletableFuture<Map<UUID, Task<Object>>> finished = this.backend.whenFinished(this.queue,
				List.of(task.getId()));
		assertBlocked(finished);
		this.backend.append(this.queue, List.of(task), true);
		assertBlocked(finished);
		TaskDelivery delivery = this.backend.pop(this.queue, 1, null).get(0);
		this.backend.storeResult(this.queue, completed(task, "done"), delivery.deliveryId());
		assertThat(finished).succeedsWithin(Duration.ofSeconds(5))
			.satisfies((tasks) -> assertThat(tasks.get(task.getId()).getResult()).isEqualTo("done"));
	}

	@Test
	void whenFinishedOfSeveralTasksCompletesOnlyOnceAllHaveFinished() {
		Task<Object> first = task(1);
		Task<Object> second = task(2);
		Task<Object> third = task(3);
		this.backend.append(this.queue, List.of(first, second, third), true);
		CompletableFuture<Map<UUID, Task<Object>>> finished = this.backend.whenFinished(this.queue,
				List.of(third.getId(), first.getId(), second.getId()));

		this.backend.storeResult(this.queue, completed(first, 1), null);
		assertBlocked(finished);
		this.backend.storeResult(this.queue, retrying(second), null);
		this.backend.storeResult(this.queue, completed(third, 3), null);
		assertBlocked(finished);
		this.backend.storeResult(this.queue, completed(second, 2), null);

		assertThat(finished).succeedsWithin(Duration.ofSeconds(5)).satisfies((tasks) -> {
			assertThat(tasks.keySet()).containsExactly(third.getId(), first.getId(), second.getId());
			assertThat(tasks.values()).extracting(Task::getResult).containsExactly(3, 1, 2);
		});
	}

	@Test
	void cancelledWhenFinishedFutureIsForgottenAndNeverCompleted() {
		Task<Object> task = addOne();
		CompletableFuture<Map<UUID, Task<Object>>> cancelled = this.backend.whenFinished(this.queue,
				List.of(task.getId()));
		CompletableFuture<Map<UUID, Task<Object>>> kept = this.backend.whenFinished(this.queue, List.of(task.getId()));
		assertThat(waitingFutures(this.queue)).isEqualTo(2);

		assertThat(cancelled.cancel(false)).isTrue();
		assertThat(waitingFutures(this.queue)).isOne();
		this.backend.storeResult(this.queue, completed(task, 3), null);

		assertThat(kept).succeedsWithin(Duration.ofSeconds(5));
		assertThat(cancelled).isCancelled();
		await().atMost(Duration.ofSeconds(5)).until(() -> waitingFutures(this.queue) == 0);
	}

	@Test
	void getResultsThatTimesOutForgetsItsWait() {
		Task<Object> task = addOne();
		assertThatExceptionOfType(WaitTimeoutException.class)
			.isThrownBy(() -> this.backend.getResults(this.queue, List.of(task.getId()), Duration.ofMillis(100)));
		assertThat(waitingFutures(this.queue)).isZero();
	}

	// compare-and-set

	@Test
	void storeResultsStoresEachOutcomeAsAStepOfItsOwnAndTellsWhichWereStored() {
		Task<Object> done = task(1);
		Task<Object> failing = task(2);
		Task<Object> finishedElsewhere = task(3);
		this.backend.append(this.queue, List.of(done, failing, finishedElsewhere), true);
		List<TaskDelivery> deliveries = this.backend.pop(this.queue, 3, null);
		assertThat(this.backend.storeResult(this.queue, completed(finishedElsewhere, "elsewhere"), null)).isTrue();
		Task<Object> retrying = retrying(failing, DUE);

		List<Boolean> stored = this.backend.storeResults(this.queue,
				List.of(new TaskDelivery(completed(done, 1), deliveries.get(0).deliveryId()),
						new TaskDelivery(retrying, deliveries.get(1).deliveryId()),
						new TaskDelivery(failed(finishedElsewhere), deliveries.get(2).deliveryId())));

		assertThat(stored).containsExactly(true, true, false);
		Map<UUID, Task<Object>> tasks = this.backend.getTasks(this.queue,
				List.of(done.getId(), failing.getId(), finishedElsewhere.getId()));
		assertThat(tasks.get(done.getId()).getResult()).isEqualTo(1);
		assertThat(tasks.get(failing.getId())).isEqualTo(retrying);
		assertThat(tasks.get(finishedElsewhere.getId()).getResult()).isEqualTo("elsewhere");
		assertThat(this.backend.getScheduled(this.queue)).containsExactly(retrying);
		assertThat(this.backend.getStats(this.queue)).isEqualTo(new QueueStats(0, 2, 1));
		assertThat(this.backend.pop(this.queue, 10, null)).isEmpty();
		assertThat(this.backend.getResults(this.queue, List.of(done.getId()), null)).containsKey(done.getId());
	}

	@Test
	void storeResultsOfAnOutcomeThatCannotBeWrittenStoresNoneOfThem() {
		Task<Object> first = task(1);
		Task<Object> second = task(2);
		this.backend.append(this.queue, List.of(first, second), true);
		List<TaskDelivery> deliveries = this.backend.pop(this.queue, 2, null);

		assertThatExceptionOfType(InvalidTaskException.class).isThrownBy(() -> this.backend.storeResults(this.queue,
				List.of(new TaskDelivery(completed(first, 1), deliveries.get(0).deliveryId()),
						new TaskDelivery(completed(second, new Unwritable()), deliveries.get(1).deliveryId()))));

		assertThat(this.backend.size(this.queue)).isEqualTo(2);
		assertThat(this.backend.getStats(this.queue).completed()).isZero();
		assertThat(this.backend.getTasks(this.queue, List.of(first.getId())).get(first.getId()).getStatus())
			.isEqualTo(TaskStatus.PROCESSING);
	}

	@Test
	void storeResultDoesNotOverwriteACancelledTask() {
		Task<Object> task = addOne();
		assertThat(this.backend.cancel(this.queue, task.getId())).isPresent();
		assertThat(this.backend.storeResult(this.queue, completed(task, 3), null)).isFalse();
		Task<Object> stored = this.backend.getTasks(this.queue, List.of(task.getId())).get(task.getId());
		assertThat(stored.getStatus()).isEqualTo(TaskStatus.CANCELLED);
		assertThat(stored.getResult()).isNull();
		assertThat(this.backend.getStats(this.queue).completed()).isEqualTo(1);
	}

	@Test
	void storeResultOfAMissingTaskReturnsFalse() {
		Task<Object> task = task(1);
		assertThat(this.backend.storeResult(this.queue, completed(task, 3), null)).isFalse();
		assertThat(this.backend.getTasks(this.queue, List.of(task.getId()))).isEmpty();
		assertThat(this.backend.getStats(this.queue).completed()).isZero();
	}

	@Test
	void storeResultOverAFinishedTaskIsRefusedButStillRemovesTheDelivery() {
		Task<Object> task = addOne();
		TaskDelivery delivery = this.backend.pop(this.queue, 1, null).get(0);
		assertThat(this.backend.storeResult(this.queue, completed(task, 3), null)).isTrue();
		assertThat(this.backend.storeResult(this.queue, failed(task), delivery.deliveryId())).isFalse();
		assertThat(this.backend.size(this.queue)).isZero();
		Task<Object> stored = this.backend.getTasks(this.queue, List.of(task.getId())).get(task.getId());
		assertThat(stored.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(stored.getResult()).isEqualTo(3);
		assertThat(this.backend.getStats(this.queue).completed()).isEqualTo(1);
	}

	// time to live

	@Test
	void completedTaskIsKeptForItsTtl() {
		Task<Object> task = addOne(TaskConfig.DEFAULT.withTtl(Ttl.ofSeconds(60)));
		this.backend.storeResult(this.queue, completed(task, 1), null);
		assertThat(storedTtl(this.queue, task.getId())).hasValueSatisfying(about(Duration.ofSeconds(60)));
	}

	@Test
	void failedTaskIsKeptForItsErrorTtl() {
		Task<Object> task = addOne(TaskConfig.DEFAULT.withTtl(Ttl.ofSeconds(60)).withErrorTtl(Ttl.ofSeconds(10)));
		this.backend.storeResult(this.queue, failed(task), null);
		assertThat(storedTtl(this.queue, task.getId())).hasValueSatisfying(about(Duration.ofSeconds(10)));
	}

	@Test
	void failedTaskWithAnInheritedErrorTtlIsKeptForItsTtl() {
		Task<Object> task = addOne(TaskConfig.DEFAULT.withTtl(Ttl.ofSeconds(60)).withErrorTtl(Ttl.INHERIT));
		this.backend.storeResult(this.queue, failed(task), null);
		assertThat(storedTtl(this.queue, task.getId())).hasValueSatisfying(about(Duration.ofSeconds(60)));
	}

	@Test
	void completedTaskWithTtlNeverIsKeptUntilDeleted() {
		Task<Object> task = addOne(TaskConfig.DEFAULT.withTtl(Ttl.NEVER));
		this.backend.storeResult(this.queue, completed(task, 1), null);
		assertThat(storedTtl(this.queue, task.getId())).isEmpty();
		assertThat(this.backend.getTasks(this.queue, List.of(task.getId()))).containsKey(task.getId());
	}

	@Test
	void completedTaskWithAnInheritedTtlIsKeptForTheDefaultOf30Days() {
		Task<Object> task = addOne();
		this.backend.storeResult(this.queue, completed(task, 1), null);
		assertThat(storedTtl(this.queue, task.getId())).hasValueSatisfying(about(Duration.ofDays(30)));
	}

	@Test
	void unfinishedTaskHasNoTtl() {
		Task<Object> task = addOne(TaskConfig.DEFAULT.withTtl(Ttl.ofSeconds(60)).withErrorTtl(Ttl.ofSeconds(10)));
		assertThat(storedTtl(this.queue, task.getId())).isEmpty();
		TaskDelivery delivery = this.backend.pop(this.queue, 1, null).get(0);
		this.backend.storeResult(this.queue, retrying(task), delivery.deliveryId());
		assertThat(storedTtl(this.queue, task.getId())).isEmpty();
		Task<Object> scheduled = scheduled(task(2)).mutate().config(task.getConfig()).build();
		this.backend.schedule(this.queue, scheduled, DUE, true);
		assertThat(storedTtl(this.queue, scheduled.getId())).isEmpty();
	}

	@Test
	void cancelledTaskIsKeptForItsErrorTtl() {
		Task<Object> task = addOne(TaskConfig.DEFAULT.withErrorTtl(Ttl.ofSeconds(10)));
		this.backend.cancel(this.queue, task.getId());
		assertThat(storedTtl(this.queue, task.getId())).hasValueSatisfying(about(Duration.ofSeconds(10)));
	}

	// cancel

	@Test
	void cancelOfAQueuedTaskFinishesItAndTakesItOffTheQueue() {
		Task<Object> task = task(1);
		Task<Object> other = task(2);
		this.backend.append(this.queue, List.of(task, other), true);
		Optional<Task<Object>> cancelled = this.backend.cancel(this.queue, task.getId());
		assertThat(cancelled).hasValueSatisfying((found) -> {
			assertThat(found.getId()).isEqualTo(task.getId());
			assertThat(found.getStatus()).isEqualTo(TaskStatus.CANCELLED);
			assertThat(found.getFinishedAt()).isNotNull();
			assertThat(found.getSpec()).isEqualTo(task.getSpec());
		});
		assertThat(this.backend.size(this.queue)).isEqualTo(1);
		assertThat(this.backend.pop(this.queue, 10, null)).extracting(TaskDelivery::task).containsExactly(taken(other));
		assertThat(this.backend.getResults(this.queue, List.of(task.getId()), null))
			.containsExactly(Map.entry(task.getId(), cancelled.get()));
		assertThat(this.backend.getStats(this.queue).completed()).isEqualTo(1);
	}

	@Test
	void cancelWakesUpAWaiterForTheTask() {
		Task<Object> task = addOne();
		Future<Map<UUID, Task<Object>>> results = inBackground(
				() -> this.backend.getResults(this.queue, List.of(task.getId()), Duration.ZERO));
		assertBlocked(results);
		this.backend.cancel(this.queue, task.getId());
		assertThat(results).succeedsWithin(Duration.ofSeconds(5))
			.satisfies((found) -> assertThat(found.get(task.getId()).getStatus()).isEqualTo(TaskStatus.CANCELLED));
	}

	@Test
	void cancelOfAScheduledTaskTakesItOffTheSchedule() {
		Task<Object> task = scheduled(task(1));
		this.backend.schedule(this.queue, task, DUE, true);
		assertThat(this.backend.cancel(this.queue, task.getId()))
			.hasValueSatisfying((found) -> assertThat(found.getStatus()).isEqualTo(TaskStatus.CANCELLED));
		assertThat(this.backend.getScheduled(this.queue)).isEmpty();
		assertThat(this.backend.nextScheduledAt(this.queue)).isEmpty();
		assertThat(this.backend.popScheduled(this.queue, DUE.plusSeconds(60), 10)).isEmpty();
		assertThat(this.backend.size(this.queue)).isZero();
		assertThat(this.backend.getStats(this.queue)).isEqualTo(new QueueStats(0, 1, 0));
	}

	@Test
	void cancelOfATaskWaitingForARetryTakesItOffTheSchedule() {
		Task<Object> task = addOne();
		TaskDelivery delivery = this.backend.pop(this.queue, 1, null).get(0);
		Task<Object> retrying = retrying(task);
		this.backend.storeResult(this.queue, retrying, delivery.deliveryId());
		assertThat(this.backend.schedule(this.queue, retrying, DUE, false)).isTrue();
		assertThat(this.backend.cancel(this.queue, task.getId()))
			.hasValueSatisfying((found) -> assertThat(found.getStatus()).isEqualTo(TaskStatus.CANCELLED));
		assertThat(this.backend.getScheduled(this.queue)).isEmpty();
		assertThat(this.backend.popScheduled(this.queue, DUE, 10)).isEmpty();
	}

	@Test
	void cancelOfATaskThatAWorkerTookReturnsEmpty() {
		Task<Object> task = addOne();
		this.backend.pop(this.queue, 1, null);
		assertThat(this.backend.cancel(this.queue, task.getId())).isEmpty();
		assertThat(this.backend.getTasks(this.queue, List.of(task.getId())).get(task.getId())).isEqualTo(taken(task));
		assertThat(this.backend.getStats(this.queue).completed()).isZero();
	}

	@Test
	void cancelOfAFinishedOrUnknownTaskReturnsEmpty() {
		assertThat(this.backend.cancel(this.queue, UUID.randomUUID())).isEmpty();
		Task<Object> cancelled = addOne();
		assertThat(this.backend.cancel(this.queue, cancelled.getId())).isPresent();
		assertThat(this.backend.cancel(this.queue, cancelled.getId())).isEmpty();
		Task<Object> done = addOne();
		TaskDelivery delivery = this.backend.pop(this.queue, 1, null).get(0);
		this.backend.storeResult(this.queue, completed(done, 1), delivery.deliveryId());
		assertThat(this.backend.cancel(this.queue, done.getId())).isEmpty();
		assertThat(this.backend.getTasks(this.queue, List.of(done.getId())).get(done.getId()).getStatus())
			.isEqualTo(TaskStatus.COMPLETED);
		assertThat(this.backend.getStats(this.queue).completed()).isEqualTo(2);
	}

	// retry

	@Test
	void retryOfACompletedFailedOrCancelledTaskQueuesItAgainWithoutTimeToLive() {
		Task<Object> completed = addOne();
		Task<Object> failed = addOne();
		Task<Object> cancelled = addOne();
		List<TaskDelivery> deliveries = this.backend.pop(this.queue, 2, null);
		this.backend.storeResult(this.queue, completed(completed, 3), deliveries.get(0).deliveryId());
		this.backend.storeResult(this.queue, failed(failed), deliveries.get(1).deliveryId());
		assertThat(this.backend.cancel(this.queue, cancelled.getId())).isPresent();
		assertThat(this.backend.size(this.queue)).isZero();
		List<Task<Object>> again = new ArrayList<>();
		for (Task<Object> task : List.of(completed, failed, cancelled)) {
			assertThat(storedTtl(this.queue, task.getId())).as(task.getId().toString()).isPresent();
			Task<Object> retried = task.mutate().status(TaskStatus.PENDING).retryCount(1).build();
			assertThat(this.backend.retry(this.queue, retried, null)).as(task.getId().toString()).isTrue();
			again.add(retried);
		}

		assertThat(this.backend.size(this.queue)).isEqualTo(3);
		assertThat(this.backend.getTasks(this.queue, again.stream().map(Task::getId).toList()).values())
			.containsExactlyElementsOf(again);
		for (Task<Object> task : again) {
			assertThat(storedTtl(this.queue, task.getId())).as(task.getId().toString()).isEmpty();
		}
		assertThat(this.backend.getResults(this.queue, again.stream().map(Task::getId).toList(), null)).isEmpty();
		assertThat(this.backend.pop(this.queue, 10, null)).extracting(TaskDelivery::task)
			.containsExactlyElementsOf(again.stream().map(BackendContractTests::taken).toList());
		assertThat(this.backend.getScheduled(this.queue)).isEmpty();
	}

	@Test
	void retryWithATimeSchedulesAFinishedTask() {
		Task<Object> task = addOne();
		this.backend.storeResult(this.queue, failed(task), this.backend.pop(this.queue, 1, null).get(0).deliveryId());
		Task<Object> retried = scheduled(task);

		assertThat(this.backend.retry(this.queue, retried, DUE)).isTrue();

		assertThat(this.backend.size(this.queue)).isZero();
		assertThat(this.backend.pop(this.queue, 10, null)).isEmpty();
		assertThat(this.backend.getScheduled(this.queue)).containsExactly(retried);
		assertThat(this.backend.nextScheduledAt(this.queue)).contains(DUE);
		assertThat(storedTtl(this.queue, task.getId())).isEmpty();
		assertThat(this.backend.popScheduled(this.queue, DUE.minusMillis(1), 10)).isEmpty();
		assertThat(this.backend.popScheduled(this.queue, DUE, 10)).containsExactly(pending(retried));
		assertThat(this.backend.pop(this.queue, 10, null)).extracting(TaskDelivery::task)
			.containsExactly(taken(pending(retried)));
	}

	@Test
	void retryOfAFinishedTaskThatIsStillInTheScheduleQueuesItOnlyOnce() {
		Task<Object> task = scheduled(task(1));
		this.backend.schedule(this.queue, task, DUE, true);
		this.backend.storeResult(this.queue, completed(task, 1), null);
		Task<Object> retried = pending(task);

		assertThat(this.backend.retry(this.queue, retried, null)).isTrue();

		assertThat(this.backend.getScheduled(this.queue)).isEmpty();
		assertThat(this.backend.popScheduled(this.queue, DUE, 10)).isEmpty();
		assertThat(this.backend.pop(this.queue, 10, null)).extracting(TaskDelivery::task)
			.containsExactly(taken(retried));
	}

	@Test
	void retryOfAnUnfinishedTaskIsRefusedAndChangesNothing() {
		Task<Object> fresh = addOne();
		Task<Object> promoted = scheduled(task(2));
		this.backend.schedule(this.queue, promoted, DUE.minusSeconds(10), true);
		this.backend.popScheduled(this.queue, DUE, 10);
		Task<Object> waiting = scheduled(task(3));
		this.backend.schedule(this.queue, waiting, DUE, true);
		Task<Object> retrying = addOne();
		this.backend.pop(this.queue, 10, null).stream()
			.filter((delivery) -> delivery.task().getId().equals(retrying.getId()))
			.forEach((delivery) -> this.backend.storeResult(this.queue, retrying(retrying, DUE.plusSeconds(5)),
					delivery.deliveryId()));
		List<UUID> ids = List.of(fresh.getId(), promoted.getId(), waiting.getId(), retrying.getId());
		Map<UUID, Task<Object>> before = this.backend.getTasks(this.queue, ids);
		assertThat(before.values()).extracting(Task::getStatus)
			.containsExactly(TaskStatus.PROCESSING, TaskStatus.PROCESSING, TaskStatus.SCHEDULED, TaskStatus.RETRYING);
		long size = this.backend.size(this.queue);

		for (Task<Object> task : before.values()) {
			Task<Object> retried = task.mutate().status(TaskStatus.PENDING).retryCount(7).build();
			assertThat(this.backend.retry(this.queue, retried, null)).as(task.getStatus().toString()).isFalse();
			assertThat(this.backend.retry(this.queue, retried, DUE.minusSeconds(60))).as(task.getStatus().toString())
				.isFalse();
		}

		assertThat(this.backend.getTasks(this.queue, ids)).isEqualTo(before);
		assertThat(this.backend.size(this.queue)).isEqualTo(size);
		assertThat(this.backend.getScheduled(this.queue)).extracting(Task::getId)
			.containsExactly(waiting.getId(), retrying.getId());
		assertThat(this.backend.nextScheduledAt(this.queue)).contains(DUE);
	}

	@Test
	void retryOfAnUnknownTaskReturnsFalse() {
		Task<Object> task = pending(task(1));
		assertThat(this.backend.retry(this.queue, task, null)).isFalse();
		assertThat(this.backend.retry(this.queue, task, DUE)).isFalse();
		assertThat(this.backend.getTasks(this.queue, List.of(task.getId()))).isEmpty();
		assertThat(this.backend.size(this.queue)).isZero();
		assertThat(this.backend.getScheduled(this.queue)).isEmpty();
	}

	@Test
	void retryRejectsAFinishedState() {
		Task<Object> task = addOne();
		this.backend.storeResult(this.queue, failed(task), null);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.backend.retry(this.queue, completed(task, 1), null))
			.withMessageContaining("finished");
		assertThat(this.backend.getTasks(this.queue, List.of(task.getId())).get(task.getId()).getStatus())
			.isEqualTo(TaskStatus.FAILED);
	}

	@Test
	void whenFinishedAfterARetryWaitsForTheNewOutcome() {
		Task<Object> task = addOne();
		this.backend.storeResult(this.queue, failed(task), this.backend.pop(this.queue, 1, null).get(0).deliveryId());
		assertThat(this.backend.retry(this.queue, pending(task), null)).isTrue();

		CompletableFuture<Map<UUID, Task<Object>>> finished = this.backend.whenFinished(this.queue,
				List.of(task.getId()));
		assertBlocked(finished);
		TaskDelivery delivery = this.backend.pop(this.queue, 1, null).get(0);
		this.backend.storeResult(this.queue, completed(delivery.task(), "second"), delivery.deliveryId());

		assertThat(finished).succeedsWithin(Duration.ofSeconds(5)).satisfies((tasks) -> {
			assertThat(tasks.get(task.getId()).getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(tasks.get(task.getId()).getResult()).isEqualTo("second");
		});
		assertThat(this.backend.getStats(this.queue).completed()).isEqualTo(2);
	}

	// delete

	@Test
	void deleteRemovesAFinishedTask() {
		Task<Object> task = addOne();
		TaskDelivery delivery = this.backend.pop(this.queue, 1, null).get(0);
		this.backend.storeResult(this.queue, completed(task, 1), delivery.deliveryId());
		assertThat(this.backend.delete(this.queue, task.getId())).isTrue();
		assertThat(this.backend.getTasks(this.queue, List.of(task.getId()))).isEmpty();
		assertThat(this.backend.getAllTasks(this.queue)).isEmpty();
		assertThat(this.backend.delete(this.queue, task.getId())).isFalse();
	}

	@Test
	void deleteOfAnUnknownTaskReturnsFalse() {
		assertThat(this.backend.delete(this.queue, UUID.randomUUID())).isFalse();
	}

	@Test
	void deleteOfAnUnfinishedTaskIsRefused() {
		Task<Object> task = addOne();
		assertThatIllegalStateException().isThrownBy(() -> this.backend.delete(this.queue, task.getId()))
			.withMessageContaining(task.getId().toString());
		assertThat(this.backend.getTasks(this.queue, List.of(task.getId()))).containsKey(task.getId());
		assertThat(this.backend.size(this.queue)).isEqualTo(1);
	}

	// crons

	@Test
	void cronsCanBeAddedListedAndDeleted() {
		TaskCron reports = TaskCron.of("*/5 * * * *", TaskSpec.of("tests:report", "daily"), TaskConfig.DEFAULT);
		TaskCron sameReports = TaskCron.of("*/5 * * * *", TaskSpec.of("tests:report", "daily"), TaskConfig.DEFAULT);
		TaskCron cleanup = TaskCron.of("@hourly", TaskSpec.of("tests:cleanup"), TaskConfig.DEFAULT.withRetry(2));
		assertThat(this.backend.getCrons(this.queue)).isEmpty();
		assertThat(this.backend.addCron(this.queue, reports)).isTrue();
		assertThat(this.backend.addCron(this.queue, sameReports)).isFalse();
		assertThat(this.backend.addCron(this.queue, cleanup)).isTrue();
		assertThat(this.backend.getCrons(this.queue)).containsExactlyInAnyOrder(reports, cleanup);
		assertThat(this.backend.deleteCron(this.queue, sameReports.deterministicId())).isTrue();
		assertThat(this.backend.deleteCron(this.queue, reports.deterministicId())).isFalse();
		assertThat(this.backend.getCrons(this.queue)).containsExactly(cleanup);
	}

	// helpers

	/**
	 * Queue two tasks and take both, holding the second.
	 * @return the delivery of the second
	 */
	private TaskDelivery takeHoldingSecond(Task<Object> first, Task<Object> second) {
		this.backend.append(this.queue, List.of(first, second), true);
		TaskDelivery held = this.backend.pop(this.queue, 2, 1, null).get(1);
		assertThat(held.held()).isTrue();
		return held;
	}

	private Task<Object> stored(Task<Object> task) {
		return this.backend.getTasks(this.queue, List.of(task.getId())).get(task.getId());
	}

	private Task<Object> addOne() {
		return addOne(TaskConfig.DEFAULT);
	}

	private Task<Object> addOne(TaskConfig config) {
		Task<Object> task = Task.builder(TaskSpec.of("tests:add", 1, 2)).config(config).build();
		assertThat(this.backend.append(this.queue, List.of(task), true)).containsExactly(true);
		return task;
	}

	/**
	 * Make the first wait for schedule changes of the queue, which may return {@code true} at once (a Redis backend
	 * subscribes the queue's channel and cannot know what was published before), so that later waits see only the
	 * changes that follow.
	 */
	private void startAwaitingScheduleChanges() {
		this.backend.awaitScheduleChange(this.queue, Duration.ZERO);
	}

	private <T> Future<T> inBackground(Supplier<T> action) {
		return this.executor.submit(action::get);
	}

	/**
	 * Assert that a call in the background is still waiting a while after it started.
	 */
	private static void assertBlocked(Future<?> call) {
		await().during(BLOCKED).atMost(BLOCKED.multipliedBy(5)).until(() -> !call.isDone());
	}

	private static Consumer<Duration> about(Duration expected) {
		return (ttl) -> assertThat(ttl).isBetween(expected.minusSeconds(10), expected);
	}

	private static Duration since(long startNanos) {
		return Duration.ofNanos(System.nanoTime() - startNanos);
	}

	static Task<Object> task(@Nullable Object argument) {
		return Task.builder(TaskSpec.of("tests:run", argument)).build();
	}

	static Task<Object> scheduled(Task<Object> task) {
		return task.mutate().status(TaskStatus.SCHEDULED).scheduledAt(DUE).build();
	}

	/**
	 * Return a task as a worker takes it from the queue: marked as processing.
	 */
	static Task<Object> taken(Task<Object> task) {
		return task.mutate().status(TaskStatus.PROCESSING).build();
	}

	static Task<Object> pending(Task<Object> task) {
		return task.mutate().status(TaskStatus.PENDING).build();
	}

	static Task<Object> completed(Task<Object> task, @Nullable Object result) {
		return task.mutate().status(TaskStatus.COMPLETED).result(result).finishedAt(Task.now()).build();
	}

	static Task<Object> failed(Task<Object> task) {
		return task.mutate()
			.status(TaskStatus.FAILED)
			.exception(TaskException.of(new IllegalStateException("boom")))
			.finishedAt(Task.now())
			.build();
	}

	static Task<Object> retrying(Task<Object> task) {
		return retrying(task, Task.now().plusSeconds(1));
	}

	static Task<Object> retrying(Task<Object> task, Instant nextRetryAt) {
		return task.mutate()
			.status(TaskStatus.RETRYING)
			.exception(TaskException.of(new IllegalStateException("boom")))
			.retryCount(task.getRetryCount() + 1)
			.lastRetryAt(Task.now())
			.nextRetryAt(nextRetryAt)
			.build();
	}

	/**
	 * A value that Jackson writes as an object.
	 */
	public record Point(int x, int y) {

	}

	/**
	 * A value that cannot be written as JSON.
	 */
	public static final class Unwritable {

		public String getValue() {
			throw new IllegalStateException("Cannot be written");
		}

	}

}
