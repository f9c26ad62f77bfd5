package io.sheppy.spring.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.faults.FaultChecks.Holding;
import io.sheppy.spring.faults.Submission.Accepted;
import io.sheppy.spring.faults.worker.FaultTasks;
import io.sheppy.spring.test.redis.RedisServerOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 1: {@code kill -9} one of two workers in the middle of a run of 2,000 tasks, three times, launching the
 * killed worker again each time. Every task ends completed, or crashed when it had started on a killed worker and its
 * config allows no retry on crash; a task that had started (marked processing) is run again counting the attempt, one
 * that had not is queued again without counting; none is lost or stuck; only tasks that had started on a killed worker
 * run twice; what a killed worker held is finished by the others within the lease timeout, a reclaim interval and the
 * retry delay.
 * <p>
 * To kill a worker while it runs tasks, the test freezes it ({@code SIGSTOP}), reads the stream entries it holds, their
 * records and the worker's record of runs, and kills it frozen ({@code SIGKILL}) when it is running one of them, or
 * lets it go on ({@code SIGCONT}) and tries again: the kill happens at the instant of the freeze, and the test knows
 * exactly what the worker held.
 *
 * @author Sheppy for Spring
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class WorkerKillTests {

	private static final int TASKS = 2000;

	private static final int KILLS = 3;

	/** Lease timeout (2 s), reclaim interval (0.5 s) and retry delay (1 s), with room for a busy machine. */
	private static final Duration RECOVERY_BOUND = Duration.ofMillis(3500).plusSeconds(6);

	@Test
	void everyTaskEndsCompletedOrVisiblyCrashedWhenWorkersAreKilledInTheMiddleOfARun() {
		long begin = System.nanoTime();
		try (FaultRig rig = FaultRig.start("1-worker-kills", RedisServerOptions.defaults())) {
			WorkerProcess first = rig.launchWorker("worker-1", FaultRig.FAST_RECOVERY);
			WorkerProcess second = rig.launchWorker("worker-2", FaultRig.FAST_RECOVERY);
			first.awaitReady();
			second.awaitReady();
			Producer producer = rig.producer();
			// every tenth task allows no retry on crash: it ends crashed, visibly, when its worker dies under it; tasks
			// work 10 to 50 ms, so that a worker runs tasks for a good part of the time between two batches it takes
			// (one in two, every 240 ms) and a freeze catches it running
			Submission submission = Submission.start(producer.queue(), TASKS, 8, Duration.ofMillis(120),
					(i) -> (i % 10 == 9) ? producer.workOnce(i, millis(i)) : producer.work(i, millis(i)));

			List<Kill> kills = new ArrayList<>();
			for (int k = 0; k < KILLS; k++) {
				WorkerProcess victim = (k % 2 == 0) ? first : second;
				int threshold = TASKS * (k + 1) / (KILLS + 1);
				first.awaitReady();
				second.awaitReady();
				await().atMost(Duration.ofMinutes(1)).until(() -> submission.submitted() >= threshold);
				kills.add(killWhileHoldingTasks(rig, victim));
				victim.relaunch();
			}
			List<Accepted> accepted = submission.join(Duration.ofMinutes(1));
			first.awaitReady();
			second.awaitReady();

			List<UUID> ids = accepted.stream().map((each) -> each.task().getId()).toList();
			Map<UUID, Task<Object>> states = producer.awaitFinished(ids, Duration.ofSeconds(90));
			RunLog runs = RunLog.read(rig.directory());
			List<UUID> lost = Producer.lostOrStuck(ids, states);
			// what the last kill that caught a task knew of it
			Map<UUID, Task<Object>> held = new HashMap<>();
			kills.forEach((kill) -> held.putAll(kill.held()));
			Set<UUID> started = held.keySet()
				.stream()
				.filter((id) -> held.get(id).getStatus() == TaskStatus.PROCESSING)
				.collect(Collectors.toSet());
			Set<UUID> duplicates = runs.duplicates(ids);
			Duration longest = kills.stream()
				.map((kill) -> kill.recovery(states))
				.max(Duration::compareTo)
				.orElse(null);
			long crashed = states.values().stream().filter((task) -> task.getStatus() == TaskStatus.CRASHED).count();
			FaultSummary.add(new FaultSummary.Row("1. kill -9 a worker (x" + KILLS + ")", ids.size(),
					KILLS + " worker kills, " + KILLS + " worker restarts", lost.size(), duplicates.size(), longest,
					Duration.ofNanos(System.nanoTime() - begin),
					"held/processing/running at kills " + kills.stream().map(Kill::describe).toList() + ", recoveries "
							+ kills.stream().map((kill) -> FaultSummary.seconds(kill.recovery(states))).toList()
							+ ", crashed (no retry on crash) " + crashed));

			assertThat(lost).as("tasks lost or stuck").isEmpty();
			for (UUID id : ids) {
				Task<Object> task = states.get(id);
				Task<Object> before = held.get(id);
				if (started.contains(id) && FaultTasks.WORK_ONCE.equals(task.getName())) {
					// started on a killed worker, no retry on crash: recorded as crashed
					assertThat(task.getStatus()).as("status of %s", task).isEqualTo(TaskStatus.CRASHED);
					assertThat(task.getException().type()).as("exception of %s", task).isEqualTo("WorkerLostException");
					continue;
				}
				assertThat(task.getStatus()).as("status of %s", task).isEqualTo(TaskStatus.COMPLETED);
				assertThat(task.getResult()).as("result of %s", task).isEqualTo(task.getSpec().args().get(0));
				assertThat(runs.runs(id)).as("runs of %s", task).isNotEmpty();
				if (started.contains(id)) {
					// started on a killed worker: run again, counting the attempt
					assertThat(task.getRetryCount()).as("retry count of %s", task).isGreaterThan(before.getRetryCount());
				}
				else if (before != null) {
					// taken by a killed worker but not started: queued again without counting
					assertThat(task.getRetryCount()).as("retry count of %s", task).isEqualTo(before.getRetryCount());
				}
			}
			assertThat(duplicates).as("tasks run more than once that had not started on a killed worker")
				.isSubsetOf(started);
			for (Kill kill : kills) {
				assertThat(kill.recovery(states)).as("recovery from the kill of %s", kill.worker())
					.isLessThanOrEqualTo(RECOVERY_BOUND);
				assertThat(kill.running()).as("tasks running on %s when it was killed", kill.worker()).isNotEmpty();
				for (UUID id : kill.held().keySet()) {
					if (states.get(id).getStatus() == TaskStatus.COMPLETED) {
						assertThat(runs.runs(id)).as("runs of task %s held by killed %s", id, kill.worker())
							.anySatisfy((run) -> assertThat(run.pid()).isNotEqualTo(kill.pid()));
					}
				}
				for (UUID id : kill.running()) {
					if (states.get(id).getStatus() == TaskStatus.COMPLETED) {
						assertThat(runs.runs(id)).as("runs of task %s running on killed %s", id, kill.worker())
							.anySatisfy((run) -> assertThat(run.pid()).isEqualTo(kill.pid()))
							.anySatisfy((run) -> assertThat(run.pid()).isNotEqualTo(kill.pid()));
					}
				}
			}
			assertThat(producer.redis().opsForStream().size(FaultRig.STREAM)).as("entries left in the stream").isZero();
		}
	}

	private static int millis(int i) {
		return 10 * (1 + i % 5);
	}

	/**
	 * Freeze the worker at an instant when it runs a task, then kill it frozen.
	 */
	private static Kill killWhileHoldingTasks(FaultRig rig, WorkerProcess victim) {
		Holding held = FaultChecks.freezeHolding(rig, victim, true);
		long pid = victim.pid();
		long at = System.currentTimeMillis();
		victim.kill();
		return new Kill(victim.name(), pid, at, held.records(), held.running());
	}

	/**
	 * A kill of a worker and the tasks it held.
	 *
	 * @param worker the worker's consumer name
	 * @param pid its process id
	 * @param at when it was killed, in epoch milliseconds
	 * @param held the tasks whose entries it held, as their records were then
	 * @param running the tasks among them that it was running
	 */
	private record Kill(String worker, long pid, long at, Map<UUID, Task<Object>> held, Set<UUID> running) {

		String describe() {
			return this.held.size() + "/"
					+ this.held.values().stream().filter((task) -> task.getStatus() == TaskStatus.PROCESSING).count()
					+ "/" + this.running.size();
		}

		/**
		 * Return the time from the kill until the last task it held finished.
		 */
		Duration recovery(Map<UUID, Task<Object>> states) {
			long last = this.at;
			for (UUID id : this.held.keySet()) {
				Task<Object> task = states.get(id);
				if (task == null || task.getFinishedAt() == null) {
					return Duration.ofDays(1);
				}
				last = Math.max(last, task.getFinishedAt().toEpochMilli());
			}
			return Duration.ofMillis(last - this.at);
		}

	}

}
