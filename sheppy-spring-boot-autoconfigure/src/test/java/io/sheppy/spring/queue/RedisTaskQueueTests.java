package io.sheppy.spring.queue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.sheppy.spring.autoconfigure.SheppyAutoConfiguration;
import io.sheppy.spring.backend.QueueStats;
import io.sheppy.spring.backend.RedisBackend;
import io.sheppy.spring.backend.WaitTimeoutException;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.queue.ShopTasks.Item;
import io.sheppy.spring.queue.ShopTasks.Reservation;
import io.sheppy.spring.queue.TaskQueueTests.TaskQueueTest;
import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for the {@link TaskQueue} operations on Redis, through the auto-configured {@link RedisBackend} on a private
 * Redis of the test harness. No worker runs: tasks are finished by hand where a test needs it.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
class RedisTaskQueueTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, DataRedisAutoConfiguration.class,
				SheppyAutoConfiguration.class))
		.withPropertyValues("sheppy.worker.enabled=false");

	@Test
	void addsTheTasksOfABatchToTheirOwnQueues(RedisServer server) {
		run(server, (context, taskQueue) -> {
			assertThat(context).hasSingleBean(RedisBackend.class);
			Task<Object> inbox1 = taskQueue.task("remote:job").queue("inbox").args(1).build();
			Task<Object> outbox1 = taskQueue.task("remote:job").queue("outbox").args(2).build();
			Task<Object> inbox2 = taskQueue.task("remote:job").queue("inbox").args(3).build();
			assertThat(taskQueue.add(List.of(inbox1, outbox1, inbox1, inbox2)))
				.containsExactly(true, true, false, true);
			assertThat(taskQueue.add(outbox1)).isFalse();
			assertThat(taskQueue.listQueues()).containsExactly(Map.entry("inbox", 2L), Map.entry("outbox", 1L));
			assertThat(taskQueue.queue("inbox").getPending(10)).extracting(Task::getId)
				.containsExactly(inbox1.getId(), inbox2.getId());
		});
	}

	@Test
	void returnsTheStoredStateCountsAndClearsAQueue(RedisServer server) {
		run(server, (context, taskQueue) -> {
			TaskQueue inbox = taskQueue.queue("inbox");
			Task<Object> first = inbox.task("remote:job").args("a").kwarg("b", List.of(1, 2)).build();
			Task<Object> second = inbox.task("remote:job").build();
			inbox.add(List.of(first, second));
			assertThat(inbox.getTask(first)).hasValueSatisfying((stored) -> {
				assertThat(stored.getSpec()).isEqualTo(first.getSpec());
				assertThat(stored.getStatus()).isEqualTo(TaskStatus.NEW);
				assertThat(stored.getQueue()).isEqualTo("inbox");
			});
			assertThat(inbox.getTasks(List.of(second.getId(), UUID.randomUUID()))).containsOnlyKeys(second.getId());
			assertThat(inbox.size()).isEqualTo(2);
			TaskQueueTests.complete(context, "inbox", "done");
			assertThat(inbox.getStats()).isEqualTo(new QueueStats(1, 1, 0));
			assertThat(inbox.clear()).isEqualTo(2);
			assertThat(inbox.size()).isZero();
			assertThat(inbox.getTask(first)).isEmpty();
			assertThat(taskQueue.listQueues()).doesNotContainKey("inbox");
		});
	}

	@Test
	void waitsForATaskWithEachTimeoutRule(RedisServer server) {
		run(server, (context, taskQueue) -> {
			Task<Object> task = taskQueue.task("remote:job").queue("inbox").build();
			taskQueue.add(task);
			assertThat(taskQueue.waitFor(task, null)).isNull();
			assertThat(taskQueue.waitFor(task, Duration.ofSeconds(-1))).isNull();
			assertThatExceptionOfType(WaitTimeoutException.class)
				.isThrownBy(() -> taskQueue.waitFor(task, Duration.ofMillis(300)))
				.satisfies((ex) -> assertThat(ex.getUnfinished()).containsExactly(task.getId()));
			CompletableFuture.runAsync(() -> TaskQueueTests.complete(context, "inbox", "late"),
					CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS));
			Task<Object> finished = taskQueue.waitFor(task, Duration.ZERO);
			assertThat(finished.getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(finished.getResult()).isEqualTo("late");
			assertThat(taskQueue.waitFor(task, null)).isNotNull();
		});
	}

	@Test
	void convertsTheResultsOfTasksToTheirTypes(RedisServer server) {
		run(server, (context, taskQueue) -> {
			Task<Reservation> reserve = taskQueue.task(ShopTasks::reserve, "apple", 2);
			Task<List<Item>> split = taskQueue.task(ShopTasks::split, new Item("apple", 4), 2, true);
			taskQueue.add(List.of(reserve, split));
			TaskQueueTests.complete(context, "stock", Map.of("sku", "apple", "quantity", 2, "confirmed", true));
			TaskQueueTests.complete(context, "stock",
					List.of(Map.of("sku", "apple", "quantity", 2), Map.of("sku", "apple", "quantity", 2)));
			assertThat(taskQueue.waitFor(reserve, WAIT).getResult()).isEqualTo(new Reservation("apple", 2, true));
			assertThat(taskQueue.waitFor(split, WAIT).getResult()).containsExactly(new Item("apple", 2),
					new Item("apple", 2));
		});
	}

	@Test
	void waitsForManyTasksOfTwoQueues(RedisServer server) {
		run(server, (context, taskQueue) -> {
			Task<Integer> add = taskQueue.task("fxtasks:add")
				.queue("python")
				.args(1, 2)
				.resultType(Integer.class)
				.build();
			Task<String> ping = taskQueue.task(ShopTasks::ping);
			taskQueue.add(List.of(add, ping));
			CompletableFuture.runAsync(() -> {
				TaskQueueTests.complete(context, "python", 3);
				TaskQueueTests.complete(context, "default", "pong");
			}, CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));
			Map<UUID, Task<?>> finished = taskQueue.waitFor(List.of(add, ping), WAIT);
			assertThat(finished).containsOnlyKeys(add.getId(), ping.getId());
			assertThat(finished.get(add.getId()).getResult()).isEqualTo(3);
			assertThat(finished.get(ping.getId()).getResult()).isEqualTo("pong");
		});
	}

	@Test
	void completesTheFutureOfWaitForAsyncWithTheTypedResult(RedisServer server) {
		run(server, (context, taskQueue) -> {
			Task<Reservation> reserve = taskQueue.task(ShopTasks::reserve, "plum", 5);
			taskQueue.add(reserve);
			CompletableFuture<Task<Reservation>> future = taskQueue.waitForAsync(reserve);
			assertThat(future).isNotDone();
			TaskQueueTests.complete(context, "stock", Map.of("sku", "plum", "quantity", 5, "confirmed", false));
			assertThat(future).succeedsWithin(WAIT)
				.satisfies((finished) -> assertThat(finished.getResult()).isEqualTo(new Reservation("plum", 5, false)));
		});
	}

	private void run(RedisServer server, TaskQueueTest test) {
		this.contextRunner
			.withPropertyValues("spring.data.redis.host=" + server.host(), "spring.data.redis.port=" + server.port())
			.run((context) -> test.accept(context, context.getBean(TaskQueue.class)));
	}

}
