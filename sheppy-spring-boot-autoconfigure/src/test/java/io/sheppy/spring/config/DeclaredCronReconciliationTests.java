package io.sheppy.spring.config;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskCron;
import io.sheppy.spring.queue.TaskQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end tests of {@link DeclaredCronRegistrar} on a real Redis: when an application starts again without a cron
 * it declared before, the cron and its scheduled runs are removed, while crons added through the API and crons that
 * other applications declare are left alone.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
class DeclaredCronReconciliationTests {

	private static final String QUEUE = "billing";

	private static final String EVERY_SECOND = "* * * * * */1";

	private static final Duration TIMEOUT = Duration.ofSeconds(15);

	static final List<Run> runs = new CopyOnWriteArrayList<>();

	private ConfigurableApplicationContext producer;

	private TaskQueue taskQueue;

	@BeforeEach
	void startProducer(RedisServer server) {
		runs.clear();
		this.producer = start(server, ProducerApplication.class, "sheppy.worker.enabled=false");
		this.taskQueue = this.producer.getBean(TaskQueue.class);
	}

	@AfterEach
	void stopProducer() {
		this.producer.close();
	}

	@Test
	void aCronTheApplicationNoLongerDeclaresIsRemovedWithItsScheduledRunsAndOthersAreLeftAlone(RedisServer server) {
		// a cron added through the API, and one that another application declares, on the same queue
		Task<Object> apiReport = this.taskQueue.task("billing:report").args(2).build();
		assertThat(this.taskQueue.addCron(apiReport, "0 9 * * *")).isTrue();
		start(server, ProducerApplication.class, "spring.application.name=audit", "sheppy.crons[0].task=billing:report",
				"sheppy.crons[0].args[0]=3", "sheppy.crons[0].expression=0 10 * * *",
				"sheppy.crons[0].queue=" + QUEUE)
			.close();
		Map<String, TaskCron> before = cronsByFunc(QUEUE);
		assertThat(before).containsOnlyKeys("billing:report");

		// a look every 2 s schedules the runs of the next 4 s
		ConfigurableApplicationContext first = start(server, BillingApplication.class,
				"spring.application.name=billing", "sheppy.worker.cron-interval=2s",
				"sheppy.crons[0].task=billing:report", "sheppy.crons[0].args[0]=1",
				"sheppy.crons[0].expression=" + EVERY_SECOND);
		try {
			assertThat(this.taskQueue.getCrons()).hasSize(5);
			UUID reminders = cronsByFunc(QUEUE).get("billing:remind").deterministicId();
			UUID archive = this.taskQueue.queue("archive").getCrons().get(0).deterministicId();
			await().atMost(TIMEOUT)
				.until(() -> scheduledRuns(QUEUE, reminders).size() >= 2
						&& scheduledRuns("archive", archive).size() >= 2 && ranCron(reminders) && ranCron(archive));
		}
		finally {
			first.close();
		}
		Instant stopped = Instant.now();
		List<TaskCron> all = new ArrayList<>(this.taskQueue.getCrons());
		all.addAll(this.taskQueue.queue("archive").getCrons());
		TaskCron invoices = find(all, "billing:invoice", null);
		TaskCron reminders = find(all, "billing:remind", null);
		TaskCron archive = find(all, "billing:archive", null);
		TaskCron dailyReport = find(all, "billing:report", 1);
		TaskCron apiCron = find(all, "billing:report", 2);
		TaskCron auditCron = find(all, "billing:report", 3);
		assertThat(apiCron.managedBy()).isNull();
		assertThat(auditCron.managedBy()).isEqualTo("spring:audit");
		assertThat(List.of(invoices, reminders, archive, dailyReport)).extracting(TaskCron::managedBy)
			.containsOnly("spring:billing");
		Set<UUID> dropped = Set.of(reminders.deterministicId(), archive.deterministicId(),
				dailyReport.deterministicId());
		List<Task<Object>> left = new ArrayList<>(scheduledRuns(QUEUE, reminders.deterministicId()));
		left.addAll(scheduledRuns(QUEUE, dailyReport.deterministicId()));
		left.addAll(scheduledRuns("archive", archive.deterministicId()));
		assertThat(left).as("runs scheduled ahead of the dropped crons").isNotEmpty();

		// the application starts again without the reminder and archive tasks and without the property cron
		try (ConfigurableApplicationContext second = start(server, SlimBillingApplication.class,
				"spring.application.name=billing", "sheppy.worker.cron-interval=2s")) {
			assertThat(this.taskQueue.getCrons()).extracting(TaskCron::deterministicId)
				.containsExactlyInAnyOrder(invoices.deterministicId(), apiCron.deterministicId(),
						auditCron.deterministicId());
			assertThat(this.taskQueue.queue("archive").getCrons()).isEmpty();
			assertThat(this.taskQueue.getScheduled()).extracting(Task::getCronId).doesNotContainAnyElementsOf(dropped);
			assertThat(this.taskQueue.queue("archive").getScheduled()).isEmpty();
			for (Task<Object> run : left) {
				assertThat(this.taskQueue.getTask(run.getId())).as("run %s", run.getId()).isEmpty();
			}
			// the cron it still declares goes on; none of the dropped ones runs again
			await().atMost(TIMEOUT)
				.until(() -> runs.stream()
					.anyMatch((run) -> run.cronId().equals(invoices.deterministicId())
							&& run.scheduledAt().isAfter(stopped)));
			await().during(Duration.ofSeconds(3))
				.atMost(Duration.ofSeconds(4))
				.until(() -> runs.stream()
					.noneMatch((run) -> dropped.contains(run.cronId()) && run.scheduledAt().isAfter(stopped)));
		}
	}

