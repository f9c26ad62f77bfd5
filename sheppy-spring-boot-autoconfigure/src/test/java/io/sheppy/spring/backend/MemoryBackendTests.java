package io.sheppy.spring.backend;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskConfig;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskSpec;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.core.Ttl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link MemoryBackend}: the {@linkplain BackendContractTests backend contract} and what only an in-memory
 * backend can show, such as records expiring on a clock the test controls.
 *
 * @author Sheppy for Spring
 */
class MemoryBackendTests extends BackendContractTests {

	private MemoryBackend memoryBackend;

	@Override
	protected Backend createBackend() {
		this.memoryBackend = new MemoryBackend();
		return this.memoryBackend;
	}

	@Override
	protected Optional<Duration> storedTtl(String queue, UUID taskId) {
		return this.memoryBackend.timeToLive(queue, taskId);
	}

	@Override
	protected int waitingFutures(String queue) {
		return this.memoryBackend.waiterCount(queue);
	}

	@Test
	void expiredTaskVanishesFromEveryView() {
		MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
		MemoryBackend backend = new MemoryBackend(new TaskJson(), TtlPolicy.DEFAULT, clock);
		Task<Object> task = Task.builder(TaskSpec.of("tests:add", 1, 2))
			.config(TaskConfig.DEFAULT.withTtl(Ttl.ofSeconds(60)))
			.build();
		backend.append(this.queue, List.of(task), true);
		TaskDelivery delivery = backend.pop(this.queue, 1, null).get(0);
		backend.storeResult(this.queue, completed(task, 3), delivery.deliveryId());

		clock.advance(Duration.ofSeconds(59));
		assertThat(backend.timeToLive(this.queue, task.getId())).contains(Duration.ofSeconds(1));
		assertThat(backend.getResults(this.queue, List.of(task.getId()), null)).containsOnlyKeys(task.getId());

		clock.advance(Duration.ofSeconds(1));
		assertThat(backend.getTasks(this.queue, List.of(task.getId()))).isEmpty();
		assertThat(backend.getAllTasks(this.queue)).isEmpty();
		assertThat(backend.getResults(this.queue, List.of(task.getId()), null)).isEmpty();
		assertThat(backend.delete(this.queue, task.getId())).isFalse();
		assertThat(backend.clear(this.queue)).isZero();
		assertThat(backend.append(this.queue, List.of(task), true)).containsExactly(true);
	}

	@Test
	void backendTtlPolicyDecidesForTasksThatInheritIt() {
		MemoryBackend backend = new MemoryBackend(new TaskJson(),
				new TtlPolicy(Ttl.ofSeconds(100), Ttl.ofSeconds(5)), Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
		Task<Object> completed = task(1);
		Task<Object> failed = task(2);
		backend.append(this.queue, List.of(completed, failed), true);
		backend.storeResult(this.queue, completed(completed, 1), null);
		backend.storeResult(this.queue, failed(failed), null);
		assertThat(backend.timeToLive(this.queue, completed.getId())).contains(Duration.ofSeconds(100));
		assertThat(backend.timeToLive(this.queue, failed.getId())).contains(Duration.ofSeconds(5));
	}

	@Test
	void deliveryIdsIncreaseLikeRedisStreamIdsAlsoWhenTheClockStandsStillOrGoesBack() {
		MutableClock clock = new MutableClock(Instant.ofEpochMilli(5_000));
		MemoryBackend backend = new MemoryBackend(new TaskJson(), TtlPolicy.DEFAULT, clock);
		backend.append(this.queue, List.of(task(1), task(2)), true);
		clock.advance(Duration.ofMillis(-1_000));
		backend.append(this.queue, List.of(task(3)), true);
		clock.advance(Duration.ofMillis(2_000));
		backend.append(this.queue, List.of(task(4)), true);
		assertThat(backend.pop(this.queue, 10, null)).extracting(TaskDelivery::deliveryId)
			.containsExactly("5000-0", "5000-1", "5000-2", "6000-0");
	}

	@Test
	void cancelOfATaskQueuedTwiceTakesTheEntryThatNoWorkerClaimed() {
		Task<Object> task = task(1);
		this.backend.append(this.queue, List.of(task), true);
		this.backend.append(this.queue, List.of(task), false);
		TaskDelivery first = this.backend.pop(this.queue, 1, null).get(0);
		assertThat(this.backend.cancel(this.queue, task.getId())).isPresent();
		assertThat(this.backend.pop(this.queue, 10, null)).isEmpty();
		assertThat(this.backend.getPending(this.queue, 10)).containsExactly(task);
		this.backend.acknowledge(this.queue, List.of(first.deliveryId()));
		assertThat(this.backend.size(this.queue)).isZero();
	}

	@Test
	void interruptedPopReturnsNothingAndKeepsTheInterrupt() {
		AtomicReference<List<TaskDelivery>> popped = new AtomicReference<>();
		AtomicBoolean interrupted = new AtomicBoolean();
		Thread worker = new Thread(() -> {
			popped.set(this.backend.pop(this.queue, 1, Duration.ofSeconds(30)));
			interrupted.set(Thread.currentThread().isInterrupted());
		});
		worker.start();
		await().atMost(Duration.ofSeconds(5)).until(() -> worker.getState() == Thread.State.TIMED_WAITING);
		worker.interrupt();
		await().atMost(Duration.ofSeconds(5)).until(() -> popped.get() != null);
		assertThat(popped.get()).isEmpty();
		assertThat(interrupted).isTrue();
		assertThat(this.backend.append(this.queue, List.of(task(1)), true)).containsExactly(true);
		assertThat(this.backend.pop(this.queue, 1, null)).hasSize(1);
	}

	/**
	 * A clock that a test moves by hand.
	 */
	static final class MutableClock extends Clock {

		private final AtomicReference<Instant> now;

		MutableClock(Instant now) {
			this.now = new AtomicReference<>(now);
		}

		void advance(Duration duration) {
			this.now.updateAndGet((instant) -> instant.plus(duration));
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return this.now.get();
		}

	}

}
