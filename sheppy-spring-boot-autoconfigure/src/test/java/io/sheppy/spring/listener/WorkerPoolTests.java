package io.sheppy.spring.listener;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
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
import io.sheppy.spring.config.TaskEndpointRegistry;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.queue.TaskQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end tests of the threads a worker runs its tasks on, on a real Redis: as many tasks as its concurrency run at
 * the same time, also after a run that ignored the interrupt of its timeout kept its thread, and after the worker was
 * stopped and started again while such a run still went on.
 *
 * @author Sheppy for Spring
 */
@SpringBootTest(classes = WorkerPoolTests.WorkerApplication.class, properties = {
		"sheppy.queue=" + WorkerPoolTests.QUEUE, "sheppy.worker.poll-timeout=250ms", "sheppy.worker.concurrency=2" })
@DirtiesContext
class WorkerPoolTests {

	static final String QUEUE = "pool";

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@Autowired
	private TaskQueue taskQueue;

	@Autowired
	private TaskEndpointRegistry registry;

	@BeforeEach
	void reset() {
		this.taskQueue.clear();
		PoolTasks.reset();
	}

	@AfterEach
	void openTheGate() {
		PoolTasks.gate.countDown();
	}

	@Test
	void runsAsManyTasksAtOnceAsItsConcurrency() {
		assertPairRunsTogether();
	}

	@Test
	void stillRunsAsManyTasksAtOnceAfterARunThatIgnoredItsTimeoutEndedAcrossARestart() {
		Task<String> stubborn = this.taskQueue.task(PoolTasks::stubborn, null);
		this.taskQueue.add(stubborn);
		assertThat(this.taskQueue.waitFor(stubborn, TIMEOUT).getStatus()).isEqualTo(TaskStatus.FAILED);

		this.registry.stop();
		this.registry.start();
		PoolTasks.gate.countDown();
		await().atMost(TIMEOUT).until(() -> PoolTasks.ended.contains(stubborn.getId()));

		assertPairRunsTogether();
	}

	/**
	 * Run two tasks that each wait for the other to start: they complete only when both run at the same time.
	 */
	private void assertPairRunsTogether() {
		PoolTasks.pair = new CountDownLatch(2);
		List<Task<Boolean>> pair = List.of(this.taskQueue.task(PoolTasks::meet, null),
				this.taskQueue.task(PoolTasks::meet, null));
		this.taskQueue.add(pair);
		for (Task<Boolean> task : pair) {
			Task<Boolean> done = this.taskQueue.waitFor(task, TIMEOUT);
			assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(done.getResult()).as("met the other task of the pair").isTrue();
		}
	}

	static class PoolTasks {

		static volatile CountDownLatch gate = new CountDownLatch(1);

		static volatile CountDownLatch pair = new CountDownLatch(2);

		static final List<UUID> ended = new CopyOnWriteArrayList<>();

		static void reset() {
			gate = new CountDownLatch(1);
			ended.clear();
		}

		@SheppyTask(name = "pool:meet", timeout = "5s")
		boolean meet(Task<?> task) throws InterruptedException {
			pair.countDown();
			return pair.await(3, TimeUnit.SECONDS);
		}

		@SheppyTask(name = "pool:stubborn", timeout = "300ms")
		String stubborn(Task<?> task) {
			StubbornRuns.awaitIgnoringInterrupts(gate, () -> {
				// ignored: this run keeps its thread until the gate opens
			});
			ended.add(task.getId());
			return "finally";
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ RedisServerTestConfiguration.class, PoolTasks.class })
	static class WorkerApplication {

	}

}
