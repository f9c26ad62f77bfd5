package io.sheppy.benchmarks;

import io.sheppy.spring.annotation.SheppyTask;

/**
 * The tasks of the benchmark: they do nothing but tell the {@link TaskProbe} that they started, so that what is
 * measured is the queue.
 *
 * @author Sheppy for Spring
 */
public class BenchmarkTasks {

	/** The queue of all benchmark tasks. */
	public static final String QUEUE = "bench";

	private final TaskProbe probe;

	public BenchmarkTasks(TaskProbe probe) {
		this.probe = probe;
	}

	/**
	 * A no-op task, counted.
	 * @param sequence a number that makes the arguments of tasks differ, as real arguments do
	 */
	@SheppyTask(name = "bench:noop", queue = QUEUE)
	public void noop(long sequence) {
		this.probe.ran();
	}

	/**
	 * A no-op task that records its pickup latency.
	 * @param addedAtNanos {@link System#nanoTime()} just before the task was added
	 */
	@SheppyTask(name = "bench:pickup", queue = QUEUE)
	public void pickup(long addedAtNanos) {
		this.probe.pickedUp(addedAtNanos);
	}

	/**
	 * A no-op scheduled task that records how late it started.
	 * @param dueEpochMicros when it was due, in microseconds since the epoch
	 */
	@SheppyTask(name = "bench:scheduled", queue = QUEUE)
	public void scheduled(long dueEpochMicros) {
		this.probe.startedScheduled(dueEpochMicros);
	}

}
