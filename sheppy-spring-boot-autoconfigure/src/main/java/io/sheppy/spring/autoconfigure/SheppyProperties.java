package io.sheppy.spring.autoconfigure;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the task queue. The Redis connection itself is configured with
 * {@code spring.data.redis.*}.
 *
 * @author Sheppy for Spring
 */
@ConfigurationProperties("sheppy")
public class SheppyProperties {

	/**
	 * Where the queues are kept: 'redis'; 'memory' (in this process, for tests and demos: tasks are lost when it
	 * stops); or 'auto' (Redis when it is reachable at startup, memory otherwise).
	 */
	private BackendType backend = BackendType.REDIS;

	/**
	 * Queue of tasks whose @SheppyTask names none, and of the TaskQueue bean.
	 */
	private String queue = "default";

	/**
	 * How long the record of a finished task is kept when the task's own ttl is 'inherit'. Zero to keep it until
	 * deleted.
	 */
	private @Nullable Duration ttl = Duration.ofDays(30);

	/**
	 * How long the record of a failed, crashed or cancelled task is kept when the task's own settings are 'inherit'.
	 * Defaults to the ttl. Zero to keep it until deleted.
	 */
	private @Nullable Duration errorTtl;

	private final Worker worker = new Worker();

	/**
	 * Crons this application declares: each runs a task by name, with arguments, on a cron expression. They are
	 * registered when the application starts and removed when it starts without them.
	 */
	private final List<Cron> crons = new ArrayList<>();

	private final Redis redis = new Redis();

	public BackendType getBackend() {
		return this.backend;
	}

	public void setBackend(BackendType backend) {
		this.backend = backend;
	}

	public String getQueue() {
		return this.queue;
	}

	public void setQueue(String queue) {
		this.queue = queue;
	}

	public @Nullable Duration getTtl() {
		return this.ttl;
	}

	public void setTtl(@Nullable Duration ttl) {
		this.ttl = ttl;
	}

	public @Nullable Duration getErrorTtl() {
		return this.errorTtl;
	}

	public void setErrorTtl(@Nullable Duration errorTtl) {
		this.errorTtl = errorTtl;
	}

	public Worker getWorker() {
		return this.worker;
	}

	public Redis getRedis() {
		return this.redis;
	}

	public List<Cron> getCrons() {
		return this.crons;
	}

	/**
	 * Where the queues are kept.
	 */
	public enum BackendType {

		/**
		 * In Redis, through the application's Redis connection.
		 */
		REDIS,

		/**
		 * In the memory of this process.
		 */
		MEMORY,

		/**
		 * In Redis when it is reachable at startup, in memory otherwise.
		 */
		AUTO

	}

	/**
	 * Workers: the listener containers that run the @SheppyTask methods of this application.
	 */
	public static class Worker {

		/**
		 * Whether this application runs its @SheppyTask methods. Turn off in an application that only adds tasks.
		 */
		private boolean enabled = true;

		/**
		 * Most tasks of one queue running at once.
		 */
		private int concurrency = 10;

		/**
		 * Most tasks taken from a queue in one read.
		 */
		private int batchSize = 100;

		/**
		 * Most tasks of one queue read ahead of free threads, so that no thread waits for the next read while the
		 * queue has a backlog; read ahead only while recent runs were short (5 ms or less on average). A task read
		 * ahead is held by this worker (no other worker takes it, and it can no longer be cancelled) and keeps its
		 * queued status until a thread takes it; a graceful stop hands it back, and if the worker dies it is queued
		 * again, not recorded as crashed. It is marked as processing with the next outcomes stored after it starts:
		 * one that dies with its worker before that (within about a millisecond of starting) is queued again too, so
		 * it may run twice where it would otherwise be recorded as crashed. 0, the default, reads only for free
		 * threads.
		 */
		private int prefetch = 0;

		/**
		 * How long one read waits for tasks. Bounds how long a stop waits for a reader.
		 */
		private Duration pollTimeout = Duration.ofSeconds(1);

		/**
		 * How long running tasks may take to finish when the application stops.
		 */
		private Duration shutdownTimeout = Duration.ofSeconds(30);

		/**
		 * How often the crons of a queue are turned into scheduled runs; each look schedules the runs due within
		 * twice this time.
		 */
		private Duration cronInterval = Duration.ofSeconds(10);

		/**
		 * How long the lease of a running task may lapse before other workers take the task over: a worker renews
		 * the leases of its tasks every third of this time, so only a lost worker's tasks are taken over.
		 */
		private Duration leaseTimeout = Duration.ofSeconds(30);

		/**
		 * How often a worker looks for tasks of lost workers to take over.
		 */
		private Duration reclaimInterval = Duration.ofSeconds(5);

