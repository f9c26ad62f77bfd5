package io.sheppy.spring.listener;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.util.backoff.FixedBackOff;

import io.sheppy.spring.backend.MemoryBackend;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskConfig;
import io.sheppy.spring.core.TaskCron;
import io.sheppy.spring.core.TaskSpec;
import io.sheppy.spring.core.TaskStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests of the runs that one look of {@link CronScheduler} schedules: those within twice the interval after the time
 * of the look, on the wall clock of the cron's zone, each once.
 *
 * @author Sheppy for Spring
 */
class CronSchedulerTests {

	private static final String QUEUE = "crons";

	private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

	private final MemoryBackend backend = new MemoryBackend();

	@Test
	void aLookSchedulesTheFireTimesWithinTwiceTheIntervalWithPythonsIdsAndOnlyOnce() {
		TaskCron cron = add(TaskCron.of("*/10 * * * *", TaskSpec.of("tests:report", 1), TaskConfig.DEFAULT));
		CronScheduler scheduler = scheduler(Duration.ofMinutes(10));

		List<Task<Object>> runs = scheduler.scheduleRuns(Instant.parse("2027-01-01T09:00:00Z"));

		assertThat(runs).extracting(Task::getScheduledAt)
			.containsExactly(Instant.parse("2027-01-01T09:10:00Z"), Instant.parse("2027-01-01T09:20:00Z"));
		assertThat(runs).allSatisfy((run) -> {
			assertThat(run.getId())
				.isEqualTo(PythonCronIds.instanceTaskId(cron.deterministicId(), run.getScheduledAt()));
			assertThat(run.getCronId()).isEqualTo(cron.deterministicId());
			assertThat(run.getStatus()).isEqualTo(TaskStatus.SCHEDULED);
			assertThat(run.getSpec()).isEqualTo(cron.spec());
		});
		assertThat(scheduler.scheduleRuns(Instant.parse("2027-01-01T09:15:00Z"))).as("the look after")
			.extracting(Task::getScheduledAt)
			.containsExactly(Instant.parse("2027-01-01T09:30:00Z"));
		assertThat(scheduler.scheduleRuns(Instant.parse("2027-01-01T09:15:00Z"))).as("the same look again").isEmpty();
		assertThat(this.backend.getScheduled(QUEUE)).hasSize(3);
	}

	@Test
	void aFireTimeBeforeTheLookIsNotScheduled() {
		add(TaskCron.of("0 9 * * *", TaskSpec.of("tests:report"), TaskConfig.DEFAULT));

		assertThat(scheduler(Duration.ofHours(1)).scheduleRuns(Instant.parse("2027-01-01T09:00:01Z"))).isEmpty();
		assertThat(this.backend.getScheduled(QUEUE)).isEmpty();
	}

	@Test
	void theFireTimesOfACronWithAZoneFollowTheWallClockOfItsZone() {
		add(TaskCron.of("30 9 * * *", TaskSpec.of("tests:report"), TaskConfig.DEFAULT)
			.withZone(ZoneId.of("Asia/Kolkata")));
		add(TaskCron.of("30 9 * * *", TaskSpec.of("tests:report"), TaskConfig.DEFAULT));

		// 09:30 in Kolkata (UTC+5:30) is 04:00 UTC; 09:30 UTC is beyond the two hours of the look
		assertThat(scheduler(Duration.ofHours(1)).scheduleRuns(Instant.parse("2027-01-01T03:00:00Z")))
			.singleElement()
			.satisfies((run) -> assertThat(run.getScheduledAt()).isEqualTo(Instant.parse("2027-01-01T04:00:00Z")));
	}

	@Test
	void aFireTimeInTheGapWhenClocksGoForwardIsScheduledOnceWhenTheClockJumps() {
		add(TaskCron.of("30 2 * * *", TaskSpec.of("tests:report"), TaskConfig.DEFAULT).withZone(BERLIN));

		// on 28 March 2027 Berlin's clocks jump from 02:00 to 03:00 (01:00 UTC): 02:30 runs at 03:30 summer time
		assertThat(scheduler(Duration.ofHours(2)).scheduleRuns(Instant.parse("2027-03-27T23:00:00Z")))
			.extracting(Task::getScheduledAt)
			.containsExactly(Instant.parse("2027-03-28T01:30:00Z"));
	}

	@Test
	void aFireTimeThatOccursTwiceWhenClocksGoBackIsScheduledOnce() {
		add(TaskCron.of("30 2 * * *", TaskSpec.of("tests:report"), TaskConfig.DEFAULT).withZone(BERLIN));

		// on 31 October 2027 Berlin's clocks go back from 03:00 to 02:00 (01:00 UTC): 02:30 is 00:30 and 01:30 UTC
		assertThat(scheduler(Duration.ofHours(2)).scheduleRuns(Instant.parse("2027-10-30T23:00:00Z")))
			.extracting(Task::getScheduledAt)
			.containsExactly(Instant.parse("2027-10-31T00:30:00Z"));
	}

	private TaskCron add(TaskCron cron) {
		assertThat(this.backend.addCron(QUEUE, cron)).isTrue();
		return cron;
	}

	private CronScheduler scheduler(Duration interval) {
		return new CronScheduler(this.backend, QUEUE, interval, new FixedBackOff(100, 1));
	}

}
