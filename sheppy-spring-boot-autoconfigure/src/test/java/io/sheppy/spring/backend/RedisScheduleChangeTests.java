package io.sheppy.spring.backend;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.types.RedisClientInfo;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskSpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests of the schedule-change signal of {@link RedisBackend} that only a real Redis shows: what the scripts publish,
 * and that a task scheduled by another process wakes a waiting scheduler.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
class RedisScheduleChangeTests {

	/** A queue named in braces, as in Redis Cluster, to show that the channel names it literally. */
	private static final String QUEUE = "{sched}";

	private static final Instant DUE = Instant.parse("2030-01-01T00:00:00Z");

	private static final Duration LONG_WAIT = Duration.ofSeconds(10);

	private final ExecutorService executor = Executors.newCachedThreadPool();

	private LettuceConnectionFactory connectionFactory;

	private LettuceConnectionFactory otherConnectionFactory;

	private StringRedisTemplate redis;

	private RedisBackend backend;

	private RedisBackend otherBackend;

	@BeforeEach
	void setUp(RedisServer server) {
		this.connectionFactory = RedisTestSupport.connectionFactory(server);
		this.otherConnectionFactory = RedisTestSupport.connectionFactory(server);
		this.redis = RedisTestSupport.redisTemplate(this.connectionFactory);
		this.backend = new RedisBackend(this.connectionFactory, new TaskJson(),
				RedisBackend.Settings.defaults().withConsumerName("this-process"));
		this.otherBackend = new RedisBackend(this.otherConnectionFactory, new TaskJson(),
				RedisBackend.Settings.defaults().withConsumerName("other-process"));
	}

	@AfterEach
	void tearDown() {
		this.executor.shutdownNow();
		this.backend.close();
		this.otherBackend.close();
		this.connectionFactory.destroy();
		this.otherConnectionFactory.destroy();
	}

	@Test
	void scriptsPublishTheIdOfATaskThatIsNowTheEarliestOnTheQueuesChannel() {
		List<String> published = new CopyOnWriteArrayList<>();
		RedisConnection subscriber = this.connectionFactory.getConnection();
		try {
			subscriber.subscribe((message, pattern) -> published.add(new String(message.getChannel(),
					StandardCharsets.UTF_8) + " " + new String(message.getBody(), StandardCharsets.UTF_8)),
					"sheppy:scheduled-changed:{sched}".getBytes(StandardCharsets.UTF_8));
			Task<Object> first = scheduled(1);
			Task<Object> later = scheduled(2);
			Task<Object> retrying = task(3);
			Task<Object> retriedLater = task(4);
			Task<Object> retriedEarlier = task(5);
			this.backend.append(QUEUE, List.of(retrying, retriedLater, retriedEarlier), true);
			List<TaskDelivery> deliveries = this.backend.pop(QUEUE, 3, null);
			this.backend.storeResult(QUEUE, BackendContractTests.failed(retriedLater), deliveries.get(1).deliveryId());
			this.backend.storeResult(QUEUE, BackendContractTests.failed(retriedEarlier),
					deliveries.get(2).deliveryId());

			this.backend.schedule(QUEUE, first, DUE, true);
			this.backend.schedule(QUEUE, later, DUE.plusSeconds(60), true);
			this.backend.storeResult(QUEUE, BackendContractTests.retrying(retrying, DUE.minusSeconds(1)),
					deliveries.get(0).deliveryId());
			this.backend.retry(QUEUE, BackendContractTests.scheduled(retriedLater), DUE.plusSeconds(120));
			this.backend.retry(QUEUE, BackendContractTests.scheduled(retriedEarlier), DUE.minusSeconds(2));
			this.backend.schedule("other", scheduled(6), DUE.minusSeconds(3), true);

			await().atMost(Duration.ofSeconds(5)).until(() -> published.size() >= 3);
			await().during(Duration.ofMillis(300)).until(() -> published.size() == 3);
			assertThat(published).containsExactly("sheppy:scheduled-changed:{sched} " + first.getId(),
					"sheppy:scheduled-changed:{sched} " + retrying.getId(),
					"sheppy:scheduled-changed:{sched} " + retriedEarlier.getId());
		}
		finally {
			subscriber.close();
		}
	}

	@Test
	void taskScheduledByAnotherProcessWakesTheAwait() {
		this.backend.schedule(QUEUE, scheduled(1), DUE, true);
		this.backend.awaitScheduleChange(QUEUE, Duration.ZERO);
		long start = System.nanoTime();
		Future<Boolean> changed = this.executor.submit(() -> this.backend.awaitScheduleChange(QUEUE, LONG_WAIT));
		await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> !changed.isDone());

		this.otherBackend.schedule(QUEUE, scheduled(2), DUE.minusSeconds(1), true);

		assertThat(changed).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(true);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(LONG_WAIT.dividedBy(2));
	}

	@Test
	void oneConnectionPerBackendListensToTheAwaitedQueues() {
		assertThat(subscribedClients()).isEmpty();
		for (String queue : List.of("a", "b", "c")) {
			this.backend.awaitScheduleChange(queue, Duration.ZERO);
			this.backend.awaitScheduleChange(queue, Duration.ZERO);
		}
		assertThat(subscribedClients()).singleElement()
			.satisfies((client) -> assertThat(client.getChannelSubscribtions()).isEqualTo(3));

		this.backend.close();

		await().atMost(Duration.ofSeconds(5)).until(() -> subscribedClients().isEmpty());
	}

	@Test
	void firstAwaitOfAQueueReturnsAtOnceBecauseEarlierChangesAreUnknown() {
		this.otherBackend.schedule(QUEUE, scheduled(1), DUE, true);
		assertThat(this.backend.awaitScheduleChange(QUEUE, LONG_WAIT)).isTrue();
		assertThat(this.backend.awaitScheduleChange(QUEUE, Duration.ofMillis(200))).isFalse();
	}

	@Test
	void closeWakesWaitersAndRefusesLaterAwaits() {
		this.backend.awaitScheduleChange(QUEUE, Duration.ZERO);
		long start = System.nanoTime();
		Future<Boolean> changed = this.executor.submit(() -> this.backend.awaitScheduleChange(QUEUE, LONG_WAIT));
		await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> !changed.isDone());

		this.backend.close();

		assertThat(changed).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(false);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(LONG_WAIT.dividedBy(2));
		assertThatIllegalStateException().isThrownBy(() -> this.backend.awaitScheduleChange(QUEUE, LONG_WAIT));
	}

	private List<RedisClientInfo> subscribedClients() {
		List<RedisClientInfo> clients = this.redis
			.execute((RedisCallback<List<RedisClientInfo>>) (connection) -> connection.serverCommands()
				.getClientList());
		return clients.stream()
			.filter((client) -> client.getChannelSubscribtions() != null && client.getChannelSubscribtions() > 0)
			.toList();
	}

	private static Task<Object> task(Object argument) {
		return Task.builder(TaskSpec.of("tests:run", argument)).build();
	}

	private static Task<Object> scheduled(Object argument) {
		return BackendContractTests.scheduled(task(argument));
	}

}
