package io.sheppy.spring.listener;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

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

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskCron;
import io.sheppy.spring.queue.TaskQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end tests of how workers turn crons into runs on a real Redis: many workers run each fire time once, a
 * deleted cron takes its scheduled runs with it, and fire times missed while no worker ran follow the policy of
 * {@link CronScheduler}.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
class CronSchedulingTests {

	private static final String QUEUE = "beats";

	private static final String EVERY_SECOND = "* * * * * */1";

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	static final CronRuns runs = new CronRuns();

	private ConfigurableApplicationContext producer;

	private TaskQueue taskQueue;

	@BeforeEach
	void startProducer(RedisServer server) {
		runs.clear();
		this.producer = WorkerApplications.start(server, ProducerApplication.class, "sheppy.queue=" + QUEUE,
				"sheppy.worker.enabled=false");
		this.taskQueue = this.producer.getBean(TaskQueue.class);
	}

	@AfterEach
	void stopProducer() {
		this.producer.close();
	}

	@Test
	void threeWorkersRunEachFireTimeOfACronExactlyOnce(RedisServer server) {
		List<ConfigurableApplicationContext> workers = new ArrayList<>();
		Instant allStarted;
		try {
			for (String name : List.of("worker-a", "worker-b", "worker-c")) {
				workers.add(startWorker(server, DeclaredBeatApplication.class, name, "500ms"));
			}
			allStarted = Instant.now();
			await().atMost(TIMEOUT)
				.until(() -> runs.all().stream().filter((run) -> run.scheduledAt().isAfter(allStarted)).count() >= 6);
		}
		finally {
			workers.forEach(ConfigurableApplicationContext::close);
		}

		TaskCron cron = this.taskQueue.getCrons().get(0);
		assertThat(this.taskQueue.getCrons()).hasSize(1);
		List<CronRuns.Run> ran = runs.all();
		assertThat(ran).allSatisfy((run) -> {
			assertThat(run.cronId()).isEqualTo(cron.deterministicId());
			assertThat(run.taskId()).isEqualTo(cron.instanceTaskId(run.scheduledAt()));
		});
		CronRuns.assertOneRunPerFireTime(ran, Duration.ofSeconds(1), 6);
		Set<UUID> stored = this.taskQueue.getAllTasks()
			.stream()
			.filter((task) -> cron.deterministicId().equals(task.getCronId()))
			.map(Task::getId)
			.collect(Collectors.toSet());
		assertThat(stored).as("one task per fire time").containsAll(ran.stream().map(CronRuns.Run::taskId).toList());
	}

	@Test
	void deletingACronRemovesItsScheduledRunsAndNoneRunsAfterwards(RedisServer server) {
		Task<Object> beat = this.taskQueue.task("beats:beat").build();
		assertThat(this.taskQueue.addCron(beat, EVERY_SECOND)).isTrue();
		UUID cronId = this.taskQueue.getCrons().get(0).deterministicId();
		// a look every 2 s schedules the runs of the next 4 s
		try (ConfigurableApplicationContext worker = startWorker(server, BeatApplication.class, "worker-a", "2s")) {
			await().atMost(TIMEOUT).until(() -> !runs.of(cronId).isEmpty() && scheduledRuns(cronId).size() >= 3);
			List<Task<Object>> ahead = scheduledRuns(cronId);

			assertThat(this.taskQueue.deleteCron(beat, EVERY_SECOND)).isTrue();
			Instant deleted = Instant.now();

			assertThat(this.taskQueue.getCrons()).isEmpty();
			assertThat(scheduledRuns(cronId)).isEmpty();
			List<Task<Object>> notYetDue = ahead.stream()
				.filter((run) -> run.getScheduledAt().isAfter(deleted))
				.toList();
			assertThat(notYetDue).isNotEmpty()
				.allSatisfy((run) -> assertThat(this.taskQueue.getTask(run.getId())).as("run %s", run.getId())
					.isEmpty());
			// longer than two looks of the worker and its runs scheduled before the delete
			await().during(Duration.ofSeconds(5))
				.atMost(Duration.ofSeconds(7))
				.until(() -> runs.of(cronId).stream().noneMatch((run) -> run.scheduledAt().isAfter(deleted)));
			assertThat(scheduledRuns(cronId)).isEmpty();
		}
	}

