package io.sheppy.spring.listener;

import java.time.Duration;

import org.springframework.util.Assert;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * How a listener container runs: how many tasks at once, how many it takes per read and reads ahead, how long a read
 * waits, how long running tasks may finish at shutdown, and how it backs off when the backend fails.
 *
 * @param concurrency the most tasks running at once
 * @param batchSize the most tasks taken in one read
 * @param prefetch the most tasks read ahead of free slots, waiting for one; read ahead only while the queue has a
 * backlog and the recent runs were short
 * @param pollTimeout how long one read waits for tasks; also bounds how long a stop waits for the reader
 * @param shutdownTimeout how long running tasks may take to finish when the container stops
 * @param backOff the back-off between attempts while the backend fails
 * @param cronInterval how often the queue's crons are turned into scheduled runs (runs due within twice this time)
 * @param recovery how tasks are kept and taken over from lost workers
 * @author Sheppy for Spring
 */
public record ContainerSettings(int concurrency, int batchSize, int prefetch, Duration pollTimeout,
		Duration shutdownTimeout, BackOff backOff, Duration cronInterval, RecoverySettings recovery) {

	/**
	 * The defaults: 10 tasks at once, up to 100 per read, none read ahead, reads of 1 s, 30 s to finish at shutdown,
	 * crons looked at every 10 s.
	 */
	public static final ContainerSettings DEFAULT = new ContainerSettings(10, 100, 0, Duration.ofSeconds(1),
			Duration.ofSeconds(30), defaultBackOff(), Duration.ofSeconds(10), RecoverySettings.DEFAULT);

	public ContainerSettings {
		Assert.isTrue(concurrency >= 1, () -> "'concurrency' must be at least 1 but was " + concurrency);
		Assert.isTrue(batchSize >= 1, () -> "'batchSize' must be at least 1 but was " + batchSize);
		Assert.isTrue(prefetch >= 0, () -> "'prefetch' must not be negative but was " + prefetch);
		Assert.isTrue(pollTimeout != null && !pollTimeout.isNegative() && !pollTimeout.isZero(),
				() -> "'pollTimeout' must be positive but was " + pollTimeout);
		Assert.isTrue(shutdownTimeout != null && !shutdownTimeout.isNegative(),
				() -> "'shutdownTimeout' must not be negative but was " + shutdownTimeout);
		Assert.notNull(backOff, "'backOff' must not be null");
		Assert.isTrue(cronInterval != null && !cronInterval.isNegative() && !cronInterval.isZero(),
				() -> "'cronInterval' must be positive but was " + cronInterval);
		Assert.notNull(recovery, "'recovery' must not be null");
	}

	public ContainerSettings withConcurrency(int concurrency) {
		return new ContainerSettings(concurrency, this.batchSize, this.prefetch, this.pollTimeout, this.shutdownTimeout,
				this.backOff, this.cronInterval, this.recovery);
	}

	public ContainerSettings withBatchSize(int batchSize) {
		return new ContainerSettings(this.concurrency, batchSize, this.prefetch, this.pollTimeout, this.shutdownTimeout,
				this.backOff, this.cronInterval, this.recovery);
	}

	public ContainerSettings withPrefetch(int prefetch) {
		return new ContainerSettings(this.concurrency, this.batchSize, prefetch, this.pollTimeout, this.shutdownTimeout,
				this.backOff, this.cronInterval, this.recovery);
	}

	public ContainerSettings withPollTimeout(Duration pollTimeout) {
		return new ContainerSettings(this.concurrency, this.batchSize, this.prefetch, pollTimeout, this.shutdownTimeout,
				this.backOff, this.cronInterval, this.recovery);
	}

	public ContainerSettings withShutdownTimeout(Duration shutdownTimeout) {
		return new ContainerSettings(this.concurrency, this.batchSize, this.prefetch, this.pollTimeout, shutdownTimeout,
				this.backOff, this.cronInterval, this.recovery);
	}

	public ContainerSettings withBackOff(BackOff backOff) {
		return new ContainerSettings(this.concurrency, this.batchSize, this.prefetch, this.pollTimeout,
				this.shutdownTimeout, backOff, this.cronInterval, this.recovery);
	}

	public ContainerSettings withCronInterval(Duration cronInterval) {
		return new ContainerSettings(this.concurrency, this.batchSize, this.prefetch, this.pollTimeout,
				this.shutdownTimeout, this.backOff, cronInterval, this.recovery);
	}

	public ContainerSettings withRecovery(RecoverySettings recovery) {
		return new ContainerSettings(this.concurrency, this.batchSize, this.prefetch, this.pollTimeout,
				this.shutdownTimeout, this.backOff, this.cronInterval, recovery);
	}

	private static BackOff defaultBackOff() {
		ExponentialBackOff backOff = new ExponentialBackOff(100, 2);
		backOff.setMaxInterval(5000);
		return backOff;
	}

}
