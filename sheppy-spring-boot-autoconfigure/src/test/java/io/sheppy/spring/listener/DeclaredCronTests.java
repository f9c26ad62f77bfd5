package io.sheppy.spring.listener;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

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
import io.sheppy.spring.core.SheppyFixtures;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskConfig;
import io.sheppy.spring.core.TaskCron;
import io.sheppy.spring.core.TaskSpec;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.queue.TaskQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end tests of the crons an application declares, with {@code @SheppyTask(cron = ...)} and in
 * {@code sheppy.crons}, on a real Redis: they are registered when the application starts and run by themselves, once
 * per fire time, with their arguments; a declaration that cannot work fails the start with a message that says why.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
class DeclaredCronTests {

	private static final String QUEUE = "declared";

	private static final Duration TIMEOUT = Duration.ofSeconds(15);

	static final CronRuns runs = new CronRuns();

	static final List<Instant> ticks = new CopyOnWriteArrayList<>();

	private ConfigurableApplicationContext producer;

	private TaskQueue taskQueue;

	@BeforeEach
	void startProducer(RedisServer server) {
		runs.clear();
		ticks.clear();
		this.producer = WorkerApplications.start(server, ProducerApplication.class, "sheppy.queue=" + QUEUE,
				"sheppy.worker.enabled=false");
		this.taskQueue = this.producer.getBean(TaskQueue.class);
	}

	@AfterEach
	void stopProducer() {
		this.producer.close();
	}

	@Test
	void anAnnotatedCronRunsItsMethodByItselfOncePerFireTimeAndOneWithAZoneIsAnotherCron(RedisServer server) {
		try (ConfigurableApplicationContext worker = startWorker(server, ClockApplication.class,
				"spring.application.name=clock")) {
			await().atMost(TIMEOUT).until(() -> ticks.size() >= 4 && runs.all().size() >= 2);
		}

		Map<String, TaskCron> crons = this.taskQueue.getCrons()
			.stream()
			.collect(Collectors.toMap((cron) -> cron.spec().func(), Function.identity()));
		assertThat(crons).containsOnlyKeys("clock:tick", "clock:zoned");
		TaskCron tick = crons.get("clock:tick");
		assertThat(tick.expression()).isEqualTo("* * * * * */1");
		assertThat(tick.spec()).isEqualTo(TaskSpec.of("clock:tick"));
		assertThat(tick.config()).isEqualTo(TaskConfig.DEFAULT);
		assertThat(tick.zone()).isNull();
		assertThat(tick.managedBy()).isEqualTo("spring:clock");
		TaskCron zoned = crons.get("clock:zoned");
		assertThat(zoned.zone()).isEqualTo(ZoneId.of("America/New_York"));
		assertThat(zoned.managedBy()).isEqualTo("spring:clock");
		assertThat(zoned.deterministicId()).isNotEqualTo(zoned.withZone(null).deterministicId());
		StringRedisTemplate redis = this.producer.getBean(StringRedisTemplate.class);
		String zonedJson = (String) redis.opsForHash()
			.get("sheppy:cron:" + QUEUE, zoned.deterministicId().toString());
		assertThat(SheppyFixtures.parse(zonedJson).get("zone").stringValue()).isEqualTo("America/New_York");

		// the method takes no arguments: its runs are the stored tasks of the cron, one per call
		List<Task<Object>> tickRuns = this.taskQueue.getAllTasks()
			.stream()
			.filter((task) -> tick.deterministicId().equals(task.getCronId()) && task.isFinished())
			.toList();
		assertThat(tickRuns).hasSameSizeAs(ticks).allMatch((task) -> task.getStatus() == TaskStatus.COMPLETED);
		CronRuns.assertOneRunPerFireTime(tickRuns.stream()
			.map((task) -> new CronRuns.Run(task.getId(), task.getCronId(), task.getScheduledAt(),
					task.getFinishedAt(), "clock", List.of()))
			.toList(), Duration.ofSeconds(1), 4);
		for (Task<Object> run : tickRuns) {
			assertThat(run.getId()).isEqualTo(tick.instanceTaskId(run.getScheduledAt()));
		}

		List<CronRuns.Run> zonedRuns = runs.of(zoned.deterministicId());
		assertThat(zonedRuns).hasSameSizeAs(runs.all());
		CronRuns.assertOneRunPerFireTime(zonedRuns, Duration.ofSeconds(2), 2);
		for (CronRuns.Run run : zonedRuns) {
			assertThat(run.scheduledAt().getEpochSecond() % 2).as("second of %s", run.scheduledAt()).isZero();
			assertThat(run.taskId()).isEqualTo(zoned.instanceTaskId(run.scheduledAt()))
				.isNotEqualTo(zoned.withZone(null).instanceTaskId(run.scheduledAt()));
		}
	}

