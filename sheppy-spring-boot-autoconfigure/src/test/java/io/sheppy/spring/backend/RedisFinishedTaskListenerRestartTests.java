package io.sheppy.spring.backend;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskSpec;
import io.sheppy.spring.core.TaskStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests that a waiter of {@link RedisBackend#whenFinished} outlives a Redis crash: Redis is killed and started again
 * (its data kept in an append-only file) while the queue's reader of finished notifications is blocked in a read.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer(aof = true)
class RedisFinishedTaskListenerRestartTests {

	private static final String QUEUE = "restarts";

	private RedisServer server;

	private LettuceConnectionFactory connectionFactory;

	private StringRedisTemplate redis;

	private RedisBackend backend;

	@BeforeEach
	void setUp(RedisServer server) {
		this.server = server;
		this.connectionFactory = RedisTestSupport.connectionFactory(server, Duration.ofSeconds(2));
		this.redis = RedisTestSupport.redisTemplate(this.connectionFactory);
		this.backend = new RedisBackend(this.connectionFactory, new TaskJson());
	}

	@AfterEach
	void tearDown() {
		this.backend.close();
		this.connectionFactory.destroy();
	}

	@Test
	void waiterCompletesWhenItsTaskFinishesAfterRedisWasKilledAndStartedAgain() {
		Task<Object> task = Task.builder(TaskSpec.of("tests:run", 1)).build();
		this.backend.append(QUEUE, List.of(task), true);
		CompletableFuture<Map<UUID, Task<Object>>> finished = this.backend.whenFinished(QUEUE, List.of(task.getId()));
		await().atMost(Duration.ofSeconds(5))
			.until(() -> RedisTestSupport.info(this.redis, "clients", "blocked_clients") == 1);

		this.server.kill();
		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !finished.isDone());
		this.server.start();

		await().atMost(Duration.ofSeconds(20))
			.ignoreExceptions()
			.until(() -> this.redis.hasKey(RedisKeys.task(QUEUE, task.getId())));
		assertThat(finished).isNotDone();
		Task<Object> completed = task.mutate().status(TaskStatus.COMPLETED).result(2).finishedAt(Task.now()).build();
		assertThat(this.backend.storeResult(QUEUE, completed, null)).isTrue();

		assertThat(finished).succeedsWithin(Duration.ofSeconds(20))
			.satisfies((tasks) -> assertThat(tasks.get(task.getId()).getResult()).isEqualTo(2));
		assertThat(this.backend.waiterCount(QUEUE)).isZero();
	}

	@Test
	void waiterCompletesAfterRedisWasDownLongerThanTheCommandTimeout() {
		Task<Object> task = Task.builder(TaskSpec.of("tests:run", 1)).build();
		this.backend.append(QUEUE, List.of(task), true);
		CompletableFuture<Map<UUID, Task<Object>>> finished = this.backend.whenFinished(QUEUE, List.of(task.getId()));
		await().atMost(Duration.ofSeconds(5))
			.until(() -> RedisTestSupport.info(this.redis, "clients", "blocked_clients") == 1);

		this.server.kill();
		// longer than the command timeout (2 s), so that the reader's read fails and it backs off
		await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> !finished.isDone());
		this.server.start();

		Task<Object> completed = task.mutate().status(TaskStatus.COMPLETED).result(2).finishedAt(Task.now()).build();
		await().atMost(Duration.ofSeconds(20))
			.ignoreExceptions()
			.until(() -> this.redis.hasKey(RedisKeys.task(QUEUE, task.getId())));
		assertThat(this.backend.storeResult(QUEUE, completed, null)).isTrue();

		assertThat(finished).succeedsWithin(Duration.ofSeconds(20))
			.satisfies((tasks) -> assertThat(tasks.get(task.getId()).getResult()).isEqualTo(2));
	}

}
