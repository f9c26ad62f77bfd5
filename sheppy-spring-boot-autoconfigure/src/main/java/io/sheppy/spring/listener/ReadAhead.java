package io.sheppy.spring.listener;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * How many tasks a container reads ahead of its free slots. Tasks read ahead wait, held by the container (claimed,
 * their records not yet marked as processing), until a slot is free: while runs are short, the slots then never wait
 * for the round trip of the next read. They are read ahead only after a full read (the queue has a backlog) and only
 * while the recent runs were short, so that a task never waits long in one worker while another worker could run it;
 * until runs have been seen, they count as long.
 *
 * @author Sheppy for Spring
 */
final class ReadAhead {

	/** The longest average run for which tasks are read ahead. */
	static final long SHORT_RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

	/** The weight of the newest run in the moving average of run times is 1 / this. */
	private static final int AVERAGED_RUNS = 16;

	private final Semaphore room;

	/**
	 * The moving average of run times, updated without synchronisation: a lost update only delays it a little.
	 */
	private volatile long averageRunNanos = 2 * SHORT_RUN_NANOS;

	/**
	 * Create an instance.
	 * @param prefetch the most tasks read ahead at once; 0 reads none ahead
	 */
	ReadAhead(int prefetch) {
		this.room = new Semaphore(prefetch);
	}

	/**
	 * Take room for tasks read ahead by the next read.
	 * @param backlog whether the last read took as many tasks as it asked for
	 * @param most the most tasks to read ahead
	 * @return how many tasks the read may take ahead, to be given back with {@link #release(int)} once they started
	 * or were not found
	 */
	int take(boolean backlog, int most) {
		if (!backlog || most < 1 || this.averageRunNanos > SHORT_RUN_NANOS) {
			return 0;
		}
		int count = Math.min(most, this.room.availablePermits());
		return (count > 0 && this.room.tryAcquire(count)) ? count : 0;
	}

	/**
	 * Give back the room of tasks read ahead.
	 * @param count how many
	 */
	void release(int count) {
		this.room.release(count);
	}

	/**
	 * Record how long a run took.
	 * @param nanos the run time
	 */
	void ran(long nanos) {
		long average = this.averageRunNanos;
		this.averageRunNanos = average + (nanos - average) / AVERAGED_RUNS;
	}

}