	@Test
	void aCronInThePropertiesRunsItsTaskByNameWithTheArgumentsOfTheProperties(RedisServer server) {
		try (ConfigurableApplicationContext worker = startWorker(server, ReportApplication.class,
				"spring.application.name=reports", "sheppy.crons[0].task=reports:sum",
				"sheppy.crons[0].expression=* * * * * */1", "sheppy.crons[0].args[0]=2", "sheppy.crons[0].kwargs.b=40",
				"sheppy.crons[1].task=reports:label", "sheppy.crons[1].expression=* * * * * */1",
				"sheppy.crons[1].kwargs.label=daily", "sheppy.crons[2].task=pyreports:weekly",
				"sheppy.crons[2].expression=@weekly", "sheppy.crons[2].queue=python-reports",
				"sheppy.crons[2].args[0]=1", "sheppy.crons[2].zone=Europe/Paris")) {
			await().atMost(TIMEOUT)
				.until(() -> runs.all().stream().filter((run) -> run.worker().equals("sum")).count() >= 3
						&& runs.all().stream().anyMatch((run) -> run.worker().equals("label")));
		}

		TaskCron sum = this.taskQueue.getCrons().get(0);
		assertThat(this.taskQueue.getCrons()).hasSize(1);
		assertThat(sum.spec().func()).isEqualTo("reports:sum");
		assertThat(sum.managedBy()).isEqualTo("spring:reports");
		List<CronRuns.Run> sums = runs.of(sum.deterministicId());
		CronRuns.assertOneRunPerFireTime(sums, Duration.ofSeconds(1), 3);
		for (CronRuns.Run run : sums) {
			assertThat(run.worker()).isEqualTo("sum");
			assertThat(run.args()).containsExactly(2, 40);
			Task<Object> done = this.taskQueue.getTask(run.taskId()).orElseThrow();
			assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(done.getResult()).isEqualTo(42);
		}

		// the queue of the task that the application runs
		List<TaskCron> labels = this.taskQueue.queue("labels").getCrons();
		assertThat(labels).singleElement()
			.satisfies((cron) -> assertThat(cron.spec()).isEqualTo(new TaskSpec("reports:label", List.of(),
					Map.of("label", "daily"))));
		assertThat(runs.of(labels.get(0).deterministicId())).isNotEmpty()
			.allSatisfy((run) -> assertThat(run.args()).containsExactly("daily"));
		// the queue of the properties, for a task the application does not run
		List<TaskCron> python = this.taskQueue.queue("python-reports").getCrons();
		assertThat(python).singleElement().satisfies((cron) -> {
			assertThat(cron.spec().func()).isEqualTo("pyreports:weekly");
			assertThat(cron.spec().args()).hasSize(1);
			assertThat(cron.zone()).isEqualTo(ZoneId.of("Europe/Paris"));
			assertThat(cron.config()).isEqualTo(TaskConfig.DEFAULT);
			assertThat(cron.managedBy()).isEqualTo("spring:reports");
		});
	}

	@Test
	void aCronOnAMethodWithARequiredArgumentFailsTheStartNamingTheMethod(RedisServer server) {
		assertThatException().isThrownBy(() -> startWorker(server, RequiredArgumentApplication.class))
			.havingRootCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageContaining("Invalid @SheppyTask on " + RequiredArgumentTasks.class.getName() + ".needs(int)")
			.withMessageContaining("a task with a cron runs without arguments");
		assertThat(this.taskQueue.getCrons()).isEmpty();
	}

