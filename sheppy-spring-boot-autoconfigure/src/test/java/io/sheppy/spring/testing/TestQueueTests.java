package io.sheppy.spring.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link TestQueue}: users' tasks run synchronously, in memory.
 */
class TestQueueTests {

	private final Tasks tasks = new Tasks();

	private final TestQueue queue = TestQueue.of(this.tasks);

	@Test
	void processNextRunsTheOldestTaskAndStoresItsResult() {
		Task<Integer> first = this.queue.task(Tasks::add, 1, 2);
		Task<Integer> second = this.queue.task(Tasks::add, 3, 4);
		this.queue.add(List.of(first, second));
		Task<Object> outcome = this.queue.processNext().orElseThrow();
		assertThat(outcome.getId()).isEqualTo(first.getId());
		assertThat(outcome.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(outcome.getResult()).isEqualTo(3);
		assertThat(this.queue.getTask(first).orElseThrow().getResult()).isEqualTo(3);
		assertThat(this.queue.getTask(second).orElseThrow().getStatus()).isEqualTo(TaskStatus.NEW);
		assertThat(this.queue.waitFor(first, Duration.ofSeconds(1)).getResult()).isEqualTo(3);
	}

	@Test
	void processNextOfAnEmptyQueueReturnsEmpty() {
		assertThat(this.queue.processNext()).isEmpty();
	}

	@Test
	void processAllRunsEveryQueuedTaskAlsoOfOtherQueuesAndRecordsFailures() {
		this.queue.add(this.queue.task(Tasks::add, 1, 1));
		this.queue.add(this.queue.task(Tasks::fail, "boom"));
		this.queue.add(this.queue.task(Tasks::count));
		List<Task<Object>> outcomes = this.queue.processAll();
		assertThat(outcomes).extracting(Task::getStatus)
			.containsExactlyInAnyOrder(TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.COMPLETED);
		assertThat(this.tasks.counted).hasValue(1);
		assertThat(this.queue.getProcessed()).hasSize(3);
		assertThat(this.queue.getFailed()).singleElement().satisfies((failed) -> {
			assertThat(failed.getName()).isEqualTo("tests:fail");
			assertThat(failed.getException().type()).isEqualTo("IllegalArgumentException");
			assertThat(failed.getException().message()).isEqualTo("boom");
		});
		assertThat(this.queue.processNext()).isEmpty();
	}

	@Test
	void taskOfAnUnknownNameFailsWithARecordThatSaysSo() {
		this.queue.add(this.queue.task("nowhere:to-be-found").args(1).build());
		Task<Object> outcome = this.queue.processNext().orElseThrow();
		assertThat(outcome.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(outcome.getException().message()).contains("No task named 'nowhere:to-be-found'");
	}

	@Test
	void processAllRetriesAFailedRunAtOnceWithoutWaitingForItsDelay() {
		Task<String> task = this.queue.task(Tasks::flaky, "second time lucky");
		this.queue.add(task);

		List<Task<Object>> outcomes = this.queue.processAll();

		assertThat(this.tasks.flakyRuns).hasValue(2);
		assertThat(outcomes).hasSize(2);
		assertThat(outcomes.get(0).getStatus()).isEqualTo(TaskStatus.RETRYING);
		assertThat(outcomes.get(0).getRetryCount()).isEqualTo(1);
		assertThat(outcomes.get(0).getException().message()).isEqualTo("first run of second time lucky");
		assertThat(outcomes.get(1).getStatus()).isEqualTo(TaskStatus.COMPLETED);
		Task<String> done = this.queue.getTask(task).orElseThrow();
		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(done.getResult()).isEqualTo("second time lucky");
		assertThat(done.getRetryCount()).isEqualTo(1);
		assertThat(done.getException()).isNull();
		assertThat(this.queue.getScheduled()).isEmpty();
		assertThat(this.queue.processNext()).isEmpty();
	}

	@Test
	void processScheduledRunsOnlyTheTasksDueAtTheGivenTime() {
		Instant now = Instant.now();
		Task<Integer> inAnHour = this.queue.task(Tasks::add, 1, 1);
		Task<Integer> inTwoHours = this.queue.task(Tasks::add, 2, 2);
		this.queue.schedule(inTwoHours, now.plus(Duration.ofHours(2)));
		this.queue.schedule(inAnHour, now.plus(Duration.ofHours(1)));

		assertThat(this.queue.processAll()).isEmpty();
		assertThat(this.queue.processScheduled(now.plus(Duration.ofMinutes(59)))).isEmpty();
		List<Task<Object>> ran = this.queue.processScheduled(now.plus(Duration.ofHours(1)));

		assertThat(ran).singleElement().satisfies((outcome) -> {
			assertThat(outcome.getId()).isEqualTo(inAnHour.getId());
			assertThat(outcome.getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(outcome.getResult()).isEqualTo(2);
		});
		assertThat(this.queue.getTask(inTwoHours).orElseThrow().getStatus()).isEqualTo(TaskStatus.SCHEDULED);
		assertThat(this.queue.getScheduled()).extracting(Task::getId).containsExactly(inTwoHours.getId());
		assertThat(this.queue.processScheduled(now.plus(Duration.ofHours(3)))).singleElement()
			.satisfies((outcome) -> assertThat(outcome.getResult()).isEqualTo(4));
		assertThat(this.queue.getScheduled()).isEmpty();
	}

	@Test
	void twoTasksOfOneNameAreRefused() {
		assertThatIllegalStateException().isThrownBy(() -> TestQueue.of(new Tasks(), new Tasks()))
			.withMessageContaining("Two tasks are named 'tests:add'");
	}

	static class Tasks {

		final AtomicInteger counted = new AtomicInteger();

		final AtomicInteger flakyRuns = new AtomicInteger();

		@SheppyTask("tests:add")
		int add(int x, int y) {
			return x + y;
		}

		@SheppyTask("tests:fail")
		void fail(String message) {
			throw new IllegalArgumentException(message);
		}

		@SheppyTask(name = "tests:flaky", retry = 2, retryDelay = "1h")
		String flaky(String value) {
			if (this.flakyRuns.incrementAndGet() == 1) {
				throw new IllegalStateException("first run of " + value);
			}
			return value;
		}

		@SheppyTask(name = "tests:count", queue = "other")
		int count() {
			return this.counted.incrementAndGet();
		}

	}

}