	private boolean ranCron(UUID cronId) {
		return runs.stream().anyMatch((run) -> run.cronId().equals(cronId));
	}

	private Map<String, TaskCron> cronsByFunc(String queue) {
		return this.taskQueue.queue(queue)
			.getCrons()
			.stream()
			.collect(Collectors.toMap((cron) -> cron.spec().func(), Function.identity(), (a, b) -> a));
	}

	private List<Task<Object>> scheduledRuns(String queue, UUID cronId) {
		return this.taskQueue.queue(queue)
			.getScheduled()
			.stream()
			.filter((task) -> cronId.equals(task.getCronId()))
			.toList();
	}

	private static TaskCron find(List<TaskCron> crons, String func, Object firstArgument) {
		return crons.stream()
			.filter((cron) -> cron.spec().func().equals(func))
			.filter((cron) -> firstArgument == null
					|| (!cron.spec().args().isEmpty() && String.valueOf(firstArgument)
						.equals(String.valueOf(cron.spec().args().get(0)))))
			.findFirst()
			.orElseThrow(() -> new AssertionError("No cron of " + func + " " + firstArgument + " in " + crons));
	}

	private static ConfigurableApplicationContext start(RedisServer server, Class<?> application,
			String... properties) {
		List<String> all = new ArrayList<>(List.of("spring.data.redis.host=" + server.host(),
				"spring.data.redis.port=" + server.port(), "sheppy.queue=" + QUEUE,
				"sheppy.worker.poll-timeout=250ms"));
		all.addAll(List.of(properties));
		return new SpringApplicationBuilder(application).web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.properties(all.toArray(String[]::new))
			.run();
	}

	record Run(UUID cronId, Instant scheduledAt) {

		static void record(Task<?> task) {
			runs.add(new Run(task.getCronId(), task.getScheduledAt()));
		}

	}

	static class InvoiceTasks {

		@SheppyTask(name = "billing:invoice", cron = EVERY_SECOND)
		void invoice(Task<?> task) {
			Run.record(task);
		}

		@SheppyTask("billing:report")
		void report(Task<?> task, int day) {
			Run.record(task);
		}

	}

	static class ReminderTasks {

		@SheppyTask(name = "billing:remind", cron = EVERY_SECOND)
		void remind(Task<?> task) {
			Run.record(task);
		}

		@SheppyTask(name = "billing:archive", queue = "archive", cron = EVERY_SECOND)
		void archive(Task<?> task) {
			Run.record(task);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class ProducerApplication {

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ InvoiceTasks.class, ReminderTasks.class })
	static class BillingApplication {

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(InvoiceTasks.class)
	static class SlimBillingApplication {

	}

}