	@Test
	void anInvalidCronExpressionInTheAnnotationFailsTheStartNamingTheMethodAndTheProblem(RedisServer server) {
		assertThatException().isThrownBy(() -> startWorker(server, InvalidExpressionApplication.class))
			.havingRootCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageContaining("Invalid @SheppyTask on " + InvalidExpressionTasks.class.getName() + ".lateNight()")
			.withMessageContaining("'0 25 * * *'")
			.withMessageContaining("25");
		assertThat(this.taskQueue.getCrons()).isEmpty();
	}

	@Test
	void anUnknownZoneInTheAnnotationFailsTheStartNamingTheMethodAndTheZone(RedisServer server) {
		assertThatException().isThrownBy(() -> startWorker(server, InvalidZoneApplication.class))
			.havingRootCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageContaining("Invalid @SheppyTask on " + InvalidZoneTasks.class.getName() + ".onMars()")
			.withMessageContaining("zone 'Mars/Olympus'");
		assertThat(this.taskQueue.getCrons()).isEmpty();
	}

	@Test
	void anInvalidCronExpressionInThePropertiesFailsTheStartNamingTheTaskAndTheProblem(RedisServer server) {
		assertThatException()
			.isThrownBy(() -> startWorker(server, ReportApplication.class, "sheppy.crons[0].task=reports:sum",
					"sheppy.crons[0].expression=*/0 * * * *"))
			.satisfies((ex) -> assertThat(causes(ex)).extracting(Throwable::getMessage)
				.anySatisfy((message) -> assertThat(message).contains("task 'reports:sum'")
					.contains("'*/0 * * * *'")
					.contains("step 0")));
		assertThat(this.taskQueue.getCrons()).isEmpty();
	}

	private static List<Throwable> causes(Throwable throwable) {
		List<Throwable> causes = new ArrayList<>();
		for (Throwable cause = throwable; cause != null; cause = cause.getCause()) {
			causes.add(cause);
		}
		return causes;
	}

	private static ConfigurableApplicationContext startWorker(RedisServer server, Class<?> application,
			String... properties) {
		List<String> all = new ArrayList<>(List.of("sheppy.queue=" + QUEUE,
				"sheppy.worker.poll-timeout=250ms", "sheppy.worker.cron-interval=1s"));
		all.addAll(List.of(properties));
		return WorkerApplications.start(server, application, all.toArray(String[]::new));
	}

	static class ClockTasks {

		@SheppyTask(name = "clock:tick", cron = "* * * * * */1")
		void tick() {
			ticks.add(Instant.now());
		}

		@SheppyTask(name = "clock:zoned", cron = "* * * * * */2", zone = "America/New_York")
		void zoned(Task<?> task) {
			runs.record(task, "clock");
		}

	}

	static class ReportTasks {

		@SheppyTask("reports:sum")
		int sum(Task<?> task, int a, int b) {
			runs.record(task, "sum", a, b);
			return a + b;
		}

		@SheppyTask(name = "reports:label", queue = "labels")
		String label(Task<?> task, String label) {
			runs.record(task, "label", label);
			return label;
		}

	}

	static class RequiredArgumentTasks {

		@SheppyTask(name = "bad:needs", cron = "* * * * *")
		void needs(int count) {
		}

	}

	static class InvalidExpressionTasks {

		@SheppyTask(name = "bad:late-night", cron = "0 25 * * *")
		void lateNight() {
		}

	}

	static class InvalidZoneTasks {

		@SheppyTask(name = "bad:mars", cron = "0 9 * * *", zone = "Mars/Olympus")
		void onMars() {
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class ProducerApplication {

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(ClockTasks.class)
	static class ClockApplication {

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(ReportTasks.class)
	static class ReportApplication {

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(RequiredArgumentTasks.class)
	static class RequiredArgumentApplication {

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(InvalidExpressionTasks.class)
	static class InvalidExpressionApplication {

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(InvalidZoneTasks.class)
	static class InvalidZoneApplication {

	}

}
