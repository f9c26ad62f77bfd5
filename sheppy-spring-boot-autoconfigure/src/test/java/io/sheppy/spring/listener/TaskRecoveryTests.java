package io.sheppy.spring.listener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskException;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.queue.TaskQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end tests of how workers on a real Redis take over the tasks of a lost worker (one that took a task and then
 * never renewed its lease nor stored an outcome), with short leases: a started task is recorded as crashed or run
 * again as its config says, a task that never started runs again without counting, a task delivered too often is moved
 * aside, and a live worker's long task stays with it.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
class TaskRecoveryTests {

	private static final String QUEUE = "recovery";

	private static final Duration LEASE = Duration.ofMillis(900);

	private static final Duration RECLAIM = Duration.ofMillis(200);

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private ConfigurableApplicationContext producer;

	private TaskQueue taskQueue;

	private TaskJson taskJson;

	private StringRedisTemplate redis;

	private LostWorker lostWorker;

	private final List<ConfigurableApplicationContext> workers = new ArrayList<>();

	@BeforeEach
	void startProducer(RedisServer server) {
		RecoveryTasks.runs.clear();
		this.producer = WorkerApplications.start(server, WorkerApplication.class, "sheppy.queue=" + QUEUE,
				"sheppy.worker.enabled=false");
		this.taskQueue = this.producer.getBean(TaskQueue.class);
		this.taskJson = this.producer.getBean(TaskJson.class);
		this.redis = this.producer.getBean(StringRedisTemplate.class);
		this.lostWorker = new LostWorker(this.redis, QUEUE, "lost");
	}

	@AfterEach
	void stopApplications() {
		this.workers.forEach(ConfigurableApplicationContext::close);
		this.workers.clear();
		this.producer.close();
	}

	@Test
	void aStartedTaskOfALostWorkerIsRecordedAsCrashedWithinTheLeaseTimeoutAndItsWaitersWake(RedisServer server)
			throws Exception {
		startWorker(server, "worker-a");
		Task<Integer> task = this.taskQueue.task(RecoveryTasks::work, 1);
		CompletableFuture<Task<Integer>> waiter = this.taskQueue.waitForAsync(task);

		long taken = System.nanoTime();
		takeAndLose(task, true, 0);
		Task<Integer> crashed = waiter.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		Duration recovery = Duration.ofNanos(System.nanoTime() - taken);

		assertThat(crashed.getStatus()).isEqualTo(TaskStatus.CRASHED);
		assertThat(crashed.getFinishedAt()).isNotNull();
		assertThat(crashed.getResult()).isNull();
		assertThat(crashed.getRetryCount()).isZero();
		TaskException exception = crashed.getException();
		assertThat(exception).isNotNull();
		assertThat(exception.type()).isEqualTo("WorkerLostException");
		assertThat(exception.message()).contains("stopped renewing its lease for PT0.9S");
		assertThat(recovery).isGreaterThanOrEqualTo(LEASE.minusMillis(50))
			.isLessThan(LEASE.plus(RECLAIM).plusSeconds(1));
		assertThat(RecoveryTasks.runs).isEmpty();
		assertThat(this.taskQueue.size()).isZero();
		assertThat(pendingEntries()).isZero();
		System.out.println("Recovery: a started task of a lost worker was recorded as crashed after "
				+ recovery.toMillis() + " ms (lease " + LEASE.toMillis() + " ms, reclaim every " + RECLAIM.toMillis()
				+ " ms)");
	}

	@Test
	void aStartedTaskOfALostWorkerThatAllowsARetryOnCrashRunsAgainCountingTheAttempt(RedisServer server) {
		startWorker(server, "worker-a");
		Task<Integer> task = this.taskQueue.task(RecoveryTasks::retriedOnCrash, 2);

		long taken = System.nanoTime();
		takeAndLose(task, true, 0);
		Task<Integer> done = this.taskQueue.waitFor(task, TIMEOUT);
		Duration recovery = Duration.ofNanos(System.nanoTime() - taken);

		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(done.getResult()).isEqualTo(2);
		assertThat(done.getRetryCount()).isOne();
		assertThat(done.getLastRetryAt()).isNotNull();
		assertThat(RecoveryTasks.runs).containsExactly(Map.entry(2, List.of("worker-a")));
		assertThat(pendingEntries()).isZero();
		System.out.println("Recovery: a started task of a lost worker that allows a retry on crash completed after "
				+ recovery.toMillis() + " ms (retry delay 100 ms)");
	}

