package io.sheppy.spring.faults;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.faults.Submission.Accepted;
import io.sheppy.spring.test.redis.RedisServerOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 2: Redis, with an append-only file fsynced on every write, is killed ({@code SIGKILL}) and started again
 * in the middle of a run. Every task that an add accepted finishes; the same two worker processes resume on their
 * own, without a restart, and run tasks again.
 *
 * @author Sheppy for Spring
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RedisRestartTests {

	private static final int TASKS = 1200;

	@Test
	void everyAcceptedTaskFinishesAndTheSameWorkersResumeWhenRedisRestartsInTheMiddleOfARun() {
		long started = System.nanoTime();
		try (FaultRig rig = FaultRig.start("2-redis-restart", RedisServerOptions.defaults().withAof(true))) {
			WorkerProcess first = rig.launchWorker("worker-1", FaultRig.FAST_RECOVERY);
			WorkerProcess second = rig.launchWorker("worker-2", FaultRig.FAST_RECOVERY);
			first.awaitReady();
			second.awaitReady();
			long firstPid = first.pid();
			long secondPid = second.pid();
			Producer producer = rig.producer();
			Submission submission = Submission.start(producer.queue(), TASKS, 10, Duration.ofMillis(100),
					(i) -> producer.work(i, 1 + i % 5));

			await().atMost(Duration.ofMinutes(1)).until(() -> submission.submitted() >= TASKS / 4);
			rig.server().kill();
			rig.server().start();
			long back = System.currentTimeMillis();
			List<Accepted> accepted = submission.join(Duration.ofMinutes(1));

			List<UUID> ids = accepted.stream().map((each) -> each.task().getId()).toList();
			Map<UUID, Task<Object>> states = producer.awaitFinished(ids, Duration.ofSeconds(60));
			RunLog runs = RunLog.read(rig.directory());
			List<UUID> lost = Producer.lostOrStuck(ids, states);
			Set<UUID> duplicates = runs.duplicates(ids);
			Duration resumed = FaultChecks.longestResume(runs, back, first, second);
			FaultSummary.add(new FaultSummary.Row("2. Redis restart (AOF always)", ids.size(),
					"1 Redis kill -9 + start, 0 worker restarts", lost.size(), duplicates.size(), resumed,
					Duration.ofNanos(System.nanoTime() - started),
					"failed adds retried " + submission.failedAdds() + ", recovery = until both workers ran again"));

			assertThat(lost).as("tasks lost or stuck").isEmpty();
			assertThat(states.values()).as("tasks not completed")
				.allSatisfy((task) -> assertThat(task.getStatus()).as("status of %s", task)
					.isEqualTo(TaskStatus.COMPLETED));
			FaultChecks.assertResumedWithoutRestart(runs, back, first, firstPid);
			FaultChecks.assertResumedWithoutRestart(runs, back, second, secondPid);
		}
	}

}