	@Test
	void fireTimesMissedWhileNoWorkerRanAreSkippedAndRunsScheduledBeforeTheStopRunOnceLate(RedisServer server) {
		Task<Object> beat = this.taskQueue.task("beats:beat").build();
		assertThat(this.taskQueue.addCron(beat, EVERY_SECOND)).isTrue();
		TaskCron cron = this.taskQueue.getCrons().get(0);
		UUID cronId = cron.deterministicId();
		// a look every second schedules the runs of the next 2 s
		try (ConfigurableApplicationContext workerA = startWorker(server, BeatApplication.class, "worker-a", "1s")) {
			await().atMost(TIMEOUT).until(() -> runs.of(cronId).size() >= 2);
		}
		Set<UUID> ranBeforeTheStop = runs.of(cronId).stream().map(CronRuns.Run::taskId).collect(Collectors.toSet());
		// the runs that worker A scheduled and did not run: in the schedule, or already in the queue
		List<Task<Object>> left = this.taskQueue.getAllTasks()
			.stream()
			.filter((task) -> cronId.equals(task.getCronId()) && !ranBeforeTheStop.contains(task.getId()))
			.sorted(Comparator.comparing(Task::getScheduledAt))
			.toList();
		assertThat(left).as("runs scheduled ahead by worker A").isNotEmpty().noneMatch(Task::isFinished);
		Instant lastScheduled = left.get(left.size() - 1).getScheduledAt();
		// no worker runs for at least 2 fire times after the last run that was scheduled
		Instant gapEnd = lastScheduled.plusSeconds(3);
		await().atMost(TIMEOUT).until(() -> Instant.now().isAfter(gapEnd));

		Instant restarted = Instant.now();
		try (ConfigurableApplicationContext workerB = startWorker(server, BeatApplication.class, "worker-b", "1s")) {
			await().atMost(TIMEOUT)
				.until(() -> runs.of(cronId)
					.stream()
					.filter((run) -> run.scheduledAt().isAfter(restarted))
					.count() >= 3);
		}

		List<CronRuns.Run> ran = runs.of(cronId);
		// each run scheduled before the stop ran once, late, on worker B
		for (Task<Object> run : left) {
			assertThat(ran).filteredOn((candidate) -> candidate.taskId().equals(run.getId()))
				.as("runs of the fire time %s scheduled before the stop", run.getScheduledAt())
				.singleElement()
				.satisfies((late) -> {
					assertThat(late.worker()).isEqualTo("worker-b");
					assertThat(late.ranAt()).isAfter(restarted);
					assertThat(late.ranAt()).isAfterOrEqualTo(late.scheduledAt().plusSeconds(1));
				});
		}
		// the fire times between them and the restart were never scheduled and never run
		List<Instant> skipped = new ArrayList<>();
		for (Instant fireTime = lastScheduled.plusSeconds(1); !fireTime.isAfter(restarted); fireTime = fireTime
			.plusSeconds(1)) {
			skipped.add(fireTime);
		}
		assertThat(skipped).hasSizeGreaterThanOrEqualTo(2);
		assertThat(ran).extracting(CronRuns.Run::scheduledAt).doesNotContainAnyElementsOf(skipped);
		for (Instant fireTime : skipped) {
			assertThat(this.taskQueue.getTask(cron.instanceTaskId(fireTime))).as("run of %s", fireTime).isEmpty();
		}
		// before the stop, and after the restart, each fire time ran once
		CronRuns.assertOneRunPerFireTime(
				ran.stream().filter((run) -> !run.scheduledAt().isAfter(lastScheduled)).toList(),
				Duration.ofSeconds(1), 2 + left.size());
		CronRuns.assertOneRunPerFireTime(ran.stream().filter((run) -> run.scheduledAt().isAfter(restarted)).toList(),
				Duration.ofSeconds(1), 3);
	}

	private List<Task<Object>> scheduledRuns(UUID cronId) {
		return this.taskQueue.getScheduled().stream().filter((task) -> cronId.equals(task.getCronId())).toList();
	}

	private static ConfigurableApplicationContext startWorker(RedisServer server, Class<?> application, String name,
			String cronInterval) {
		return WorkerApplications.start(server, application, "sheppy.queue=" + QUEUE,
				"sheppy.redis.consumer-name=" + name, "spring.application.name=beats",
				"sheppy.worker.poll-timeout=250ms", "sheppy.worker.cron-interval=" + cronInterval);
	}

	static class BeatTasks {

		private final String worker;

		BeatTasks(@Value("${sheppy.redis.consumer-name}") String worker) {
			this.worker = worker;
		}

		@SheppyTask("beats:beat")
		void beat(Task<?> task) {
			runs.record(task, this.worker);
		}

	}

	static class DeclaredBeatTasks {

		private final String worker;

		DeclaredBeatTasks(@Value("${sheppy.redis.consumer-name}") String worker) {
			this.worker = worker;
		}

		@SheppyTask(name = "beats:declared", cron = EVERY_SECOND)
		void beat(Task<?> task) {
			runs.record(task, this.worker);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class ProducerApplication {

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(BeatTasks.class)
	static class BeatApplication {

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(DeclaredBeatTasks.class)
	static class DeclaredBeatApplication {

	}

}
