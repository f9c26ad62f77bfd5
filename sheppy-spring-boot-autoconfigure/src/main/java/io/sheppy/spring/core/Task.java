package io.sheppy.spring.core;

import java.lang.reflect.Type;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * A task: what to run ({@link TaskSpec}), how ({@link TaskConfig}) and where it stands (status, result, exception and
 * times). Tasks are immutable; a change gives a new instance through {@link #mutate()}.
 * <p>
 * Times are kept to the microsecond, as on the wire. The result of a task read from a queue is a JSON value
 * ({@code null}, {@link Boolean}, {@link Number}, {@link String}, {@link java.util.List} or {@link java.util.Map})
 * unless the task queue converted it to the task's {@linkplain #getResultType() result type}.
 *
 * @param <R> the type of the task's result
 * @author Sheppy for Spring
 */
public final class Task<R> {

	private final UUID id;

	private final TaskStatus status;

	private final @Nullable TaskException exception;

	private final @Nullable R result;

	private final TaskSpec spec;

	private final TaskConfig config;

	private final Instant createdAt;

	private final @Nullable Instant finishedAt;

	private final @Nullable Instant scheduledAt;

	private final int retryCount;

	private final @Nullable Instant lastRetryAt;

	private final @Nullable Instant nextRetryAt;

	private final @Nullable UUID workflowId;

	private final @Nullable UUID cronId;

	private final Type resultType;

	private final @Nullable String queue;

	private Task(Builder<R> builder) {
		this.id = builder.id;
		this.status = builder.status;
		this.exception = builder.exception;
		this.result = builder.result;
		this.spec = builder.spec;
		this.config = builder.config;
		this.createdAt = builder.createdAt;
		this.finishedAt = builder.finishedAt;
		this.scheduledAt = builder.scheduledAt;
		this.retryCount = builder.retryCount;
		this.lastRetryAt = builder.lastRetryAt;
		this.nextRetryAt = builder.nextRetryAt;
		this.workflowId = builder.workflowId;
		this.cronId = builder.cronId;
		this.resultType = builder.resultType;
		this.queue = builder.queue;
	}

	/**
	 * Start a new task that runs the given spec, with a random id, status {@code new} and created now.
	 * @param spec what the task runs
	 * @return a builder of the task
	 */
	public static Builder<Object> builder(TaskSpec spec) {
		return new Builder<>(UUID.randomUUID(), spec, now(), Object.class);
	}

	/**
	 * Start a new task that runs the given spec and has a result of the given type.
	 * @param <R> the result type
	 * @param spec what the task runs
	 * @param resultType the type of the result, used to convert it when the task is awaited
	 * @return a builder of the task
	 */
	public static <R> Builder<R> builder(TaskSpec spec, Type resultType) {
		return new Builder<>(UUID.randomUUID(), spec, now(), resultType);
	}

	/**
	 * Return the current time at the precision of the wire (microseconds).
	 * @return the current time
	 */
	public static Instant now() {
		return Instant.now().truncatedTo(ChronoUnit.MICROS);
	}

	/**
	 * Return a builder that starts from this task.
	 * @return a builder with all of this task's values
	 */
	public Builder<R> mutate() {
		return new Builder<>(this);
	}

	public UUID getId() {
		return this.id;
	}

	public TaskStatus getStatus() {
		return this.status;
	}

	public @Nullable TaskException getException() {
		return this.exception;
	}

	public @Nullable R getResult() {
		return this.result;
	}

	public TaskSpec getSpec() {
		return this.spec;
	}

	/**
	 * Return the task's name, the {@code func} of its spec.
	 * @return the task name
	 */
	public String getName() {
		return this.spec.func();
	}

	public TaskConfig getConfig() {
		return this.config;
	}

	public Instant getCreatedAt() {
		return this.createdAt;
	}

	public @Nullable Instant getFinishedAt() {
		return this.finishedAt;
	}

	public @Nullable Instant getScheduledAt() {
		return this.scheduledAt;
	}

	public int getRetryCount() {
		return this.retryCount;
	}

	public @Nullable Instant getLastRetryAt() {
		return this.lastRetryAt;
	}

	public @Nullable Instant getNextRetryAt() {
		return this.nextRetryAt;
	}

	public @Nullable UUID getWorkflowId() {
		return this.workflowId;
	}

	public @Nullable UUID getCronId() {
		return this.cronId;
	}

	/**
	 * Return the type that the result of this task is converted to when it is awaited. It is not part of the wire
	 * format.
	 * @return the result type, {@code Object} when unknown
	 */
	public Type getResultType() {
		return this.resultType;
	}

	/**
	 * Return the queue the task belongs to, when it is known: the queue of its {@code @SheppyTask} method, the queue it
	 * was read from, or the queue given when it was built. It is not part of the wire format (the queue is part of the
	 * keys).
	 * @return the queue name, or {@code null} if the task belongs to whichever queue it is added to
	 */
	public @Nullable String getQueue() {
		return this.queue;
	}

	/**
	 * Return whether the task is finished: completed, failed, crashed or cancelled. As in Python Sheppy, a task is
	 * finished exactly when it has a {@code finished_at} time.
	 * @return whether the task is finished
	 */
	public boolean isFinished() {
		return this.finishedAt != null;
	}

	@Override
	public boolean equals(@Nullable Object other) {
		if (this == other) {
			return true;
		}
		if (!(other instanceof Task<?> task)) {
			return false;
		}
		return this.id.equals(task.id) && this.status == task.status && Objects.equals(this.exception, task.exception)
				&& Objects.equals(this.result, task.result) && this.spec.equals(task.spec)
				&& this.config.equals(task.config) && this.createdAt.equals(task.createdAt)
				&& Objects.equals(this.finishedAt, task.finishedAt) && Objects.equals(this.scheduledAt, task.scheduledAt)
				&& this.retryCount == task.retryCount && Objects.equals(this.lastRetryAt, task.lastRetryAt)
				&& Objects.equals(this.nextRetryAt, task.nextRetryAt) && Objects.equals(this.workflowId, task.workflowId)
				&& Objects.equals(this.cronId, task.cronId);
	}

	@Override
	public int hashCode() {
		return this.id.hashCode();
	}

	@Override
	public String toString() {
		return "Task[id=" + this.id + ", func=" + this.spec.func() + ", status=" + this.status
				+ ((this.retryCount > 0) ? ", retryCount=" + this.retryCount : "") + "]";
	}

	/**
	 * Builds a {@link Task}.
	 *
	 * @param <R> the type of the task's result
	 */
	public static final class Builder<R> {

		private UUID id;

		private TaskStatus status = TaskStatus.NEW;

		private @Nullable TaskException exception;

		private @Nullable R result;

		private TaskSpec spec;

		private TaskConfig config = TaskConfig.DEFAULT;

		private Instant createdAt;

		private @Nullable Instant finishedAt;

		private @Nullable Instant scheduledAt;

		private int retryCount;

		private @Nullable Instant lastRetryAt;

		private @Nullable Instant nextRetryAt;

		private @Nullable UUID workflowId;

		private @Nullable UUID cronId;

		private Type resultType;

		private @Nullable String queue;

		private Builder(UUID id, TaskSpec spec, Instant createdAt, Type resultType) {
			Assert.notNull(spec, "'spec' must not be null");
			Assert.notNull(resultType, "'resultType' must not be null");
			this.id = id;
			this.spec = spec;
			this.createdAt = createdAt;
			this.resultType = resultType;
		}

		private Builder(Task<R> task) {
			this.id = task.id;
			this.status = task.status;
			this.exception = task.exception;
			this.result = task.result;
			this.spec = task.spec;
			this.config = task.config;
			this.createdAt = task.createdAt;
			this.finishedAt = task.finishedAt;
			this.scheduledAt = task.scheduledAt;
			this.retryCount = task.retryCount;
			this.lastRetryAt = task.lastRetryAt;
			this.nextRetryAt = task.nextRetryAt;
			this.workflowId = task.workflowId;
			this.cronId = task.cronId;
			this.resultType = task.resultType;
			this.queue = task.queue;
		}

		public Builder<R> id(UUID id) {
			Assert.notNull(id, "'id' must not be null");
			this.id = id;
			return this;
		}

		public Builder<R> status(TaskStatus status) {
			Assert.notNull(status, "'status' must not be null");
			this.status = status;
			return this;
		}

		public Builder<R> exception(@Nullable TaskException exception) {
			this.exception = exception;
			return this;
		}

		public Builder<R> result(@Nullable R result) {
			this.result = result;
			return this;
		}

		public Builder<R> spec(TaskSpec spec) {
			Assert.notNull(spec, "'spec' must not be null");
			this.spec = spec;
			return this;
		}

		public Builder<R> config(TaskConfig config) {
			Assert.notNull(config, "'config' must not be null");
			this.config = config;
			return this;
		}

		public Builder<R> createdAt(Instant createdAt) {
			Assert.notNull(createdAt, "'createdAt' must not be null");
			this.createdAt = micros(createdAt);
			return this;
		}

		public Builder<R> finishedAt(@Nullable Instant finishedAt) {
			this.finishedAt = micros(finishedAt);
			return this;
		}

		public Builder<R> scheduledAt(@Nullable Instant scheduledAt) {
			this.scheduledAt = micros(scheduledAt);
			return this;
		}

		public Builder<R> retryCount(int retryCount) {
			Assert.isTrue(retryCount >= 0, () -> "'retryCount' must not be negative but was " + retryCount);
			this.retryCount = retryCount;
			return this;
		}

		public Builder<R> lastRetryAt(@Nullable Instant lastRetryAt) {
			this.lastRetryAt = micros(lastRetryAt);
			return this;
		}

		public Builder<R> nextRetryAt(@Nullable Instant nextRetryAt) {
			this.nextRetryAt = micros(nextRetryAt);
			return this;
		}

		public Builder<R> workflowId(@Nullable UUID workflowId) {
			this.workflowId = workflowId;
			return this;
		}

		public Builder<R> cronId(@Nullable UUID cronId) {
			this.cronId = cronId;
			return this;
		}

		/**
		 * Set the queue the task belongs to.
		 * @param queue the queue name, or {@code null} for whichever queue the task is added to
		 * @return this builder
		 */
		public Builder<R> queue(@Nullable String queue) {
			Assert.isTrue(queue == null || !queue.isBlank(), "'queue' must not be blank");
			this.queue = queue;
			return this;
		}

		/**
		 * Change the result type, converting nothing. Used when a task's result is converted to its type.
		 * @param <T> the new result type
		 * @param resultType the new result type
		 * @param result the result of that type
		 * @return a builder with the new result type
		 */
		@SuppressWarnings("unchecked")
		public <T> Builder<T> result(Type resultType, @Nullable T result) {
			Assert.notNull(resultType, "'resultType' must not be null");
			Builder<T> builder = (Builder<T>) this;
			builder.resultType = resultType;
			builder.result = result;
			return builder;
		}

		public Task<R> build() {
			return new Task<>(this);
		}

		private static @Nullable Instant micros(@Nullable Instant instant) {
			return (instant != null) ? instant.truncatedTo(ChronoUnit.MICROS) : null;
		}

	}

}
