package io.sheppy.spring.listener;

import java.time.Duration;

import org.springframework.util.Assert;

/**
 * How workers keep their tasks and take over those of lost workers: a worker renews the leases of the tasks it runs
 * every third of the lease timeout; a task whose lease lapsed for the lease timeout is taken over by another worker,
 * which looks for such tasks every reclaim interval. A task delivered more than {@code maxDeliveries} times without
 * finishing is moved aside as failed.
 *
 * @param leaseTimeout how long a task's lease may lapse before other workers take it over
 * @param reclaimInterval how often a worker looks for tasks to take over
 * @param maxDeliveries how many deliveries a task may have before it counts as poison
 * @author Sheppy for Spring
 */
public record RecoverySettings(Duration leaseTimeout, Duration reclaimInterval, int maxDeliveries) {

	/** The defaults: 30 s leases, looked after every 5 s, at most 5 deliveries. */
	public static final RecoverySettings DEFAULT = new RecoverySettings(Duration.ofSeconds(30), Duration.ofSeconds(5),
			5);

	public RecoverySettings {
		Assert.isTrue(leaseTimeout != null && leaseTimeout.toMillis() >= 3,
				() -> "'leaseTimeout' must be at least 3 ms but was " + leaseTimeout);
		Assert.isTrue(reclaimInterval != null && !reclaimInterval.isNegative() && !reclaimInterval.isZero(),
				() -> "'reclaimInterval' must be positive but was " + reclaimInterval);
		Assert.isTrue(maxDeliveries >= 1, () -> "'maxDeliveries' must be at least 1 but was " + maxDeliveries);
	}

	/**
	 * Return how often a worker renews the leases of its running tasks: a third of the lease timeout.
	 * @return the renewal interval
	 */
	public Duration renewInterval() {
		return this.leaseTimeout.dividedBy(3);
	}

	/**
	 * Return how long a worker of the consumer group may be idle, holding nothing, before it is removed from the
	 * group: twenty lease timeouts.
	 * @return the idle time
	 */
	public Duration consumerIdleTimeout() {
		return this.leaseTimeout.multipliedBy(20);
	}

}
