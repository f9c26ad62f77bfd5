package io.sheppy.spring.faults;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.faults.RunLog.Run;
import io.sheppy.spring.faults.Submission.Accepted;
import io.sheppy.spring.test.redis.RedisServerOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 5: one of two workers is stopped gracefully ({@code SIGTERM}) in the middle of a run, while it holds tasks.
 * It finishes the tasks it runs, hands back those it read and did not start, and leaves nothing claimed; the other
 * worker runs the rest at once, long before the lease timeout (30 s here) could have passed; no task is marked crashed
 * (the tasks allow no retry on crash, so a crash would show) and none is lost.
 *
 * @author Sheppy for Spring
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GracefulShutdownTests {

	private static final int TASKS = 1200;

	private static final Duration LEASE_TIMEOUT = Duration.ofSeconds(30);

	/** Far below the lease timeout: nothing waited for a lease to lapse. */
	private static final Duration AT_ONCE = Duration.ofSeconds(10);

	private static final Pattern HANDED_BACK = Pattern.compile("Handed (\\d+) unstarted task");

	@Test
	void stoppedWorkerLeavesNothingBehindAndTheOtherRunsTheRestAtOnceWithoutCrashes() {
		long started = System.nanoTime();
		try (FaultRig rig = FaultRig.start("5-graceful-shutdown", RedisServerOptions.defaults())) {
			String[] properties = { "sheppy.worker.lease-timeout=" + LEASE_TIMEOUT.toSeconds() + "s",
					"sheppy.worker.reclaim-interval=500ms" };
			WorkerProcess first = rig.launchWorker("worker-1", properties);
			WorkerProcess second = rig.launchWorker("worker-2", properties);
			first.awaitReady();
			second.awaitReady();
			Producer producer = rig.producer();
			Submission submission = Submission.start(producer.queue(), TASKS, 15, Duration.ofMillis(100),
					(i) -> producer.workOnce(i, 20 + i % 40));

			await().atMost(Duration.ofMinutes(1)).until(() -> submission.submitted() >= TASKS / 3);
			long firstPid = first.pid();
			Set<UUID> held = FaultChecks.freezeHolding(rig, first, false).records().keySet();
			long stoppedAt = System.currentTimeMillis();
			first.terminate();
			first.thaw();
			int exitCode = first.awaitExit(LEASE_TIMEOUT.plusSeconds(30));
			long exitedAt = System.currentTimeMillis();
			long leftClaimed = rig.heldCount(first.name());
			List<Accepted> accepted = submission.join(Duration.ofMinutes(1));

			List<UUID> ids = accepted.stream().map((each) -> each.task().getId()).toList();
			Map<UUID, Task<Object>> states = producer.awaitFinished(ids, Duration.ofSeconds(60));
			RunLog runs = RunLog.read(rig.directory());
			List<UUID> lost = Producer.lostOrStuck(ids, states);
			Set<UUID> duplicates = runs.duplicates(ids);
			// what the stopped worker held or might have held: everything accepted before it exited
			long lastFinished = accepted.stream()
				.filter((each) -> each.at() <= exitedAt)
				.map((each) -> states.get(each.task().getId()))
				.filter((task) -> task != null && task.getFinishedAt() != null)
				.mapToLong((task) -> task.getFinishedAt().toEpochMilli())
				.max()
				.orElse(stoppedAt);
			Duration recovery = Duration.ofMillis(Math.max(0, lastFinished - stoppedAt));
			List<UUID> unstarted = held.stream()
				.filter((id) -> runs.runs(id).stream().noneMatch((run) -> run.pid() == firstPid))
				.toList();
			int handedBack = handedBack(first.log());
			FaultSummary.add(new FaultSummary.Row("5. graceful shutdown (SIGTERM)", ids.size(),
					"1 worker SIGTERM, 0 restarts", lost.size(), duplicates.size(), recovery,
					Duration.ofNanos(System.nanoTime() - started),
					"held at SIGTERM " + held.size() + " (unstarted " + unstarted.size() + "), handed back "
							+ handedBack + ", stopped in "
							+ FaultSummary.seconds(Duration.ofMillis(exitedAt - stoppedAt)) + ", exit code "
							+ exitCode));

			assertThat(lost).as("tasks lost or stuck").isEmpty();
			assertThat(states.values()).as("tasks not completed")
				.allSatisfy((task) -> assertThat(task.getStatus()).as("status of %s", task)
					.isEqualTo(TaskStatus.COMPLETED));
			assertThat(exitCode).as("exit code of the stopped worker").isIn(0, 143);
			assertThat(first.log()).contains("Stopped worker of queue '" + FaultRig.QUEUE + "'");
			assertThat(leftClaimed).as("entries the stopped worker left claimed").isZero();
			assertThat(duplicates).as("tasks run more than once").isEmpty();
			assertThat(recovery).as("time until every task accepted before the stop finished")
				.isLessThan(AT_ONCE);
			for (UUID id : unstarted) {
				assertThat(runs.runs(id)).as("runs of unstarted task %s", id)
					.singleElement()
					.satisfies((run) -> assertThat(run.worker()).isEqualTo(second.name()));
			}
			List<Run> afterExit = runs.all().stream().filter((run) -> run.at() > exitedAt).toList();
			assertThat(afterExit).as("runs after the stopped worker exited")
				.isNotEmpty()
				.allSatisfy((run) -> assertThat(run.worker()).isEqualTo(second.name()));
			assertThat(second.isAlive()).isTrue();
		}
	}

	private static int handedBack(String log) {
		int count = 0;
		Matcher matcher = HANDED_BACK.matcher(log);
		while (matcher.find()) {
			count += Integer.parseInt(matcher.group(1));
		}
		return count;
	}

}
