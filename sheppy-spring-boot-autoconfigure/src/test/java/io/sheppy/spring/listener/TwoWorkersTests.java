package io.sheppy.spring.listener;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.queue.TaskQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End-to-end test of two workers (two applications with their own consumer names) sharing one queue on a real Redis.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
class TwoWorkersTests {

	@Test
	void twoWorkersOnOneQueueRunEveryTaskExactlyOnce(RedisServer server) {
		SharedTasks.runs.clear();
		try (ConfigurableApplicationContext workerA = startWorker(server, "worker-a");
				ConfigurableApplicationContext workerB = startWorker(server, "worker-b")) {
			TaskQueue taskQueue = workerA.getBean(TaskQueue.class);
			List<Task<Integer>> tasks = IntStream.range(0, 500)
				.mapToObj((i) -> taskQueue.task(SharedTasks::record, null, i))
				.toList();

			assertThat(taskQueue.add(tasks)).containsOnly(true);
			Map<UUID, Task<?>> done = taskQueue.waitFor(tasks, Duration.ofSeconds(20));

			for (int i = 0; i < tasks.size(); i++) {
				Task<?> task = done.get(tasks.get(i).getId());
				assertThat(task.getStatus()).isEqualTo(TaskStatus.COMPLETED);
				assertThat(task.getResult()).isEqualTo(i);
			}
			assertThat(SharedTasks.runs).hasSize(500)
				.containsOnlyKeys(tasks.stream().map(Task::getId).toList())
				.allSatisfy((id, workers) -> assertThat(workers).as("runs of task %s", id).hasSize(1));
			Map<String, Long> perWorker = SharedTasks.runs.values()
				.stream()
				.flatMap(Queue::stream)
				.collect(Collectors.groupingBy((worker) -> worker, Collectors.counting()));
			assertThat(perWorker).containsOnlyKeys("worker-a", "worker-b");
			assertThat(taskQueue.size()).isZero();
		}
	}

	private static ConfigurableApplicationContext startWorker(RedisServer server, String name) {
		return WorkerApplications.start(server, WorkerApplication.class, "sheppy.queue=shared",
				"sheppy.redis.consumer-name=" + name, "sheppy.worker.poll-timeout=250ms");
	}

	static class SharedTasks {

		static final Map<UUID, Queue<String>> runs = new ConcurrentHashMap<>();

		private final String worker;

		SharedTasks(@Value("${sheppy.redis.consumer-name}") String worker) {
			this.worker = worker;
		}

		@SheppyTask("shared:record")
		int record(Task<?> task, int value) {
			runs.computeIfAbsent(task.getId(), (id) -> new ConcurrentLinkedQueue<>()).add(this.worker);
			return value;
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(SharedTasks.class)
	static class WorkerApplication {

	}

}
