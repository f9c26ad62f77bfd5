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
 * Scenario 3: Redis is unreachable for 10 seconds in the middle of a run (stopped, then started again with its data).
 * The producer's adds fail with a {@link io.sheppy.spring.backend.BackendException} meanwhile and go through again
 * afterwards; the workers reconnect by themselves; every task an add accepted finishes.
 *
 * @author Sheppy for Spring
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RedisOutageTests {

	private static final int TASKS = 1500;

	private static final Duration OUTAGE = Duration.ofSeconds(10);

	@Test
	void workersAndProducerRecoverByThemselvesAndNoTaskIsLostWhenRedisIsUnreachableFor10Seconds()
			throws InterruptedException {
		long started = System.nanoTime();
		try (FaultRig rig = FaultRig.start("3-redis-outage", RedisServerOptions.defaults().withAof(true))) {
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
			rig.server().stop();
			// the outage itself, not a wait for an outcome
			Thread.sleep(OUTAGE.toMillis());
			rig.server().start();
			long back = System.currentTimeMillis();
			List<Accepted> accepted = submission.join(Duration.ofMinutes(1));

			List<UUID> ids = accepted.stream().map((each) -> each.task().getId()).toList();
			Map<UUID, Task<Object>> states = producer.awaitFinished(ids, Duration.ofSeconds(60));
			RunLog runs = RunLog.read(rig.directory());
			List<UUID> lost = Producer.lostOrStuck(ids, states);
			Set<UUID> duplicates = runs.duplicates(ids);
			Duration resumed = FaultChecks.longestResume(runs, back, first, second);
			long producerResumed = accepted.stream().mapToLong(Accepted::at).filter((at) -> at >= back).min().orElse(0);
			FaultSummary.add(new FaultSummary.Row("3. Redis unreachable 10 s", ids.size(),
					"1 Redis outage of " + OUTAGE.toSeconds() + " s, 0 worker restarts", lost.size(), duplicates.size(),
					resumed, Duration.ofNanos(System.nanoTime() - started),
					"failed adds retried " + submission.failedAdds() + " " + submission.failures().keySet()
							+ ", producer resumed after "
							+ FaultSummary.seconds(Duration.ofMillis(Math.max(0, producerResumed - back)))));

			assertThat(lost).as("tasks lost or stuck").isEmpty();
			assertThat(states.values()).as("tasks not completed")
				.allSatisfy((task) -> assertThat(task.getStatus()).as("status of %s", task)
					.isEqualTo(TaskStatus.COMPLETED));
			assertThat(submission.failedAdds()).as("adds that failed while Redis was away").isPositive();
			assertThat(submission.failures()).as("why adds failed")
				.allSatisfy((message, count) -> assertThat(message).startsWith("BackendException: Failed to add"));
			FaultChecks.assertResumedWithoutRestart(runs, back, first, firstPid);
			FaultChecks.assertResumedWithoutRestart(runs, back, second, secondPid);
		}
	}

}
