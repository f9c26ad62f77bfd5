package io.sheppy.spring.queue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.sheppy.spring.test.redis.RedisServerTestConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskException;
import io.sheppy.spring.core.TaskNotFoundException;
import io.sheppy.spring.core.TaskStateException;
import io.sheppy.spring.core.TaskStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end tests of the manual operations of {@link TaskQueue} on a real Redis with a worker: retry of a finished
 * task, cancel of a task no worker has taken, and delete of a finished task. The worker runs one task at a time, so
 * that a task queued behind a running one stays unclaimed.
 *
 * @author Sheppy for Spring
 */
@SpringBootTest(classes = TaskQueueManualOperationsTests.WorkerApplication.class, properties = {
		"sheppy.queue=" + TaskQueueManualOperationsTests.QUEUE, "sheppy.worker.poll-timeout=250ms",
		"sheppy.worker.concurrency=1" })
@DirtiesContext
class TaskQueueManualOperationsTests {

	static final String QUEUE = "manual";

	/** A queue that no worker takes tasks from. */
	private static final String IDLE_QUEUE = "manual-idle";

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@Autowired
	private TaskQueue taskQueue;

	@Autowired
	private Backend backend;

	@BeforeEach
	void reset() {
		this.taskQueue.clear();
		this.taskQueue.queue(IDLE_QUEUE).clear();
		Jobs.reset();
	}

	@AfterEach
	void openTheGate() {
		Jobs.gate.countDown();
	}

