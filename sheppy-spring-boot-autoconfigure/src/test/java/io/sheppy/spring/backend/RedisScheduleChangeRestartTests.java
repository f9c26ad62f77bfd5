package io.sheppy.spring.backend;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskSpec;
import io.sheppy.spring.core.TaskStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests that the schedule-change signal of {@link RedisBackend} outlives a Redis crash: Redis is killed and started
 * again while a scheduler waits, and a task scheduled afterwards by another process still wakes it.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
class RedisScheduleChangeRestartTests {

	private static final String QUEUE = "restarts";

	private static final Instant DUE = Instant.parse("2030-01-01T00:00:00Z");

	private static final Duration LONG_WAIT = Duration.ofSeconds(10);

	private static final RedisScript<Long> NUMSUB = new DefaultRedisScript<>(
			"return redis.call('PUBSUB', 'NUMSUB', ARGV[1])[2]", Long.class);

	private final ExecutorService executor = Executors.newCachedThreadPool();

	private RedisServer server;

	private LettuceConnectionFactory connectionFactory;

	private LettuceConnectionFactory otherConnectionFactory;

	private StringRedisTemplate redis;

	private RedisBackend backend;

	private RedisBackend otherBackend;

	@BeforeEach
	void setUp(RedisServer server) {
		this.server = server;
		this.connectionFactory = RedisTestSupport.connectionFactory(server, Duration.ofSeconds(2));
		this.otherConnectionFactory = RedisTestSupport.connectionFactory(server, Duration.ofSeconds(2));
		this.redis = RedisTestSupport.redisTemplate(this.otherConnectionFactory);
		this.backend = new RedisBackend(this.connectionFactory, new TaskJson(),
				RedisBackend.Settings.defaults().withConsumerName("this-process"));
		this.otherBackend = new RedisBackend(this.otherConnectionFactory, new TaskJson(),
				RedisBackend.Settings.defaults().withConsumerName("other-process"));
	}

	@AfterEach
	void tearDown() {
		this.executor.shutdownNow();
		this.server.start();
		this.backend.close();
		this.otherBackend.close();
		this.connectionFactory.destroy();
		this.otherConnectionFactory.destroy();
	}

	@Test
	void newEarliestTaskWakesTheAwaitAfterRedisWasKilledAndStartedAgain() {
		this.backend.awaitScheduleChange(QUEUE, Duration.ZERO);
		Future<Boolean> duringRestart = this.executor.submit(() -> this.backend.awaitScheduleChange(QUEUE, LONG_WAIT));

		this.server.kill();
		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !duringRestart.isDone());
		this.server.start();

		// subscribed again on the same connection; what was published meanwhile is unknown, so the waiter wakes
		await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> subscribers(QUEUE) == 1);
		assertThat(duringRestart).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(true);
		assertThat(this.backend.awaitScheduleChange(QUEUE, Duration.ZERO)).isFalse();
		long start = System.nanoTime();
		Future<Boolean> changed = this.executor.submit(() -> this.backend.awaitScheduleChange(QUEUE, LONG_WAIT));
		await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> !changed.isDone());

		this.otherBackend.schedule(QUEUE, scheduled(1), DUE, true);

		assertThat(changed).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(true);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(LONG_WAIT.dividedBy(2));
	}

	@Test
	void awaitOfANewQueueWhileRedisIsDownFailsAndWorksOnceRedisIsBack() {
		this.backend.awaitScheduleChange(QUEUE, Duration.ZERO);
		this.server.kill();

		assertThatExceptionOfType(BackendException.class)
			.isThrownBy(() -> this.backend.awaitScheduleChange("other", LONG_WAIT))
			.withMessageContaining("other");

		this.server.start();
		// the failed connection was closed: the next wait subscribes both queues on a new one
		await().atMost(Duration.ofSeconds(20))
			.ignoreExceptions()
			.until(() -> this.backend.awaitScheduleChange("other", Duration.ZERO));
		assertThat(subscribers(QUEUE)).isOne();
		assertThat(subscribers("other")).isOne();
		this.backend.awaitScheduleChange(QUEUE, Duration.ZERO);
		Future<Boolean> changed = this.executor.submit(() -> this.backend.awaitScheduleChange(QUEUE, LONG_WAIT));
		await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> !changed.isDone());

		this.otherBackend.schedule(QUEUE, scheduled(1), DUE, true);

		assertThat(changed).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(true);
	}

	/**
	 * Return the number of clients subscribed to a queue's schedule-change channel ({@code PUBSUB NUMSUB}).
	 */
	private long subscribers(String queue) {
		return this.redis.execute(NUMSUB, List.of(), RedisKeys.scheduleChanged(queue));
	}

	private static Task<Object> scheduled(Object argument) {
		return Task.builder(TaskSpec.of("tests:run", argument)).status(TaskStatus.SCHEDULED).build();
	}

}
