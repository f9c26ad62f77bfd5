package io.sheppy.spring.listener;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.sheppy.spring.test.redis.RedisServerTestConfiguration;
import org.junit.jupiter.api.AfterEach;
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
 * End-to-end tests of the concurrency of a worker on a real Redis: tasks that wait at a shared gate show how many run
 * at once.
 *
 * @author Sheppy for Spring
 */
@SpringBootTest(classes = WorkerConcurrencyTests.WorkerApplication.class,
		properties = { "sheppy.queue=gated", "sheppy.worker.concurrency=4" })
@DirtiesContext
class WorkerConcurrencyTests {

	@Autowired
	private TaskQueue taskQueue;

	@Autowired
	private TaskEndpointRegistry registry;

	@AfterEach
	void openTheGate() {
		GatedTasks.runs.open();
	}

	@Test
	void noMoreTasksRunAtOnceThanTheConfiguredConcurrency() {
		List<Task<Integer>> tasks = IntStream.range(0, 12)
			.mapToObj((i) -> this.taskQueue.task(GatedTasks::pass, i))
			.toList();

		this.taskQueue.add(tasks);

		await().atMost(Duration.ofSeconds(10)).until(() -> GatedTasks.runs.running() == 4);
		// while the gate is shut, the other eight tasks wait in the queue
		await().during(Duration.ofMillis(300))
			.atMost(Duration.ofSeconds(2))
			.until(() -> GatedTasks.runs.running() == 4 && GatedTasks.started.get() == 4);
		assertThat(this.registry.getContainer("gated").getActiveCount()).isEqualTo(4);
		GatedTasks.runs.open();
		Map<UUID, Task<?>> done = this.taskQueue.waitFor(tasks, Duration.ofSeconds(10));

		assertThat(done.values()).hasSize(12).allMatch((task) -> task.getStatus() == TaskStatus.COMPLETED);
		assertThat(GatedTasks.started).hasValue(12);
		assertThat(GatedTasks.runs.maxRunning()).isEqualTo(4);
	}

	static class GatedTasks {

		static final GatedRuns runs = new GatedRuns();

		static final AtomicInteger started = new AtomicInteger();

		@SheppyTask("gated:pass")
		int pass(int value) throws InterruptedException {
			started.incrementAndGet();
			return runs.pass(value);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ RedisServerTestConfiguration.class, GatedTasks.class })
	static class WorkerApplication {

	}

}
