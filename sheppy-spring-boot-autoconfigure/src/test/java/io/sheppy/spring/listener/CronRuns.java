package io.sheppy.spring.listener;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import io.sheppy.spring.core.Task;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Records the runs of crons as the task methods see them, and checks that each fire time ran once.
 *
 * @author Sheppy for Spring
 */
final class CronRuns {

	private final List<Run> runs = new CopyOnWriteArrayList<>();

	/**
	 * Record a run.
	 * @param task the running task
	 * @param worker the worker that runs it
	 * @param args the arguments it was given
	 */
	void record(Task<?> task, String worker, @Nullable Object... args) {
		this.runs.add(new Run(task.getId(), task.getCronId(), Objects.requireNonNull(task.getScheduledAt(),
				"a cron run has a scheduled time"), Instant.now(), worker,
				(args != null) ? Arrays.asList(args) : List.of()));
	}

	void clear() {
		this.runs.clear();
	}

	List<Run> all() {
		return List.copyOf(this.runs);
	}

	List<Run> of(UUID cronId) {
		return this.runs.stream().filter((run) -> cronId.equals(run.cronId())).toList();
	}

	/**
	 * Return the fire times that ran, however often each ran.
	 * @param cronId the cron's deterministic id
	 * @return the fire times, in order
	 */
	List<Instant> fireTimes(UUID cronId) {
		return of(cronId).stream().map(Run::scheduledAt).distinct().sorted().toList();
	}

	/**
	 * Assert that each fire time from the first to the last that ran ran exactly once, not before its time, and that
	 * they are one period apart.
	 * @param runs the runs of one cron
	 * @param period the time between fire times
	 * @param atLeast the fewest fire times expected
	 */
	static void assertOneRunPerFireTime(List<Run> runs, Duration period, int atLeast) {
		Map<Instant, List<Run>> byFireTime = runs.stream()
			.collect(Collectors.groupingBy(Run::scheduledAt, TreeMap::new, Collectors.toList()));
		assertThat(byFireTime).as("runs by fire time").hasSizeGreaterThanOrEqualTo(atLeast);
		byFireTime.forEach((fireTime, ofFireTime) -> assertThat(ofFireTime).as("runs of fire time %s", fireTime)
			.singleElement()
			.satisfies((run) -> assertThat(run.ranAt()).as("when the run of %s ran", fireTime)
				.isAfterOrEqualTo(fireTime)));
		List<Instant> fireTimes = new ArrayList<>(byFireTime.keySet());
		for (int i = 1; i < fireTimes.size(); i++) {
			assertThat(Duration.between(fireTimes.get(i - 1), fireTimes.get(i)))
				.as("time between the runs of %s and %s (all: %s)", fireTimes.get(i - 1), fireTimes.get(i), fireTimes)
				.isEqualTo(period);
		}
	}

	/**
	 * A run of a cron.
	 *
	 * @param taskId the run's task id
	 * @param cronId the cron id of the run
	 * @param scheduledAt the fire time
	 * @param ranAt when it ran
	 * @param worker the worker that ran it
	 * @param args the arguments it was given
	 */
	record Run(UUID taskId, @Nullable UUID cronId, Instant scheduledAt, Instant ranAt, String worker,
			List<@Nullable Object> args) {
	}

}