	@Test
	void aTaskALostWorkerTookButNeverStartedRunsAgainWithoutCountingAnAttempt(RedisServer server) {
		startWorker(server, "worker-a");
		Task<Integer> task = this.taskQueue.task(RecoveryTasks::work, 3);

		long taken = System.nanoTime();
		takeAndLose(task, false, 0);
		Task<Integer> done = this.taskQueue.waitFor(task, TIMEOUT);
		Duration recovery = Duration.ofNanos(System.nanoTime() - taken);

		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(done.getResult()).isEqualTo(3);
		assertThat(done.getRetryCount()).isZero();
		assertThat(done.getException()).isNull();
		assertThat(done.getLastRetryAt()).isNull();
		assertThat(RecoveryTasks.runs).containsExactly(Map.entry(3, List.of("worker-a")));
		assertThat(pendingEntries()).isZero();
		System.out.println("Recovery: a task a lost worker never started completed after " + recovery.toMillis()
				+ " ms");
	}

	@Test
	void aTaskDeliveredMoreThanMaxDeliveriesTimesIsMovedAsideAsFailedAndCanBeRetriedByHand(RedisServer server) {
		startWorker(server, "worker-a", "sheppy.worker.max-deliveries=3");
		Task<Integer> task = this.taskQueue.task(RecoveryTasks::work, 4);

		// read once and claimed four more times: the take-over is its sixth delivery
		takeAndLose(task, true, 4);
		Task<Integer> poisoned = this.taskQueue.waitFor(task, TIMEOUT);

		assertThat(poisoned.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(poisoned.getFinishedAt()).isNotNull();
		TaskException exception = poisoned.getException();
		assertThat(exception).isNotNull();
		assertThat(exception.type()).isEqualTo("PoisonTaskException");
		assertThat(exception.message())
			.isEqualTo("The task was delivered 6 times without finishing (at most 3); it was moved aside");
		assertThat(pendingEntries()).isZero();
		assertThat(this.taskQueue.size()).isZero();
		// it stays aside: no worker runs it, nobody changes it
		await().during(LEASE.plus(RECLAIM).multipliedBy(2))
			.atMost(TIMEOUT)
			.until(() -> RecoveryTasks.runs.isEmpty()
					&& this.taskQueue.getTask(task).orElseThrow().getStatus() == TaskStatus.FAILED);
		assertThat(this.taskQueue.getTask(task).orElseThrow().getException()).isEqualTo(exception);

		assertThat(this.taskQueue.retry(task)).isTrue();
		Task<Integer> done = this.taskQueue.waitFor(task, TIMEOUT);

		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(done.getResult()).isEqualTo(4);
		assertThat(RecoveryTasks.runs).containsExactly(Map.entry(4, List.of("worker-a")));
	}

	@Test
	void aLiveWorkersTaskThatRunsForSeveralLeaseTimeoutsIsNotTakenOverByAnotherLiveWorker(RedisServer server) {
		// worker A looks for lapsed leases too seldom to take its own entry back; only its renewals keep the task
		startWorker(server, "worker-a", "sheppy.worker.lease-timeout=600ms", "sheppy.worker.reclaim-interval=1m");
		Task<Integer> task = this.taskQueue.task(RecoveryTasks::work, 6000);
		this.taskQueue.add(task);
		await().atMost(TIMEOUT).until(() -> RecoveryTasks.runs.containsKey(6000));
		startWorker(server, "worker-b", "sheppy.worker.lease-timeout=600ms", "sheppy.worker.reclaim-interval=100ms");

		Task<Integer> done = this.taskQueue.waitFor(task, TIMEOUT);

		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(done.getResult()).isEqualTo(6000);
		assertThat(done.getException()).isNull();
		assertThat(RecoveryTasks.runs).containsExactly(Map.entry(6000, List.of("worker-a")));
		assertThat(pendingEntries()).isZero();
	}

	@Test
	void entriesALostWorkerTookThatHoldNoReadableTaskAreMovedAsideAsAWorkerThatReadsThemDoes(RedisServer server) {
		startWorker(server, "worker-a");
		Task<Integer> task = this.taskQueue.task(RecoveryTasks::work, 5);
		String wrongType = this.taskJson.write(task).replace("\"retry\":0,", "\"retry\":\"x\",");
		String notJson = this.lostWorker.takeEntry(null, "data", "{not json", null);
		String noData = this.lostWorker.takeEntry(null, "payload", "x", null);
		this.lostWorker.takeEntry(task.getId(), "data", wrongType, wrongType);

		await().atMost(TIMEOUT)
			.ignoreExceptions()
			.until(() -> this.taskQueue.getTask(task).map(Task::isFinished).orElse(false));

		Task<Integer> failed = this.taskQueue.getTask(task).orElseThrow();
		assertThat(failed.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(failed.getException()).isNotNull();
		assertThat(failed.getException().type()).isEqualTo("InvalidTaskException");
		assertThat(failed.getException().message()).contains("'config.retry'");
		List<MapRecord<String, Object, Object>> dead = this.redis.opsForStream()
			.range("sheppy:dead:" + QUEUE, Range.unbounded());
		assertThat(dead).hasSize(2);
		assertThat(dead.get(0).getValue()).containsEntry("entry", notJson)
			.containsEntry("data", "{not json")
			.hasEntrySatisfying("reason",
					(reason) -> assertThat(reason.toString()).startsWith("Malformed task JSON"));
		assertThat(dead.get(1).getValue()).containsEntry("entry", noData)
			.containsEntry("data", "")
			.containsEntry("reason", "it has no 'data' field");
		assertThat(pendingEntries()).isZero();
		assertThat(this.taskQueue.size()).isZero();
		assertThat(RecoveryTasks.runs).isEmpty();
	}

	private void takeAndLose(Task<?> task, boolean started, int redeliveries) {
		String queued = this.taskJson.write(task);
		String marked = started ? this.taskJson.write(task.mutate().status(TaskStatus.PROCESSING).build()) : null;
		this.lostWorker.take(task.getId(), queued, marked, redeliveries);
	}

	private long pendingEntries() {
		return this.redis.opsForStream()
			.pending("sheppy:pending:" + QUEUE, LostWorker.GROUP)
			.getTotalPendingMessages();
	}

	private void startWorker(RedisServer server, String name, String... properties) {
		List<String> all = new ArrayList<>(List.of("sheppy.queue=" + QUEUE, "sheppy.redis.consumer-name=" + name,
				"sheppy.worker.poll-timeout=250ms", "sheppy.worker.lease-timeout=" + LEASE.toMillis() + "ms",
				"sheppy.worker.reclaim-interval=" + RECLAIM.toMillis() + "ms"));
		all.addAll(List.of(properties));
		this.workers.add(WorkerApplications.start(server, WorkerApplication.class, all.toArray(String[]::new)));
	}

	static class RecoveryTasks {

		static final Map<Integer, List<String>> runs = new ConcurrentHashMap<>();

		private final String worker;

		RecoveryTasks(@Value("${sheppy.redis.consumer-name:producer}") String worker) {
			this.worker = worker;
		}

		@SheppyTask("recovery:work")
		int work(int millis) throws InterruptedException {
			runs.computeIfAbsent(millis, (key) -> new CopyOnWriteArrayList<>()).add(this.worker);
			// the work itself: a task that takes this long
			Thread.sleep(millis);
			return millis;
		}

		@SheppyTask(value = "recovery:retried-on-crash", retry = 1, retryDelay = "100ms", retryOnCrash = true)
		int retriedOnCrash(int value) {
			runs.computeIfAbsent(value, (key) -> new CopyOnWriteArrayList<>()).add(this.worker);
			return value;
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(RecoveryTasks.class)
	static class WorkerApplication {

	}

}