		/**
		 * How many times a task may be delivered without finishing before it is moved aside as failed.
		 */
		private int maxDeliveries = 5;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getConcurrency() {
			return this.concurrency;
		}

		public void setConcurrency(int concurrency) {
			this.concurrency = concurrency;
		}

		public int getBatchSize() {
			return this.batchSize;
		}

		public void setBatchSize(int batchSize) {
			this.batchSize = batchSize;
		}

		public int getPrefetch() {
			return this.prefetch;
		}

		public void setPrefetch(int prefetch) {
			this.prefetch = prefetch;
		}

		public Duration getPollTimeout() {
			return this.pollTimeout;
		}

		public void setPollTimeout(Duration pollTimeout) {
			this.pollTimeout = pollTimeout;
		}

		public Duration getShutdownTimeout() {
			return this.shutdownTimeout;
		}

		public void setShutdownTimeout(Duration shutdownTimeout) {
			this.shutdownTimeout = shutdownTimeout;
		}

		public Duration getLeaseTimeout() {
			return this.leaseTimeout;
		}

		public void setLeaseTimeout(Duration leaseTimeout) {
			this.leaseTimeout = leaseTimeout;
		}

		public Duration getReclaimInterval() {
			return this.reclaimInterval;
		}

		public void setReclaimInterval(Duration reclaimInterval) {
			this.reclaimInterval = reclaimInterval;
		}

		public int getMaxDeliveries() {
			return this.maxDeliveries;
		}

		public void setMaxDeliveries(int maxDeliveries) {
			this.maxDeliveries = maxDeliveries;
		}

		public Duration getCronInterval() {
			return this.cronInterval;
		}

		public void setCronInterval(Duration cronInterval) {
			this.cronInterval = cronInterval;
		}

	}

	/**
	 * A cron declared in the configuration.
	 */
	public static class Cron {

		/**
		 * Name of the task each run runs, such as 'reports:daily' or a Python task's 'module:function'.
		 */
		private @Nullable String task;

		/**
		 * Cron expression: 5 fields (minute hour day-of-month month day-of-week), an optional 6th field of seconds,
		 * or a macro such as '@hourly'.
		 */
		private @Nullable String expression;

		/**
		 * Time zone whose wall clock the expression follows. Defaults to UTC.
		 */
		private @Nullable ZoneId zone;

		/**
		 * Queue of the runs. Defaults to the task's queue when this application runs it, else sheppy.queue.
		 */
		private @Nullable String queue;

		/**
		 * Positional arguments of each run.
		 */
		private List<Object> args = new ArrayList<>();

		/**
		 * Keyword arguments of each run.
		 */
		private Map<String, Object> kwargs = new LinkedHashMap<>();

		public @Nullable String getTask() {
			return this.task;
		}

		public void setTask(@Nullable String task) {
			this.task = task;
		}

		public @Nullable String getExpression() {
			return this.expression;
		}

		public void setExpression(@Nullable String expression) {
			this.expression = expression;
		}

		public @Nullable ZoneId getZone() {
			return this.zone;
		}

		public void setZone(@Nullable ZoneId zone) {
			this.zone = zone;
		}

		public @Nullable String getQueue() {
			return this.queue;
		}

		public void setQueue(@Nullable String queue) {
			this.queue = queue;
		}

		public List<Object> getArgs() {
			return this.args;
		}

		public void setArgs(List<Object> args) {
			this.args = args;
		}

		public Map<String, Object> getKwargs() {
			return this.kwargs;
		}

		public void setKwargs(Map<String, Object> kwargs) {
			this.kwargs = kwargs;
		}

	}

	/**
	 * Settings of the Redis backend.
	 */
	public static class Redis {

		/**
		 * Consumer group of the pending streams. All workers of a queue must use the same one.
		 */
		private String consumerGroup = "workers";

		/**
		 * Name of this worker in the consumer group. Defaults to the host name, process id and a random suffix.
		 */
		private @Nullable String consumerName;

		/**
		 * How long finished notifications are kept in their stream for waiters.
		 */
		private Duration finishedRetention = Duration.ofSeconds(60);

		public String getConsumerGroup() {
			return this.consumerGroup;
		}

		public void setConsumerGroup(String consumerGroup) {
			this.consumerGroup = consumerGroup;
		}

		public @Nullable String getConsumerName() {
			return this.consumerName;
		}

		public void setConsumerName(@Nullable String consumerName) {
			this.consumerName = consumerName;
		}

		public Duration getFinishedRetention() {
			return this.finishedRetention;
		}

		public void setFinishedRetention(Duration finishedRetention) {
			this.finishedRetention = finishedRetention;
		}

	}

}
