package io.sheppy.spring.listener;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.core.CronSchedule;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskCron;
import io.sheppy.spring.core.TaskStatus;

import org.springframework.util.backoff.BackOff;

/**
 * Turns the crons of a queue into scheduled runs: every interval, each fire time due within twice the interval
 * becomes a scheduled task whose id is derived from the cron and the fire time, as Python Sheppy derives it. Every
 * worker of the queue does this, and the ids make each fire time run once.
 * <p>
 * A fire time is scheduled ahead of time; the scheduled task then runs at its time like any other. Fire times that
 * passed while no worker ran are not made up for: a worker that starts schedules the fire times ahead of it, and a
 * run that was scheduled before the workers stopped runs once, late, when a worker starts.
 *
 * @author Sheppy for Spring
 */
final class CronScheduler {

	private static final Logger logger = LoggerFactory.getLogger(CronScheduler.class);

	/** The most runs of one cron scheduled in one look. */
	private static final int MAX_RUNS = 100;

	private final Backend backend;

	private final String queue;

	private final Duration interval;

	private final Map<String, CronSchedule> schedules = new ConcurrentHashMap<>();

	private final Set<String> reported = ConcurrentHashMap.newKeySet();

	private final BackgroundLoop loop;

	CronScheduler(Backend backend, String queue, Duration interval, BackOff backOff) {
		this.backend = backend;
		this.queue = queue;
		this.interval = interval;
		this.loop = new BackgroundLoop("sheppy-" + queue + "-crons", this::scheduleAndWait, backOff, interval, logger,
				"schedule the cron runs of queue '" + queue + "'");
	}

	void start() {
		this.loop.start();
	}

	void stop() {
		this.loop.stop();
	}

	private void scheduleAndWait() {
		scheduleRuns(Instant.now());
		OutcomeWriter.pause(this.interval.toMillis());
	}

	/**
	 * Schedule the runs of the queue's crons that are due after {@code now} and within twice the interval.
	 * @param now the current time
	 * @return the runs scheduled by this call
	 */
	List<Task<Object>> scheduleRuns(Instant now) {
		Instant horizon = now.plus(this.interval.multipliedBy(2));
		List<Task<Object>> scheduled = new ArrayList<>();
		List<TaskCron> crons = this.backend.getCrons(this.queue);
		for (TaskCron cron : crons) {
			CronSchedule schedule = schedule(cron);
			if (schedule == null) {
				continue;
			}
			ZoneId zone = (cron.zone() != null) ? cron.zone() : ZoneOffset.UTC;
			Instant after = now;
			for (int runs = 0; runs < MAX_RUNS; runs++) {
				Instant fireTime = schedule.next(after, zone);
				if (fireTime.isAfter(horizon)) {
					break;
				}
				Task<Object> run = run(cron, fireTime);
				if (this.backend.schedule(this.queue, run, fireTime, true)) {
					scheduled.add(run);
				}
				after = fireTime;
			}
		}
		if (!scheduled.isEmpty()) {
			removeRunsOfDeletedCrons(scheduled);
		}
		return scheduled;
	}

	/**
	 * Return the run of a cron at a fire time, with the id Python Sheppy gives it.
	 */
	static Task<Object> run(TaskCron cron, Instant fireTime) {
		return Task.builder(cron.spec())
			.id(cron.instanceTaskId(fireTime))
			.config(cron.config())
			.status(TaskStatus.SCHEDULED)
			.scheduledAt(fireTime)
			.cronId(cron.deterministicId())
			.build();
	}

	/**
	 * A cron deleted while its runs were being scheduled may have left a run behind: remove those.
	 */
	private void removeRunsOfDeletedCrons(List<Task<Object>> scheduled) {
		Set<UUID> existing = this.backend.getCrons(this.queue)
			.stream()
			.map(TaskCron::deterministicId)
			.collect(Collectors.toSet());
		for (Task<Object> run : scheduled) {
			if (!existing.contains(run.getCronId())) {
				this.backend.cancel(this.queue, run.getId())
					.ifPresent((cancelled) -> this.backend.delete(this.queue, cancelled.getId()));
			}
		}
	}

	private @Nullable CronSchedule schedule(TaskCron cron) {
		try {
			return this.schedules.computeIfAbsent(cron.expression(), CronSchedule::parse);
		}
		catch (IllegalArgumentException ex) {
			if (this.reported.add(cron.expression())) {
				logger.error("Cron {} of queue '{}' ({}) is not scheduled: {}", cron.id(), this.queue,
						cron.spec().func(), ex.getMessage());
			}
			return null;
		}
	}

}
