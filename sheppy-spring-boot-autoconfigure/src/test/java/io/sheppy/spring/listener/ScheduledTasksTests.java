package io.sheppy.spring.listener;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiPredicate;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.RedisServerTestConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.annotation.DirtiesContext;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.queue.TaskQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.offset;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end tests of scheduled tasks on a real Redis: {@link TaskQueue#schedule} stores a task as {@code scheduled}
 * and the worker's promoter queues it when it is due, not before and not much later, also when a task is scheduled
 * earlier than the one the promoter sleeps for.
 *
 * @author Sheppy for Spring
 */
@SpringBootTest(classes = ScheduledTasksTests.WorkerApplication.class,
		properties = { "sheppy.queue=" + ScheduledTasksTests.QUEUE, "sheppy.worker.poll-timeout=250ms" })
@DirtiesContext
class ScheduledTasksTests {

	static final String QUEUE = "scheduling";

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	/** How late a task may start after it is due. */
	private static final Duration LATENESS = Duration.ofSeconds(1);

	@Autowired
	private TaskQueue taskQueue;

	@Autowired
	private StringRedisTemplate redis;

	@Autowired
	private RedisServer server;

	@BeforeEach
	void reset() {
		this.taskQueue.clear();
		// a warm worker: the first run of an application loads classes and may start hundreds of ms late
		Task<String> warmUp = this.taskQueue.task(Clock::record, null, "warm-up");
		this.taskQueue.add(warmUp);
		this.taskQueue.waitFor(warmUp, TIMEOUT);
		Clock.started.clear();
		Clock.order.clear();
	}

	@Test
	void aTaskScheduledWithEachKindOfTimeIsStoredAsScheduledAndRunsAtItsTimeAndNotBefore() {
		Instant now = Instant.now();
		Task<String> byInstant = this.taskQueue.task(Clock::record, null, "instant");
		Task<String> byOffset = this.taskQueue.task(Clock::record, null, "offset");
		Task<String> byZone = this.taskQueue.task(Clock::record, null, "zone");
		Task<String> byDelay = this.taskQueue.task(Clock::record, null, "delay");

		assertThat(this.taskQueue.schedule(byInstant, now.plusMillis(500))).isTrue();
		assertThat(this.taskQueue.schedule(byOffset, now.plusMillis(600).atOffset(ZoneOffset.ofHours(2)))).isTrue();
		assertThat(this.taskQueue.schedule(byZone, now.plusMillis(700).atZone(ZoneId.of("America/New_York"))))
			.isTrue();
		assertThat(this.taskQueue.schedule(byDelay, Duration.ofMillis(800))).isTrue();

		List<Task<String>> tasks = List.of(byInstant, byOffset, byZone, byDelay);
		for (Task<String> task : tasks) {
			Task<String> stored = this.taskQueue.getTask(task).orElseThrow();
			assertThat(stored.getStatus()).isEqualTo(TaskStatus.SCHEDULED);
			assertThat(stored.getScheduledAt()).isNotNull();
			Double score = this.redis.opsForZSet().score("sheppy:scheduled:" + QUEUE, task.getId().toString());
			assertThat(score).as("the due time in the schedule").isNotNull();
			assertThat(score).isCloseTo(epochSeconds(stored.getScheduledAt()), offset(1e-5));
		}
		assertThat(this.taskQueue.getTask(byInstant).orElseThrow().getScheduledAt())
			.isEqualTo(now.plusMillis(500).truncatedTo(ChronoUnit.MICROS));
		assertThat(this.taskQueue.getTask(byOffset).orElseThrow().getScheduledAt())
			.isEqualTo(now.plusMillis(600).truncatedTo(ChronoUnit.MICROS));
		assertThat(this.taskQueue.getTask(byZone).orElseThrow().getScheduledAt())
			.isEqualTo(now.plusMillis(700).truncatedTo(ChronoUnit.MICROS));
		assertThat(this.taskQueue.getTask(byDelay).orElseThrow().getScheduledAt())
			.isBetween(now.plusMillis(800), Instant.now().plusMillis(800));
		assertThat(this.taskQueue.getScheduled()).extracting(Task::getId)
			.containsExactly(byInstant.getId(), byOffset.getId(), byZone.getId(), byDelay.getId());
		assertThat(this.taskQueue.size()).isZero();

		for (Task<String> task : tasks) {
			Task<String> done = this.taskQueue.waitFor(task, TIMEOUT);
			assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertRanOnTime(done);
		}
		assertThat(this.taskQueue.getScheduled()).isEmpty();
		assertThat(Clock.order).containsExactly(byInstant.getId(), byOffset.getId(), byZone.getId(),
				byDelay.getId());
	}

	@Test
	void tasksScheduledOutOfOrderRunInTheOrderOfTheirTimesAndNotBefore() {
		Instant now = Instant.now();
		int[] delays = { 700, 300, 900, 100, 500 };
		List<Task<String>> tasks = new ArrayList<>();
		for (int delay : delays) {
			Task<String> task = this.taskQueue.task(Clock::record, null, "after " + delay + " ms");
			this.taskQueue.schedule(task, now.plusMillis(delay));
			tasks.add(task);
		}

		assertThat(this.taskQueue.getScheduled()).extracting(Task::getId)
			.containsExactly(tasks.get(3).getId(), tasks.get(1).getId(), tasks.get(4).getId(), tasks.get(0).getId(),
					tasks.get(2).getId());
		for (Task<String> task : tasks) {
			assertRanOnTime(this.taskQueue.waitFor(task, TIMEOUT));
		}
		assertThat(Clock.order).containsExactly(tasks.get(3).getId(), tasks.get(1).getId(), tasks.get(4).getId(),
				tasks.get(0).getId(), tasks.get(2).getId());
	}

	@Test
	void anImmediateTaskAddedAfterAScheduledOneThatIsNotDueYetRunsFirst() {
		Task<String> later = this.taskQueue.task(Clock::record, null, "later");
		Task<String> now = this.taskQueue.task(Clock::record, null, "now");

		this.taskQueue.schedule(later, Duration.ofMillis(500));
		this.taskQueue.add(now);

		assertThat(this.taskQueue.waitFor(now, TIMEOUT).getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertRanOnTime(this.taskQueue.waitFor(later, TIMEOUT));
		assertThat(Clock.order).containsExactly(now.getId(), later.getId());
	}

	@Test
	void aTaskScheduledInThePastRunsAtOnce() {
		Task<String> task = this.taskQueue.task(Clock::record, null, "overdue");
		Instant scheduling = Instant.now();

		assertThat(this.taskQueue.schedule(task, scheduling.minus(Duration.ofHours(1)))).isTrue();

		Task<String> done = this.taskQueue.waitFor(task, TIMEOUT);
		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(Duration.between(scheduling, Clock.started.get(task.getId()))).isLessThan(LATENESS);
	}

	@Test
	void schedulingATaskWhoseIdExistsIsRefusedAndKeepsTheTaskAsItWas() {
		Task<String> scheduled = this.taskQueue.task(Clock::record, null, "once");
		Instant at = Instant.now().plus(Duration.ofMinutes(10));
		assertThat(this.taskQueue.schedule(scheduled, at)).isTrue();
		Task<String> added = this.taskQueue.task(Clock::record, null, "added");
		this.taskQueue.add(added);
		this.taskQueue.waitFor(added, TIMEOUT);

		assertThat(this.taskQueue.schedule(scheduled, Instant.now())).isFalse();
		assertThat(this.taskQueue.schedule(scheduled, Duration.ZERO)).isFalse();
		assertThat(this.taskQueue.schedule(added, Instant.now())).isFalse();

		assertThat(this.taskQueue.getTask(scheduled).orElseThrow().getScheduledAt())
			.isEqualTo(at.truncatedTo(ChronoUnit.MICROS));
		assertThat(this.taskQueue.getTask(added).orElseThrow().getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(this.taskQueue.getScheduled()).extracting(Task::getId).containsExactly(scheduled.getId());
		assertThat(Clock.started).containsOnlyKeys(added.getId());
	}

	@Test
	@SuppressWarnings("deprecation")
	void aLocalDateTimeIsRefusedWithAMessageThatExplainsWhyAndNothingIsStored() {
		Task<String> task = this.taskQueue.task(Clock::record, null, "local");

		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.taskQueue.schedule(task, LocalDateTime.of(2030, 1, 1, 9, 0)))
			.withMessageContaining(task.getId().toString())
			.withMessageContaining("2030-01-01T09:00")
			.withMessageContaining("has no time zone")
			.withMessageContaining("Instant")
			.withMessageContaining("OffsetDateTime")
			.withMessageContaining("ZonedDateTime");
		assertThat(this.taskQueue.getTask(task)).isEmpty();
		assertThat(this.taskQueue.getScheduled()).isEmpty();
		assertThat(this.redis.hasKey("sheppy:scheduled:" + QUEUE)).isFalse();
	}

	@Test
	void aTaskScheduledByAnotherApplicationBeforeTheTaskThePromoterSleepsForRunsAtItsTime() {
		try (ConfigurableApplicationContext producer = WorkerApplications.start(this.server, ProducerApplication.class,
				"sheppy.queue=" + QUEUE, "sheppy.worker.enabled=false")) {
			TaskQueue producerQueue = producer.getBean(TaskQueue.class);
			Task<String> far = producerQueue.task(Clock::record, null, "far");
			producerQueue.schedule(far, Duration.ofSeconds(60));
			// the promoter has seen the far task and sleeps until it is due, at most its fallback of 5 s
			awaitPromoterSleeping();

			Task<String> soon = producerQueue.task(Clock::record, null, "soon");
			producerQueue.schedule(soon, Duration.ofMillis(300));

			Task<String> done = producerQueue.waitFor(soon, TIMEOUT);
			assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertRanOnTime(done);
			assertThat(lateness(done)).as("well before the promoter's fallback of %s", ScheduledTaskPromoter.MAX_WAIT)
				.isLessThan(LATENESS);
			assertThat(producerQueue.getTask(far).orElseThrow().getStatus()).isEqualTo(TaskStatus.SCHEDULED);
		}
	}

	@Test
	void aTaskScheduledByTheSameApplicationBeforeTheTaskThePromoterSleepsForRunsAtItsTime() {
		Task<String> far = this.taskQueue.task(Clock::record, null, "far");
		this.taskQueue.schedule(far, Duration.ofSeconds(60));
		awaitPromoterSleeping();

		Task<String> soon = this.taskQueue.task(Clock::record, null, "soon");
		this.taskQueue.schedule(soon, Duration.ofMillis(300));

		Task<String> done = this.taskQueue.waitFor(soon, TIMEOUT);
		assertRanOnTime(done);
		assertThat(lateness(done)).as("well before the promoter's fallback of %s", ScheduledTaskPromoter.MAX_WAIT)
			.isLessThan(LATENESS);
	}

	/**
	 * Wait until the promoter of the queue sleeps in its wait for a change of the schedule, so that a task scheduled
	 * now is promoted in time only when the change wakes it.
	 */
	private static void awaitPromoterSleeping() {
		String name = "sheppy-" + QUEUE + "-scheduler";
		BiPredicate<Thread, StackTraceElement[]> sleeping = (thread, stack) -> thread.getName().equals(name)
				&& thread.getState() == Thread.State.TIMED_WAITING && List.of(stack)
					.stream()
					.anyMatch((frame) -> frame.getMethodName().equals("awaitScheduleChange"));
		await().atMost(TIMEOUT)
			.until(() -> Thread.getAllStackTraces()
				.entrySet()
				.stream()
				.anyMatch((entry) -> sleeping.test(entry.getKey(), entry.getValue())));
	}

	private static void assertRanOnTime(Task<?> task) {
		assertThat(task.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		Instant due = task.getScheduledAt();
		Instant started = Clock.started.get(task.getId());
		assertThat(started).as("start of task %s", task.getId()).isNotNull();
		assertThat(started).as("start of task %s, due at %s", task.getId(), due).isAfterOrEqualTo(due);
		assertThat(Duration.between(due, started)).as("lateness of task %s", task.getId()).isLessThan(LATENESS);
	}

	private static Duration lateness(Task<?> task) {
		return Duration.between(task.getScheduledAt(), Clock.started.get(task.getId()));
	}

	private static double epochSeconds(Instant instant) {
		return instant.getEpochSecond() + instant.getNano() / 1e9;
	}

	static class Clock {

		static final Map<UUID, Instant> started = new ConcurrentHashMap<>();

		static final List<UUID> order = new CopyOnWriteArrayList<>();

		@SheppyTask("scheduling:record")
		String record(Task<?> task, String label) {
			started.put(task.getId(), Instant.now());
			order.add(task.getId());
			return label;
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ RedisServerTestConfiguration.class, Clock.class })
	static class WorkerApplication {

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(Clock.class)
	static class ProducerApplication {

	}

}
