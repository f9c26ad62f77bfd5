package io.sheppy.spring.faults;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.faults.RunLog.Run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Checks and figures shared by the scenarios.
 *
 * @author Sheppy for Spring
 */
final class FaultChecks {

	private FaultChecks() {
	}

	/**
	 * Freeze a worker ({@code SIGSTOP}) at an instant when it holds tasks: freeze it, read the stream entries it
	 * holds, and let it go on ({@code SIGCONT}) to try again a little later when it holds none. The worker stays
	 * frozen; what it held cannot change until it is thawed or killed.
	 * @param rig the rig
	 * @param worker the worker
	 * @param running whether one of the tasks it holds must be running: marked processing and started by the worker
	 * @return what it holds
	 */
	static Holding freezeHolding(FaultRig rig, WorkerProcess worker, boolean running) {
		AtomicReference<Holding> held = new AtomicReference<>();
		await(worker.name() + " to hold tasks").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> {
				worker.freeze();
				Holding holding;
				try {
					Map<UUID, Task<Object>> records = rig.producer().queue().getTasks(rig.heldBy(worker.name()));
					RunLog runs = worker.runs();
					Set<UUID> started = records.values()
						.stream()
						.filter((task) -> task.getStatus() == TaskStatus.PROCESSING && !runs.runs(task.getId()).isEmpty())
						.map(Task::getId)
						.collect(Collectors.toSet());
					holding = new Holding(records, started);
				}
				catch (RuntimeException ex) {
					worker.thaw();
					throw ex;
				}
				if (holding.records().isEmpty() || (running && holding.running().isEmpty())) {
					worker.thaw();
					return false;
				}
				held.set(holding);
				return true;
			});
		return held.get();
	}

	/**
	 * Assert that a worker is the same process as before a fault, still runs, and ran tasks after the fault.
	 * @param runs the runs of the scenario
	 * @param since when the fault ended, in epoch milliseconds
	 * @param worker the worker
	 * @param pid its process id before the fault
	 */
	static void assertResumedWithoutRestart(RunLog runs, long since, WorkerProcess worker, long pid) {
		assertThat(worker.isAlive()).as("%s is alive", worker).isTrue();
		assertThat(worker.pid()).as("process id of %s", worker.name()).isEqualTo(pid);
		assertThat(worker.log()).as("log of %s", worker.name()).containsOnlyOnce(WorkerProcess.READY_MARKER);
		assertThat(runsOf(runs, worker, since)).as("runs of %s after the fault", worker).isNotEmpty();
	}

	/**
	 * Return the longest time from the end of a fault until a worker ran a task again.
	 * @param runs the runs of the scenario
	 * @param since when the fault ended, in epoch milliseconds
	 * @param workers the workers
	 * @return the longest time, or {@code null} when a worker ran nothing since
	 */
	static @Nullable Duration longestResume(RunLog runs, long since, WorkerProcess... workers) {
		long longest = 0;
		for (WorkerProcess worker : workers) {
			List<Run> after = runsOf(runs, worker, since);
			if (after.isEmpty()) {
				return null;
			}
			longest = Math.max(longest, after.stream().mapToLong(Run::at).min().getAsLong() - since);
		}
		return Duration.ofMillis(longest);
	}

	/**
	 * What a frozen worker holds.
	 *
	 * @param records the records of the tasks whose stream entries it holds, by id
	 * @param running the ids of those it was running: marked processing, and started by it
	 */
	record Holding(Map<UUID, Task<Object>> records, Set<UUID> running) {

	}

	private static List<Run> runsOf(RunLog runs, WorkerProcess worker, long since) {
		return runs.all().stream().filter((run) -> run.pid() == worker.pid() && run.at() >= since).toList();
	}

}
