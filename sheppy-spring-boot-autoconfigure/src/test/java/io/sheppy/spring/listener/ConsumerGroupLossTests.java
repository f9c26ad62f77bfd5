package io.sheppy.spring.listener;

import java.time.Duration;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.StringRedisTemplate;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.config.TaskEndpointRegistry;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.queue.TaskQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end tests of a worker on a real Redis whose queue's pending stream or consumer group disappears while it
 * waits for tasks (deleted by hand, or by a tool that does not know about workers): it creates the group again and
 * keeps running the tasks added afterwards.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
class ConsumerGroupLossTests {

	private static final String QUEUE = "grouploss";

	private static final String STREAM = "sheppy:pending:" + QUEUE;

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private ConfigurableApplicationContext worker;

	private TaskQueue taskQueue;

	private StringRedisTemplate redis;

	@BeforeEach
	void startWorker(RedisServer server) {
		this.worker = WorkerApplications.start(server, WorkerApplication.class, "sheppy.queue=" + QUEUE,
				"sheppy.redis.consumer-name=worker-a", "sheppy.worker.poll-timeout=2s",
				"sheppy.worker.lease-timeout=900ms", "sheppy.worker.reclaim-interval=200ms");
		this.taskQueue = this.worker.getBean(TaskQueue.class);
		this.redis = this.worker.getBean(StringRedisTemplate.class);
		assertThat(run(1).getResult()).isEqualTo(2);
	}

	@AfterEach
	void stopWorker() {
		this.worker.close();
	}

	@Test
	void aWorkerWhosePendingStreamIsDeletedWhileItWaitsKeepsRunningNewTasks() {
		awaitBlockedReader();

		assertThat(this.redis.delete(STREAM)).isTrue();

		assertThat(run(2).getResult()).isEqualTo(3);
		assertThat(this.redis.opsForStream().groups(STREAM)).hasSize(1);
		assertThat(run(3).getResult()).isEqualTo(4);
		assertThat(WorkerApplications.isThreadAlive("sheppy-" + QUEUE + "-reader")).isTrue();
	}

	@Test
	void aWorkerWhoseConsumerGroupIsDestroyedWhileItWaitsKeepsRunningNewTasks() {
		awaitBlockedReader();

		assertThat(this.redis.opsForStream().destroyGroup(STREAM, "workers")).isTrue();

		assertThat(run(2).getResult()).isEqualTo(3);
		assertThat(this.redis.opsForStream().groups(STREAM)).hasSize(1);
		assertThat(run(3).getResult()).isEqualTo(4);
		assertThat(WorkerApplications.isThreadAlive("sheppy-" + QUEUE + "-reader")).isTrue();
	}

	@Test
	void aWorkerWhoseConsumerGroupIsDestroyedWhileNoneWaitsRunsTheTasksAddedMeanwhile() {
		// the producer adds to a stream that exists, so it does not create the group; the worker's next read does
		this.worker.getBean(TaskEndpointRegistry.class).getContainer(QUEUE).stop();
		assertThat(this.redis.opsForStream().destroyGroup(STREAM, "workers")).isTrue();
		Task<Integer> added = this.taskQueue.task(GroupLossTasks::increment, 5);
		this.taskQueue.add(added);
		assertThat(this.redis.opsForStream().groups(STREAM)).isEmpty();

		this.worker.getBean(TaskEndpointRegistry.class).getContainer(QUEUE).start();

		Task<Integer> done = this.taskQueue.waitFor(added, TIMEOUT);
		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(done.getResult()).isEqualTo(6);
	}

	private Task<Integer> run(int value) {
		Task<Integer> task = this.taskQueue.task(GroupLossTasks::increment, value);
		assertThat(this.taskQueue.add(task)).isTrue();
		Task<Integer> done = this.taskQueue.waitFor(task, TIMEOUT);
		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		return done;
	}

	private void awaitBlockedReader() {
		await().atMost(TIMEOUT)
			.until(() -> this.redis.getClientList()
				.stream()
				.anyMatch((client) -> "xreadgroup".equals(client.getLastCommand())
						&& client.getFlags().contains("b")));
	}

	static class GroupLossTasks {

		@SheppyTask("grouploss:increment")
		int increment(int value) {
			return value + 1;
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(GroupLossTasks.class)
	static class WorkerApplication {

	}

}