	@Test
	void retryRunsAFailedTaskAgainAndKeepsItsRetryCount() {
		Task<String> task = this.taskQueue.task(Jobs::flaky, null, "finally");
		this.taskQueue.add(task);
		Task<String> failed = this.taskQueue.waitFor(task, TIMEOUT);
		assertThat(failed.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(failed.getRetryCount()).isEqualTo(1);
		Jobs.failing = false;
		Instant retried = Task.now();

		assertThat(this.taskQueue.retry(task)).isTrue();

		Task<String> done = this.taskQueue.waitFor(task, TIMEOUT);
		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(done.getResult()).isEqualTo("finally");
		assertThat(done.getRetryCount()).as("a manual retry does not count").isEqualTo(1);
		assertThat(done.getException()).isNull();
		assertThat(done.getLastRetryAt()).isAfterOrEqualTo(retried);
		assertThat(Jobs.runs(task)).hasSize(3);
	}

	@Test
	void retryRunsACancelledTaskAgain() {
		Task<String> task = this.taskQueue.task(Jobs::record, null, "after all");
		this.taskQueue.schedule(task, Duration.ofHours(1));
		assertThat(this.taskQueue.cancel(task).getStatus()).isEqualTo(TaskStatus.CANCELLED);

		assertThat(this.taskQueue.retry(task)).isTrue();

		Task<String> done = this.taskQueue.waitFor(task, TIMEOUT);
		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(done.getResult()).isEqualTo("after all");
		assertThat(done.getRetryCount()).isZero();
		assertThat(Jobs.runs(task)).hasSize(1);
		assertThat(this.taskQueue.getScheduled()).isEmpty();
	}

	@Test
	void retryRunsACrashedTaskAgain() {
		Task<String> task = this.taskQueue.task(Jobs::record, null, "recovered");
		this.taskQueue.schedule(task, Duration.ofHours(1));
		// as a worker records a task that it gave up when it stopped
		Task<Object> crashed = this.taskQueue.getTask(task.getId())
			.orElseThrow()
			.mutate()
			.status(TaskStatus.CRASHED)
			.exception(TaskException.of("WorkerShutdownException", "The worker stopped"))
			.finishedAt(Task.now())
			.build();
		assertThat(this.backend.storeResult(QUEUE, crashed, null)).isTrue();

		assertThat(this.taskQueue.retry(task)).isTrue();

		Task<String> done = this.taskQueue.waitFor(task, TIMEOUT);
		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(done.getResult()).isEqualTo("recovered");
		assertThat(Jobs.runs(task)).hasSize(1);
		assertThat(this.taskQueue.getScheduled()).as("not run a second time from the schedule").isEmpty();
	}

	@Test
	void retryAtAGivenTimeSchedulesTheTaskAndItRunsThen() {
		Task<String> task = this.taskQueue.task(Jobs::flaky, null, "later");
		this.taskQueue.add(task);
		assertThat(this.taskQueue.waitFor(task, TIMEOUT).getStatus()).isEqualTo(TaskStatus.FAILED);
		Jobs.failing = false;
		Instant at = Instant.now().plusMillis(400).truncatedTo(ChronoUnit.MICROS);

		assertThat(this.taskQueue.retry(task, at, false)).isTrue();

		Task<String> scheduled = this.taskQueue.getTask(task).orElseThrow();
		assertThat(scheduled.getStatus()).isEqualTo(TaskStatus.SCHEDULED);
		assertThat(scheduled.getFinishedAt()).isNull();
		assertThat(scheduled.getScheduledAt()).isEqualTo(at);
		assertThat(scheduled.getNextRetryAt()).isEqualTo(at);
		assertThat(this.taskQueue.getScheduled()).extracting(Task::getId).containsExactly(task.getId());
		Task<String> done = this.taskQueue.waitFor(task, TIMEOUT);
		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(done.getRetryCount()).isEqualTo(1);
		List<Instant> runs = Jobs.runs(task);
		assertThat(runs).hasSize(3);
		assertThat(runs.get(2)).isAfterOrEqualTo(at).isBefore(at.plusSeconds(1));
	}

	@Test
	void retryOfACompletedTaskIsRefusedUnlessForced() {
		Task<String> task = this.taskQueue.task(Jobs::record, null, "twice");
		this.taskQueue.add(task);
		assertThat(this.taskQueue.waitFor(task, TIMEOUT).getStatus()).isEqualTo(TaskStatus.COMPLETED);

		assertThatExceptionOfType(TaskStateException.class).isThrownBy(() -> this.taskQueue.retry(task))
			.withMessage("Task " + task.getId() + " (manual:record) has completed; retry it with force to run it "
					+ "again");
		assertThat(this.taskQueue.getTask(task).orElseThrow().getStatus()).isEqualTo(TaskStatus.COMPLETED);

		assertThat(this.taskQueue.retry(task, null, true)).isTrue();
		Task<String> again = this.taskQueue.waitFor(task, TIMEOUT);
		assertThat(again.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(again.getResult()).isEqualTo("twice");
		assertThat(Jobs.runs(task)).hasSize(2);
	}

	@Test
	void retryOfATaskThatHasNotFinishedIsRefusedAndChangesNothing() {
		TaskQueue idle = this.taskQueue.queue(IDLE_QUEUE);
		Task<Object> added = idle.task("manual:record").args(null, "new").build();
		idle.add(added);
		Task<Object> promoted = idle.task("manual:record").args(null, "pending").build();
		idle.schedule(promoted, Instant.now().minusSeconds(1));
		assertThat(this.backend.popScheduled(IDLE_QUEUE, Instant.now(), 10)).hasSize(1);
		Task<String> scheduled = this.taskQueue.task(Jobs::record, null, "scheduled");
		this.taskQueue.schedule(scheduled, Duration.ofHours(1));
		Task<String> retrying = this.taskQueue.task(Jobs::retryLater, null);
		this.taskQueue.add(retrying);
		await().atMost(TIMEOUT).until(() -> status(retrying) == TaskStatus.RETRYING);

		assertRetryRefused(retrying, "retrying");
		assertRetryRefused(added, "new");
		assertRetryRefused(promoted, "pending");
		assertRetryRefused(scheduled, "scheduled");

		assertThat(idle.size()).isEqualTo(2);
		assertThat(this.taskQueue.getScheduled()).extracting(Task::getId)
			.containsExactly(retrying.getId(), scheduled.getId());
		Task<String> done = this.taskQueue.waitFor(retrying, TIMEOUT);
		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(Jobs.runs(retrying)).hasSize(2);
	}

	@Test
	void retryOfATaskThatDoesNotExistReturnsFalse() {
		Task<String> unknown = this.taskQueue.task(Jobs::record, null, "never added");

		assertThat(this.taskQueue.retry(unknown)).isFalse();
		assertThat(this.taskQueue.retry(unknown, Instant.now().plusSeconds(1), true)).isFalse();
		assertThat(this.taskQueue.getTask(unknown)).isEmpty();
	}

	@Test
	void cancelOfAQueuedTaskNoWorkerTookMakesItCancelledWakesItsWaitersAndItNeverRuns() throws Exception {
		occupyTheWorker();
		Task<String> task = this.taskQueue.task(Jobs::record, null, "queued");
		this.taskQueue.add(task);

		assertCancelledBeforeItRan(task);
	}

	@Test
	void cancelOfAPromotedTaskNoWorkerTookMakesItCancelledWakesItsWaitersAndItNeverRuns() throws Exception {
		occupyTheWorker();
		Task<String> task = this.taskQueue.task(Jobs::record, null, "promoted");
		this.taskQueue.schedule(task, Duration.ofMillis(100));
		await().atMost(TIMEOUT).until(() -> status(task) == TaskStatus.PENDING);

		assertCancelledBeforeItRan(task);
	}

	@Test
	void cancelOfAScheduledTaskMakesItCancelledWakesItsWaitersAndItNeverRuns() throws Exception {
		Task<String> task = this.taskQueue.task(Jobs::record, null, "scheduled");
		this.taskQueue.schedule(task, Duration.ofMillis(300));

		assertCancelledBeforeItRan(task);
		assertThat(this.taskQueue.getScheduled()).isEmpty();
	}

	@Test
	void cancelOfATaskWaitingForItsRetryMakesItCancelledWakesItsWaitersAndItNeverRunsAgain() throws Exception {
		Task<String> task = this.taskQueue.task(Jobs::retryLater, null);
		this.taskQueue.add(task);
		await().atMost(TIMEOUT).until(() -> status(task) == TaskStatus.RETRYING);
		CompletableFuture<Task<String>> waiter = this.taskQueue.waitForAsync(task);
		CompletableFuture<Task<String>> blockedWaiter = CompletableFuture
			.supplyAsync(() -> this.taskQueue.waitFor(task, TIMEOUT));

		Task<String> cancelled = this.taskQueue.cancel(task);

		assertThat(cancelled.getStatus()).isEqualTo(TaskStatus.CANCELLED);
		assertThat(cancelled.getFinishedAt()).isNotNull();
		assertThat(cancelled.getRetryCount()).isEqualTo(1);
		assertThat(waiter).succeedsWithin(TIMEOUT).extracting(Task::getStatus).isEqualTo(TaskStatus.CANCELLED);
		assertThat(blockedWaiter).succeedsWithin(TIMEOUT).extracting(Task::getStatus).isEqualTo(TaskStatus.CANCELLED);
		assertThat(this.taskQueue.getScheduled()).isEmpty();
		// past the time of its retry
		Task<String> marker = this.taskQueue.task(Jobs::record, null, "marker");
		this.taskQueue.schedule(marker, cancelled.getNextRetryAt().plusMillis(200));
		assertThat(this.taskQueue.waitFor(marker, TIMEOUT).getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(Jobs.runs(task)).hasSize(1);
		assertThat(this.taskQueue.getTask(task).orElseThrow().getStatus()).isEqualTo(TaskStatus.CANCELLED);
	}

	@Test
	void cancelOfATaskAWorkerRunsIsRefusedAndTheTaskCompletes() {
		Task<String> running = occupyTheWorker();

		assertThatExceptionOfType(TaskStateException.class).isThrownBy(() -> this.taskQueue.cancel(running))
			.withMessage("Task " + running.getId() + " (manual:gated) was already taken by a worker and cannot be "
					+ "cancelled any more");

		Jobs.gate.countDown();
		Task<String> done = this.taskQueue.waitFor(running, TIMEOUT);
		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(done.getResult()).isEqualTo("opened");
	}

	@Test
	void cancelOfAFinishedTaskIsRefused() {
		Task<String> task = this.taskQueue.task(Jobs::record, null, "done");
		this.taskQueue.add(task);
		this.taskQueue.waitFor(task, TIMEOUT);

		assertThatExceptionOfType(TaskStateException.class).isThrownBy(() -> this.taskQueue.cancel(task))
			.withMessage("Task " + task.getId() + " (manual:record) has already finished (completed) and cannot be "
					+ "cancelled");
		assertThat(this.taskQueue.getTask(task).orElseThrow().getStatus()).isEqualTo(TaskStatus.COMPLETED);
	}

	@Test
	void cancelOfATaskThatDoesNotExistSaysSo() {
		Task<String> unknown = this.taskQueue.task(Jobs::record, null, "never added");

		assertThatExceptionOfType(TaskNotFoundException.class).isThrownBy(() -> this.taskQueue.cancel(unknown))
			.withMessage("There is no task " + unknown.getId() + " in queue '" + QUEUE + "'");
	}

	@Test
	void aTaskCancelledWhileAWorkerPollsEitherNeverRunsOrWasTakenNeverBoth() throws Exception {
		List<Task<String>> cancelled = new ArrayList<>();
		List<Task<String>> taken = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			Task<String> task = this.taskQueue.task(Jobs::record, null, "race " + i);
			CountDownLatch added = new CountDownLatch(1);
			CompletableFuture<Boolean> cancelling = CompletableFuture.supplyAsync(() -> {
				try {
					added.await();
					this.taskQueue.cancel(task);
					return true;
				}
				catch (TaskStateException ex) {
					assertThat(ex.getMessage()).containsAnyOf("already taken by a worker", "has already finished");
					return false;
				}
				catch (InterruptedException ex) {
					throw new IllegalStateException(ex);
				}
			});
			this.taskQueue.add(task);
			added.countDown();
			(cancelling.get(10, TimeUnit.SECONDS) ? cancelled : taken).add(task);
		}
		// the worker has drained the queue once a task added after all of them has run
		Task<String> marker = this.taskQueue.task(Jobs::record, null, "marker");
		this.taskQueue.add(marker);
		this.taskQueue.waitFor(marker, TIMEOUT);

		assertThat(this.taskQueue.waitFor(taken, TIMEOUT).values())
			.allSatisfy((task) -> assertThat(task.getStatus()).isEqualTo(TaskStatus.COMPLETED));
		assertThat(taken).allSatisfy((task) -> assertThat(Jobs.runs(task)).as("runs of taken task").hasSize(1));
		assertThat(cancelled).allSatisfy((task) -> {
			assertThat(Jobs.runs(task)).as("runs of cancelled task").isEmpty();
			assertThat(status(task)).isEqualTo(TaskStatus.CANCELLED);
		});
		assertThat(cancelled.size() + taken.size()).isEqualTo(200);
		assertThat(this.taskQueue.size()).isZero();
	}

	@Test
	void deleteRemovesAFinishedTaskOnly() {
		Task<String> finished = this.taskQueue.task(Jobs::record, null, "done");
		this.taskQueue.add(finished);
		this.taskQueue.waitFor(finished, TIMEOUT);
		Task<String> scheduled = this.taskQueue.task(Jobs::record, null, "scheduled");
		this.taskQueue.schedule(scheduled, Duration.ofHours(1));

		assertThat(this.taskQueue.delete(finished)).isTrue();
		assertThat(this.taskQueue.getTask(finished)).isEmpty();
		assertThat(this.taskQueue.delete(finished)).isFalse();
		assertThatExceptionOfType(TaskStateException.class).isThrownBy(() -> this.taskQueue.delete(scheduled))
			.withMessageContaining(scheduled.getId().toString())
			.withMessageContaining("has not finished; cancel it first");
		assertThat(this.taskQueue.getTask(scheduled).orElseThrow().getStatus()).isEqualTo(TaskStatus.SCHEDULED);
		assertThat(this.taskQueue.getScheduled()).extracting(Task::getId).containsExactly(scheduled.getId());
		this.taskQueue.cancel(scheduled);
		assertThat(this.taskQueue.delete(scheduled)).isTrue();
		assertThat(this.taskQueue.delete(this.taskQueue.task(Jobs::record, null, "never added"))).isFalse();
	}

	/**
	 * Add a task that holds the worker's only slot until the gate opens, and wait until it runs.
	 */
	private Task<String> occupyTheWorker() {
		Task<String> gated = this.taskQueue.task(Jobs::gated, null);
		this.taskQueue.add(gated);
		await().atMost(TIMEOUT).until(() -> !Jobs.runs(gated).isEmpty());
		return gated;
	}

	/**
	 * Cancel a task that is queued, promoted or scheduled and that no worker took, with two waiters, then let the
	 * worker go on and show that it never runs the task.
	 */
	private void assertCancelledBeforeItRan(Task<String> task) throws Exception {
		CompletableFuture<Task<String>> waiter = this.taskQueue.waitForAsync(task);
		CompletableFuture<Task<String>> blockedWaiter = CompletableFuture
			.supplyAsync(() -> this.taskQueue.waitFor(task, TIMEOUT));
		Instant cancelling = Task.now();

		Task<String> cancelled = this.taskQueue.cancel(task);

		assertThat(cancelled.getId()).isEqualTo(task.getId());
		assertThat(cancelled.getStatus()).isEqualTo(TaskStatus.CANCELLED);
		assertThat(cancelled.getFinishedAt()).isAfterOrEqualTo(cancelling);
		Task<String> stored = this.taskQueue.getTask(task).orElseThrow();
		assertThat(stored.getStatus()).isEqualTo(TaskStatus.CANCELLED);
		assertThat(stored.getFinishedAt()).isEqualTo(cancelled.getFinishedAt());
		assertThat(waiter).succeedsWithin(TIMEOUT).extracting(Task::getStatus).isEqualTo(TaskStatus.CANCELLED);
		assertThat(blockedWaiter).succeedsWithin(TIMEOUT).extracting(Task::getStatus).isEqualTo(TaskStatus.CANCELLED);
		assertThatExceptionOfType(TaskStateException.class).isThrownBy(() -> this.taskQueue.cancel(task));

		Jobs.gate.countDown();
		// a task scheduled after the cancelled one's time and queued behind it: once it ran, the cancelled one would
		// have run
		Task<String> marker = this.taskQueue.task(Jobs::record, null, "marker");
		this.taskQueue.schedule(marker, Duration.ofMillis(500));
		assertThat(this.taskQueue.waitFor(marker, TIMEOUT).getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(Jobs.runs(task)).isEmpty();
		assertThat(status(task)).isEqualTo(TaskStatus.CANCELLED);
		assertThat(this.taskQueue.size()).isZero();
	}

	private void assertRetryRefused(Task<?> task, String status) {
		TaskStatus before = status(task);
		assertThatExceptionOfType(TaskStateException.class).isThrownBy(() -> this.taskQueue.retry(task))
			.withMessage("Task " + task.getId() + " (" + task.getName() + ") is " + status
					+ " and has not finished; only a finished task can be retried");
		assertThat(status(task)).isEqualTo(before);
	}

	private TaskStatus status(Task<?> task) {
		TaskQueue queue = (task.getQueue() != null) ? this.taskQueue.queue(task.getQueue()) : this.taskQueue;
		return queue.getTask(task).orElseThrow().getStatus();
	}

	static class Jobs {

		static volatile CountDownLatch gate = new CountDownLatch(1);

		static volatile boolean failing = true;

		static final Map<UUID, List<Instant>> runs = new ConcurrentHashMap<>();

		static void reset() {
			gate = new CountDownLatch(1);
			failing = true;
			runs.clear();
		}

		static List<Instant> runs(Task<?> task) {
			return runs.getOrDefault(task.getId(), List.of());
		}

		private static int run(Task<?> task) {
			List<Instant> times = runs.computeIfAbsent(task.getId(), (id) -> new CopyOnWriteArrayList<>());
			times.add(Instant.now());
			return times.size();
		}

		@SheppyTask("manual:record")
		String record(Task<?> task, String value) {
			run(task);
			return value;
		}

		@SheppyTask(name = "manual:flaky", retry = 1, retryDelay = "0.1")
		String flaky(Task<?> task, String value) {
			run(task);
			if (failing) {
				throw new IllegalStateException("still failing");
			}
			return value;
		}

		@SheppyTask(name = "manual:retry-later", retry = 1, retryDelay = "1")
		String retryLater(Task<?> task) {
			if (run(task) == 1) {
				throw new IllegalStateException("first attempt");
			}
			return "second attempt";
		}

		@SheppyTask("manual:gated")
		String gated(Task<?> task) throws InterruptedException {
			run(task);
			if (!gate.await(20, TimeUnit.SECONDS)) {
				throw new IllegalStateException("The gate stayed shut");
			}
			return "opened";
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ RedisServerTestConfiguration.class, Jobs.class })
	static class WorkerApplication {

	}

}
