package io.sheppy.spring.listener;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.sheppy.spring.test.redis.RedisServerTestConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskException;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.queue.TaskQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end tests of task timeouts on a real Redis: a run that exceeds its task's timeout is interrupted and fails
 * with a timeout record, is retried only when the task says so, and a run that ignores the interrupt is reported and
 * does not keep its worker's slot. The worker runs one task at a time, so that a slot that leaks shows.
 *
 * @author Sheppy for Spring
 */
@SpringBootTest(classes = TaskTimeoutTests.WorkerApplication.class, properties = {
		"sheppy.queue=" + TaskTimeoutTests.QUEUE, "sheppy.worker.poll-timeout=250ms", "sheppy.worker.concurrency=1" })
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class TaskTimeoutTests {

	static final String QUEUE = "timeouts";

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@Autowired
	private TaskQueue taskQueue;

	@BeforeEach
	void reset() {
		this.taskQueue.clear();
		SlowTasks.reset();
	}

	@AfterEach
	void openTheGate() {
		SlowTasks.gate.countDown();
	}

	@Test
	void aRunThatExceedsItsTimeoutIsInterruptedAndFailsWithATimeoutRecordWithoutARetry() {
		Task<String> task = this.taskQueue.task(SlowTasks::blocking, null);

		this.taskQueue.add(task);
		Task<String> failed = this.taskQueue.waitFor(task, TIMEOUT);

		assertThat(failed.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(failed.getResult()).isNull();
		assertThat(failed.getRetryCount()).as("retries left, but a timeout is not retried").isZero();
		assertTimeoutRecord(failed.getException());
		assertThat(SlowTasks.attempts(task)).hasSize(1);
		assertThat(SlowTasks.interrupted).containsExactly(task.getId());
		// the timeout counts from the start of the run, a little before the method is called
		Duration run = Duration.between(SlowTasks.attempts(task).get(0), failed.getFinishedAt());
		assertThat(run).isBetween(Duration.ofMillis(250), Duration.ofMillis(1300));
		assertThat(this.taskQueue.getScheduled()).isEmpty();
	}

	@Test
	void aRunThatExceedsItsTimeoutIsRetriedWhenTheTaskRetriesOnTimeout() {
		Task<String> task = this.taskQueue.task(SlowTasks::blockingRetried, null);

		this.taskQueue.add(task);
		Task<String> failed = this.taskQueue.waitFor(task, TIMEOUT);

		assertThat(failed.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(failed.getRetryCount()).isEqualTo(2);
		assertTimeoutRecord(failed.getException());
		assertThat(SlowTasks.attempts(task)).hasSize(3);
		assertThat(SlowTasks.interrupted).containsExactly(task.getId(), task.getId(), task.getId());
	}

	@Test
	void aRunThatEndsWithinItsTimeoutCompletes() {
		Task<String> task = this.taskQueue.task(SlowTasks::work, null, "done in time");

		this.taskQueue.add(task);
		Task<String> done = this.taskQueue.waitFor(task, TIMEOUT);

		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(done.getResult()).isEqualTo("done in time");
		assertThat(SlowTasks.interrupted).isEmpty();
	}

	@Test
	void aRunThatIgnoresTheInterruptIsReportedFailsAndFreesItsSlotForTheNextTask(CapturedOutput output) {
		Task<String> stubborn = this.taskQueue.task(SlowTasks::stubborn, null);
		Task<String> next = this.taskQueue.task(SlowTasks::work, null, "next");

		this.taskQueue.add(stubborn);
		await().atMost(TIMEOUT).until(() -> !SlowTasks.attempts(stubborn).isEmpty());
		this.taskQueue.add(next);

		Task<String> nextDone = this.taskQueue.waitFor(next, TIMEOUT);
		assertThat(nextDone.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(nextDone.getResult()).isEqualTo("next");
		assertThat(SlowTasks.ended).as("the stubborn run still runs").doesNotContain(stubborn.getId());
		assertThat(SlowTasks.interrupted).contains(stubborn.getId());
		Task<String> failed = this.taskQueue.waitFor(stubborn, TIMEOUT);
		assertThat(failed.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertTimeoutRecord(failed.getException());
		assertThat(output).contains("Task " + stubborn.getId() + " (timeouts:stubborn) ignored the interrupt");

		SlowTasks.gate.countDown();
		await().atMost(TIMEOUT).until(() -> SlowTasks.ended.contains(stubborn.getId()));

		await().atMost(TIMEOUT)
			.until(() -> output.toString().contains("Task " + stubborn.getId() + " (timeouts:stubborn) ended with failed "
					+ "after its outcome was settled without it"));
		Task<String> stored = this.taskQueue.getTask(stubborn).orElseThrow();
		assertThat(stored.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(stored.getResult()).isNull();
		assertThat(stored.getException()).isEqualTo(failed.getException());
		assertThat(stored.getFinishedAt()).isEqualTo(failed.getFinishedAt());
	}

	private static void assertTimeoutRecord(TaskException exception) {
		assertThat(exception).isNotNull();
		assertThat(exception.type()).isEqualTo("TaskTimeoutException");
		assertThat(exception.message()).isEqualTo("Task exceeded timeout of 0.3 seconds");
		assertThat(exception.args()).containsExactly("Task exceeded timeout of 0.3 seconds");
	}

	static class SlowTasks {

		static volatile CountDownLatch gate = new CountDownLatch(1);

		static final Map<UUID, List<Instant>> attempts = new ConcurrentHashMap<>();

		static final List<UUID> interrupted = new CopyOnWriteArrayList<>();

		static final List<UUID> ended = new CopyOnWriteArrayList<>();

		static void reset() {
			gate = new CountDownLatch(1);
			attempts.clear();
			interrupted.clear();
			ended.clear();
		}

		static List<Instant> attempts(Task<?> task) {
			return attempts.getOrDefault(task.getId(), List.of());
		}

		private static void attempt(Task<?> task) {
			attempts.computeIfAbsent(task.getId(), (id) -> new CopyOnWriteArrayList<>()).add(Instant.now());
		}

		@SheppyTask(name = "timeouts:blocking", timeout = "300ms", retry = 2, retryDelay = "0.1")
		String blocking(Task<?> task) throws InterruptedException {
			attempt(task);
			return blockUntilInterrupted(task);
		}

		@SheppyTask(name = "timeouts:blocking-retried", timeout = "300ms", retry = 2, retryDelay = "0.1",
				retryOnTimeout = true)
		String blockingRetried(Task<?> task) throws InterruptedException {
			attempt(task);
			return blockUntilInterrupted(task);
		}

		@SheppyTask(name = "timeouts:work", timeout = "2s")
		String work(Task<?> task, String value) throws InterruptedException {
			attempt(task);
			// the work itself: well within the timeout
			Thread.sleep(50);
			return value;
		}

		@SheppyTask(name = "timeouts:stubborn", timeout = "300ms")
		String stubborn(Task<?> task) {
			attempt(task);
			StubbornRuns.awaitIgnoringInterrupts(gate, () -> interrupted.add(task.getId()));
			ended.add(task.getId());
			return "finally";
		}

		private static String blockUntilInterrupted(Task<?> task) throws InterruptedException {
			try {
				new CountDownLatch(1).await(10, TimeUnit.SECONDS);
				return "not interrupted";
			}
			catch (InterruptedException ex) {
				interrupted.add(task.getId());
				throw ex;
			}
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ RedisServerTestConfiguration.class, SlowTasks.class })
	static class WorkerApplication {

	}

}
