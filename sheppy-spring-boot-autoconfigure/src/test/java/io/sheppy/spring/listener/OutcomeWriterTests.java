package io.sheppy.spring.listener;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.backend.MemoryBackend;
import io.sheppy.spring.backend.TaskDelivery;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskSpec;
import io.sheppy.spring.core.TaskStatus;

import org.springframework.util.backoff.FixedBackOff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link OutcomeWriter}: outcomes are stored in batches by the writer's own thread, each callback runs once
 * its outcome is stored, and the writer never holds more than its backlog.
 *
 * @author Sheppy for Spring
 */
class OutcomeWriterTests {

	private static final String QUEUE = "outcomes";

	private final MemoryBackend memory = new MemoryBackend();

	/** The sizes of the batches the writer stored, in order. */
	private final List<Integer> batches = new CopyOnWriteArrayList<>();

	/** The deliveries the writer marked as started, by call. */
	private final List<List<String>> marked = new CopyOnWriteArrayList<>();

	/** Holds the first batch in the backend until it is counted down. */
	private final CountDownLatch firstBatchHeld = new CountDownLatch(1);

	private final CountDownLatch releaseFirstBatch = new CountDownLatch(1);

	private OutcomeWriter writer;

	@AfterEach
	void stopWriter() {
		this.releaseFirstBatch.countDown();
		if (this.writer != null) {
			this.writer.stop();
		}
	}

	@Test
	void outcomesSubmittedWhileABatchIsStoredAreStoredTogetherAndEachCallbackRunsOnceItsOutcomeIsStored() {
		this.writer = new OutcomeWriter(holdingFirstBatch(), QUEUE, new FixedBackOff(10, 3));
		this.writer.start();
		List<TaskDelivery> deliveries = deliver(11);
		AtomicInteger stored = new AtomicInteger();

		submit(deliveries.get(0), stored);
		awaitHeld();
		deliveries.subList(1, 11).forEach((delivery) -> submit(delivery, stored));
		assertThat(stored).hasValue(0);
		this.releaseFirstBatch.countDown();

		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(stored).hasValue(11));
		assertThat(this.batches).containsExactly(1, 10);
		assertThat(this.memory.getResults(QUEUE, ids(deliveries), null)).hasSize(11)
			.allSatisfy((id, task) -> assertThat(task.getStatus()).isEqualTo(TaskStatus.COMPLETED));
		assertThat(this.memory.size(QUEUE)).isZero();
	}

	@Test
	void anOutcomeBeyondTheBacklogIsStoredByTheThreadThatSubmitsIt() {
		this.writer = new OutcomeWriter(holdingFirstBatch(), QUEUE, new FixedBackOff(10, 3), 2);
		this.writer.start();
		List<TaskDelivery> deliveries = deliver(3);
		AtomicInteger stored = new AtomicInteger();
		submit(deliveries.get(0), stored);
		awaitHeld();
		submit(deliveries.get(1), stored);

		submit(deliveries.get(2), stored);

		assertThat(stored).as("stored by the submitting thread at once").hasValue(1);
		assertThat(this.memory.getResults(QUEUE, ids(deliveries), null)).containsOnlyKeys(deliveries.get(2).task()
			.getId());
		this.releaseFirstBatch.countDown();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(stored).hasValue(3));
	}

	@Test
	void stopStoresWhatWasSubmittedAndLaterOutcomesAreStoredByTheirThreads() {
		this.writer = new OutcomeWriter(holdingFirstBatch(), QUEUE, new FixedBackOff(10, 3));
		this.writer.start();
		List<TaskDelivery> deliveries = deliver(4);
		AtomicInteger stored = new AtomicInteger();
		submit(deliveries.get(0), stored);
		awaitHeld();
		deliveries.subList(1, 3).forEach((delivery) -> submit(delivery, stored));
		this.releaseFirstBatch.countDown();

		this.writer.stop();

		assertThat(stored).hasValue(3);
		submit(deliveries.get(3), stored);
		assertThat(stored).hasValue(4);
		assertThat(this.memory.getResults(QUEUE, ids(deliveries), null)).hasSize(4);
	}

	@Test
	void heldTasksThatStartedAreMarkedWithTheNextBatchUnlessTheirOutcomeIsInIt() {
		this.writer = new OutcomeWriter(holdingFirstBatch(), QUEUE, new FixedBackOff(10, 3));
		this.writer.start();
		List<Task<Object>> tasks = IntStream.range(0, 3)
			.mapToObj((i) -> Task.builder(TaskSpec.of("tests:run", i)).build())
			.toList();
		this.memory.append(QUEUE, tasks, true);
		List<TaskDelivery> deliveries = this.memory.pop(QUEUE, 3, 2, null);
		AtomicInteger stored = new AtomicInteger();
		submit(deliveries.get(0), stored);
		awaitHeld();

		this.writer.started(deliveries.get(1));
		this.writer.started(deliveries.get(2));
		submit(deliveries.get(2), stored);
		this.releaseFirstBatch.countDown();

		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(stored).hasValue(2));
		assertThat(this.marked).containsExactly(List.of(deliveries.get(1).deliveryId()));
		Map<UUID, Task<Object>> states = this.memory.getTasks(QUEUE, ids(deliveries));
		assertThat(tasks).extracting((task) -> states.get(task.getId()).getStatus())
			.containsExactly(TaskStatus.COMPLETED, TaskStatus.PROCESSING, TaskStatus.COMPLETED);
	}

	private void submit(TaskDelivery delivery, AtomicInteger stored) {
		Task<Object> outcome = delivery.task().mutate().status(TaskStatus.COMPLETED).result(1)
			.finishedAt(Task.now()).build();
		this.writer.submit(outcome, delivery.deliveryId(), stored::incrementAndGet);
	}

	private List<TaskDelivery> deliver(int count) {
		List<Task<Object>> tasks = IntStream.range(0, count)
			.mapToObj((i) -> Task.builder(TaskSpec.of("tests:run", i)).build())
			.toList();
		this.memory.append(QUEUE, tasks, true);
		return this.memory.pop(QUEUE, count, null);
	}

	private void awaitHeld() {
		try {
			assertThat(this.firstBatchHeld.await(10, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static List<UUID> ids(List<TaskDelivery> deliveries) {
		return deliveries.stream().map((delivery) -> delivery.task().getId()).toList();
	}

	/**
	 * Return the memory backend, seen through a proxy that records the size of each batch of outcomes and the tasks
	 * marked as started, and holds the first batch of outcomes until the test lets it go.
	 */
	private Backend holdingFirstBatch() {
		return (Backend) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Backend.class },
				(proxy, method, args) -> {
					if (method.getName().equals("markStarted")) {
						this.marked.add(((Collection<?>) args[1]).stream()
							.map((delivery) -> ((TaskDelivery) delivery).deliveryId())
							.toList());
					}
					if (method.getName().equals("storeResults")) {
						this.batches.add(((List<?>) args[1]).size());
						if (this.batches.size() == 1) {
							this.firstBatchHeld.countDown();
							this.releaseFirstBatch.await(10, TimeUnit.SECONDS);
						}
					}
					try {
						return method.invoke(this.memory, args);
					}
					catch (InvocationTargetException ex) {
						throw ex.getCause();
					}
				});
	}

}
