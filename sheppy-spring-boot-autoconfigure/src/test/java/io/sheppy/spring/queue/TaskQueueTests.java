package io.sheppy.spring.queue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.autoconfigure.SheppyAutoConfiguration;
import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.backend.QueueStats;
import io.sheppy.spring.backend.TaskDelivery;
import io.sheppy.spring.backend.WaitTimeoutException;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskSpec;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.queue.ShopTasks.Item;
import io.sheppy.spring.queue.ShopTasks.Reservation;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for the {@link TaskQueue} operations on the in-memory backend: adding tasks, looking at queues and waiting
 * for results. The {@link ShopTasks} run on workers of their queues; tasks of the queues {@code inbox} and
 * {@code outbox} have no worker and are finished by hand where a test needs it.
 *
 * @author Sheppy for Spring
 */
class TaskQueueTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, SheppyAutoConfiguration.class))
		.withPropertyValues("sheppy.backend=memory", "sheppy.worker.poll-timeout=100ms")
		.withBean(ShopTasks.class)
		.withBean(ArithmeticTasks.class);

	@Test
	void addsATaskOnceAndRefusesItsIdAfterwards() {
		run((context, taskQueue) -> {
			Task<Object> task = taskQueue.task("remote:job").queue("inbox").build();
			assertThat(taskQueue.add(task)).isTrue();
			assertThat(taskQueue.add(task)).isFalse();
			assertThat(taskQueue.queue("inbox").size()).isOne();
		});
	}

	@Test
	void refusesTheSecondOfTwoEqualIdsInABatch() {
		run((context, taskQueue) -> {
			Task<Object> task = taskQueue.task("remote:job").queue("inbox").build();
			assertThat(taskQueue.add(List.of(task, task))).containsExactly(true, false);
			assertThat(taskQueue.queue("inbox").size()).isOne();
		});
	}

	@Test
	void addsTheTasksOfABatchToTheirOwnQueuesKeepingTheOrderOfTheResults() {
		run((context, taskQueue) -> {
			Task<Object> inbox1 = taskQueue.task("remote:job").queue("inbox").args(1).build();
			Task<Object> outbox1 = taskQueue.task("remote:job").queue("outbox").args(2).build();
			Task<Object> inbox2 = taskQueue.task("remote:job").queue("inbox").args(3).build();
			assertThat(taskQueue.add(List.of(inbox1, outbox1, inbox1, inbox2, outbox1)))
				.containsExactly(true, true, false, true, false);
			assertThat(taskQueue.queue("inbox").getPending(10)).extracting(Task::getId)
				.containsExactly(inbox1.getId(), inbox2.getId());
			assertThat(taskQueue.queue("outbox").getPending(10)).extracting(Task::getId)
				.containsExactly(outbox1.getId());
		});
	}

	@Test
	void addsATaskThatNamesNoQueueToTheQueueItIsAddedThrough() {
		run((context, taskQueue) -> {
			Task<Object> task = Task.builder(TaskSpec.of("remote:job")).build();
			assertThat(taskQueue.queue("inbox").add(task)).isTrue();
			assertThat(taskQueue.queue("inbox").size()).isOne();
			assertThat(taskQueue.queue("inbox").getTask(task)).isPresent();
			assertThat(taskQueue.size()).isZero();
		});
	}

	@Test
	void returnsTheStoredStateOfATask() {
		run((context, taskQueue) -> {
			Task<Object> task = taskQueue.task("remote:job").queue("inbox").args("x").kwarg("y", 2).build();
			assertThat(taskQueue.getTask(task)).isEmpty();
			taskQueue.add(task);
			assertThat(taskQueue.getTask(task)).hasValueSatisfying((stored) -> {
				assertThat(stored.getId()).isEqualTo(task.getId());
				assertThat(stored.getQueue()).isEqualTo("inbox");
				assertThat(stored.getSpec()).isEqualTo(task.getSpec());
				assertThat(stored.getStatus()).isEqualTo(TaskStatus.NEW);
			});
			assertThat(taskQueue.queue("inbox").getTask(task.getId())).isPresent();
			assertThat(taskQueue.getTask(task.getId())).as("looked up in the default queue").isEmpty();
		});
	}

	@Test
	void returnsTheTasksFoundOfManyIdsInTheirOrder() {
		run((context, taskQueue) -> {
			TaskQueue inbox = taskQueue.queue("inbox");
			Task<Object> first = inbox.task("remote:job").build();
			Task<Object> second = inbox.task("remote:job").build();
			inbox.add(List.of(first, second));
			UUID unknown = UUID.randomUUID();
			assertThat(inbox.getTasks(List.of(second.getId(), unknown, first.getId()))).containsOnlyKeys(second.getId(),
					first.getId());
			assertThat(inbox.getTasks(List.of(second.getId(), first.getId())).keySet()).containsExactly(second.getId(),
					first.getId());
			assertThat(inbox.getAllTasks()).extracting(Task::getId)
				.containsExactlyInAnyOrder(first.getId(), second.getId());
		});
	}

	@Test
	void returnsThePendingTasksOldestFirstUpToTheCount() {
		run((context, taskQueue) -> {
			TaskQueue inbox = taskQueue.queue("inbox");
			List<Task<Object>> tasks = List.of(inbox.task("remote:job").args(1).build(),
					inbox.task("remote:job").args(2).build(), inbox.task("remote:job").args(3).build());
			inbox.add(tasks);
			assertThat(inbox.getPending(2)).extracting(Task::getId)
				.containsExactly(tasks.get(0).getId(), tasks.get(1).getId());
			assertThat(inbox.getPending(2)).allSatisfy((task) -> assertThat(task.getQueue()).isEqualTo("inbox"));
			assertThat(inbox.size()).isEqualTo(3);
		});
	}

	@Test
	void clearsAQueue() {
		run((context, taskQueue) -> {
			TaskQueue inbox = taskQueue.queue("inbox");
			inbox.add(List.of(inbox.task("remote:job").build(), inbox.task("remote:job").build()));
			taskQueue.queue("outbox").add(taskQueue.queue("outbox").task("remote:job").build());
			assertThat(inbox.clear()).isEqualTo(2);
			assertThat(inbox.size()).isZero();
			assertThat(inbox.getAllTasks()).isEmpty();
			assertThat(taskQueue.listQueues()).containsOnlyKeys("outbox");
			assertThat(taskQueue.queue("outbox").size()).isOne();
		});
	}

	@Test
	void listsTheQueuesWithTheirSizes() {
		run((context, taskQueue) -> {
			taskQueue.add(List.of(taskQueue.task("remote:job").queue("inbox").build(),
					taskQueue.task("remote:job").queue("inbox").build(),
					taskQueue.task("remote:job").queue("outbox").build()));
			assertThat(taskQueue.listQueues()).containsExactly(Map.entry("inbox", 2L), Map.entry("outbox", 1L));
		});
	}

	@Test
	void countsPendingAndCompletedTasks() {
		run((context, taskQueue) -> {
			TaskQueue inbox = taskQueue.queue("inbox");
			inbox.add(List.of(inbox.task("remote:job").build(), inbox.task("remote:job").build()));
			assertThat(inbox.getStats()).isEqualTo(new QueueStats(2, 0, 0));
			complete(context, "inbox", "done");
			assertThat(inbox.getStats()).isEqualTo(new QueueStats(1, 1, 0));
		});
	}

	@Test
	void returnsTheResultsOfTaskMethodsAsTheirTypes() {
		run((context, taskQueue) -> {
			Task<Reservation> reserve = taskQueue.task(ShopTasks::reserve, "apple", 2);
			Task<List<Item>> split = taskQueue.task(ShopTasks::split, new Item("apple", 6), 3, true);
			Task<Double> price = taskQueue.task(ShopTasks::price, new Item("apple", 4));
			Task<Void> log = taskQueue.task(ShopTasks::log, "hello");
			assertThat(taskQueue.add(List.of(reserve, split, price, log))).containsOnly(true);
			Task<Reservation> reserved = taskQueue.waitFor(reserve, WAIT);
			assertThat(reserved.getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(reserved.getQueue()).isEqualTo("stock");
			assertThat(reserved.getResult()).isEqualTo(new Reservation("apple", 2, true));
			assertThat(taskQueue.waitFor(split, WAIT).getResult()).containsExactly(new Item("apple", 2),
					new Item("apple", 2), new Item("apple", 2));
			assertThat(taskQueue.waitFor(price, WAIT).getResult()).isEqualTo(6.0);
			Task<Void> logged = taskQueue.waitFor(log, WAIT);
			assertThat(logged.getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(logged.getResult()).isNull();
			assertThat(context.getBean(ShopTasks.class).calls).contains("log hello");
			assertThat(taskQueue.getTask(reserve)).hasValueSatisfying(
					(stored) -> assertThat(stored.getResult()).isEqualTo(new Reservation("apple", 2, true)));
		});
	}

	@Test
	void returnsTheResultOfATaskBuiltByNameAsItsResultType() {
		run((context, taskQueue) -> {
			Task<Integer> task = taskQueue.task("arithmetic:add")
				.args(1)
				.kwarg("b", 2)
				.resultType(Integer.class)
				.build();
			taskQueue.add(task);
			Task<Integer> finished = taskQueue.waitFor(task, WAIT);
			assertThat(finished.getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(finished.getResult()).isEqualTo(3);
		});
	}

	@Test
	void waitForWithoutATimeoutReturnsAtOnce() {
		run((context, taskQueue) -> {
			Task<Object> task = taskQueue.task("remote:job").queue("inbox").build();
			taskQueue.add(task);
			assertThat(taskQueue.waitFor(task, null)).isNull();
			assertThat(taskQueue.waitFor(task, Duration.ofSeconds(-1))).isNull();
			complete(context, "inbox", "done");
			Task<Object> finished = taskQueue.waitFor(task, null);
			assertThat(finished).isNotNull();
			assertThat(finished.getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(finished.getResult()).isEqualTo("done");
		});
	}

	@Test
	void waitForWithAPositiveTimeoutFailsWhenTheTaskDoesNotFinishInTime() {
		run((context, taskQueue) -> {
			Task<Object> task = taskQueue.task("remote:job").queue("inbox").build();
			taskQueue.add(task);
			long start = System.nanoTime();
			assertThatExceptionOfType(WaitTimeoutException.class)
				.isThrownBy(() -> taskQueue.waitFor(task, Duration.ofMillis(300)))
				.satisfies((ex) -> assertThat(ex.getUnfinished()).containsExactly(task.getId()));
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
		});
	}

	@Test
	void waitForWithAPositiveTimeoutReturnsWhenTheTaskFinishes() {
		run((context, taskQueue) -> {
			Task<Object> task = taskQueue.task("remote:job").queue("inbox").build();
			taskQueue.add(task);
			completeLater(context, "inbox", "late");
			assertThat(taskQueue.waitFor(task, WAIT).getResult()).isEqualTo("late");
		});
	}

	@Test
	void waitForWithAZeroTimeoutWaitsUntilTheTaskFinishes() {
		run((context, taskQueue) -> {
			Task<Object> task = taskQueue.task("remote:job").queue("inbox").build();
			taskQueue.add(task);
			completeLater(context, "inbox", "late");
			assertThat(taskQueue.waitFor(task, Duration.ZERO).getResult()).isEqualTo("late");
		});
	}

	@Test
	void waitForWithoutAnyTimeoutArgumentWaitsUntilTheTaskFinishes() {
		run((context, taskQueue) -> {
			Task<Object> task = taskQueue.task("remote:job").queue("inbox").build();
			taskQueue.add(task);
			completeLater(context, "inbox", "late");
			assertThat(taskQueue.waitFor(task).getResult()).isEqualTo("late");
		});
	}

	@Test
	void waitsForManyTasksOfManyQueuesWithTheirResultTypes() {
		run((context, taskQueue) -> {
			Task<Reservation> reserve = taskQueue.task(ShopTasks::reserve, "pear", 1);
			Task<Double> price = taskQueue.task(ShopTasks::price, new Item("pear", 2));
			Task<String> ping = taskQueue.task(ShopTasks::ping);
			taskQueue.add(List.of(reserve, price, ping));
			Map<UUID, Task<?>> finished = taskQueue.waitFor(List.of(reserve, price, ping), WAIT);
			assertThat(finished).containsOnlyKeys(reserve.getId(), price.getId(), ping.getId());
			assertThat(finished.get(reserve.getId()).getResult()).isEqualTo(new Reservation("pear", 1, true));
			assertThat(finished.get(price.getId()).getResult()).isEqualTo(3.0);
			assertThat(finished.get(ping.getId()).getResult()).isEqualTo("pong");
		});
	}

	@Test
	void waitForOfManyTasksReturnsTheFinishedOnesAtOnceWithoutATimeout() {
		run((context, taskQueue) -> {
			Task<String> ping = taskQueue.task(ShopTasks::ping);
			Task<Object> waiting = taskQueue.task("remote:job").queue("inbox").build();
			taskQueue.add(List.of(ping, waiting));
			taskQueue.waitFor(ping, WAIT);
			assertThat(taskQueue.waitFor(List.of(ping, waiting), null)).containsOnlyKeys(ping.getId());
		});
	}

	@Test
	void waitForOfManyTasksNamesTheUnfinishedOnesWhenTheTimeoutPasses() {
		run((context, taskQueue) -> {
			Task<String> ping = taskQueue.task(ShopTasks::ping);
			Task<Object> waiting = taskQueue.task("remote:job").queue("inbox").build();
			taskQueue.add(List.of(ping, waiting));
			assertThatExceptionOfType(WaitTimeoutException.class)
				.isThrownBy(() -> taskQueue.waitFor(List.of(ping, waiting), Duration.ofMillis(500)))
				.satisfies((ex) -> assertThat(ex.getUnfinished()).containsExactly(waiting.getId()));
		});
	}

	@Test
	void waitForAsyncCompletesWithTheTypedResultWhenTheTaskFinishes() {
		run((context, taskQueue) -> {
			Task<Reservation> reserve = taskQueue.task(ShopTasks::reserve, "plum", 5);
			CompletableFuture<Task<Reservation>> future = taskQueue.waitForAsync(reserve);
			taskQueue.add(reserve);
			assertThat(future).succeedsWithin(WAIT)
				.satisfies((finished) -> assertThat(finished.getResult()).isEqualTo(new Reservation("plum", 5, true)));
		});
	}

	@Test
	void waitForAsyncDoesNotCompleteBeforeTheTaskFinishes() {
		run((context, taskQueue) -> {
			Task<Object> task = taskQueue.task("remote:job").queue("inbox").build();
			taskQueue.add(task);
			CompletableFuture<Task<Object>> future = taskQueue.waitForAsync(task);
			await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> !future.isDone());
			complete(context, "inbox", 42);
			assertThat(future).succeedsWithin(WAIT)
				.satisfies((finished) -> assertThat(finished.getResult()).isEqualTo(42));
		});
	}

	private void run(TaskQueueTest test) {
		this.contextRunner.run((context) -> test.accept(context, context.getBean(TaskQueue.class)));
	}

	/**
	 * Take the next task of a queue and store it as completed with the given result, as a worker would.
	 */
	static void complete(AssertableApplicationContext context, String queue, Object result) {
		Backend backend = context.getBean(Backend.class);
		List<TaskDelivery> deliveries = backend.pop(queue, 1, Duration.ofSeconds(5));
		assertThat(deliveries).hasSize(1);
		TaskDelivery delivery = deliveries.get(0);
		Task<Object> completed = delivery.task()
			.mutate()
			.status(TaskStatus.COMPLETED)
			.result(result)
			.finishedAt(Task.now())
			.build();
		assertThat(backend.storeResult(queue, completed, delivery.deliveryId())).isTrue();
	}

	private static void completeLater(AssertableApplicationContext context, String queue, Object result) {
		Executor later = CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS);
		CompletableFuture.runAsync(() -> complete(context, queue, result), later);
	}

	/**
	 * A test that runs in a started context, given the context's task queue.
	 */
	@FunctionalInterface
	interface TaskQueueTest {

		void accept(AssertableApplicationContext context, TaskQueue taskQueue) throws Throwable;

	}

	static class ArithmeticTasks {

		@SheppyTask(name = "arithmetic:add")
		int add(int a, int b) {
			return a + b;
		}

	}

}
