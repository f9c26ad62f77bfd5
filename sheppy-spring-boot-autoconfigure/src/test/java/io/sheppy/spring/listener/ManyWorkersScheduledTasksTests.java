package io.sheppy.spring.listener;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.queue.TaskQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End-to-end test of many workers promoting one queue's schedule on a real Redis: every worker runs a promoter, all of
 * them wake for the same due time, and each task is still queued and run once.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
class ManyWorkersScheduledTasksTests {

	private static final String QUEUE = "many-promoters";

	private static final RedisScript<Long> ENTRIES_ADDED = RedisScript.of("""
			local info = redis.call('XINFO', 'STREAM', KEYS[1])
			for i = 1, #info, 2 do
				if info[i] == 'entries-added' then
					return info[i + 1]
				end
			end
			return -1
			""", Long.class);

	@BeforeEach
	void reset() {
		Runs.byTask.clear();
	}

	@Test
	void threeWorkersPromoteTwoHundredTasksDueAtTheSameInstantAndRunEachOnce(RedisServer server) {
		try (ConfigurableApplicationContext workerA = startWorker(server, "worker-a");
				ConfigurableApplicationContext workerB = startWorker(server, "worker-b");
				ConfigurableApplicationContext workerC = startWorker(server, "worker-c")) {
			TaskQueue taskQueue = workerA.getBean(TaskQueue.class);
			List<Task<Integer>> tasks = IntStream.range(0, 200)
				.mapToObj((i) -> taskQueue.task(Runs::run, null, i))
				.toList();
			Instant due = Instant.now().plusMillis(2000);

			for (Task<Integer> task : tasks) {
				assertThat(taskQueue.schedule(task, due)).isTrue();
			}
			assertThat(Instant.now()).as("all tasks were scheduled before they were due").isBefore(due);
			Map<UUID, Task<?>> done = taskQueue.waitFor(tasks, Duration.ofSeconds(20));

			assertThat(done).hasSize(200);
			assertThat(done.values())
				.allSatisfy((task) -> assertThat(task.getStatus()).isEqualTo(TaskStatus.COMPLETED));
			assertThat(Runs.byTask).hasSize(200)
				.allSatisfy((id, runs) -> assertThat(runs).as("runs of task %s", id).hasSize(1));
			assertThat(Runs.byTask.values())
				.allSatisfy((runs) -> assertThat(runs.peek().started()).as("start").isAfterOrEqualTo(due));
			StringRedisTemplate redis = workerA.getBean(StringRedisTemplate.class);
			assertThat(redis.execute(ENTRIES_ADDED, List.of("sheppy:pending:" + QUEUE)))
				.as("entries ever added to the queue's stream").isEqualTo(200);
			assertThat(redis.opsForValue().get("sheppy:completed:" + QUEUE)).isEqualTo("200");
			assertThat(taskQueue.getScheduled()).isEmpty();
			assertThat(taskQueue.size()).isZero();
		}
	}

	private static ConfigurableApplicationContext startWorker(RedisServer server, String name) {
		return WorkerApplications.start(server, WorkerApplication.class, "sheppy.queue=" + QUEUE,
				"sheppy.redis.consumer-name=" + name, "sheppy.worker.poll-timeout=250ms");
	}

	record Run(String worker, Instant started) {
	}

	static class Runs {

		static final Map<UUID, Queue<Run>> byTask = new ConcurrentHashMap<>();

		private final String worker;

		Runs(@Value("${sheppy.redis.consumer-name}") String worker) {
			this.worker = worker;
		}

		@SheppyTask("many-promoters:run")
		int run(Task<?> task, int value) {
			byTask.computeIfAbsent(task.getId(), (id) -> new ConcurrentLinkedQueue<>())
				.add(new Run(this.worker, Instant.now()));
			return value;
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(Runs.class)
	static class WorkerApplication {

	}

}
