package io.sheppy.spring.queue;

import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.backend.QueueStats;
import io.sheppy.spring.core.CronSchedule;
import io.sheppy.spring.core.SheppyException;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskCron;
import io.sheppy.spring.core.TaskNotFoundException;
import io.sheppy.spring.core.TaskStateException;
import io.sheppy.spring.core.TaskStatus;

import org.springframework.util.Assert;

/**
 * The task queue as producers use it: create tasks, add them, look at them and wait for their results. A
 * {@code TaskQueue} works on one queue (the default queue for the one the application context provides; others
 * through {@link #queue(String)}). A task knows its queue when it was created from a {@code @SheppyTask} method,
 * built with one, or read from a queue; {@link #add}, {@link #getTask} and {@link #waitFor} use that queue, and this
 * queue only for tasks that know none.
 *
 * <pre class="code">
 * Task&lt;String&gt; task = taskQueue.task(EmailTasks::send, "ada@example.com", "Hello");
 * taskQueue.add(task);
 * Task&lt;String&gt; done = taskQueue.waitFor(task, Duration.ofSeconds(10));
 * </pre>
 *
 * @author Sheppy for Spring
 */
public class TaskQueue {

	private final Backend backend;

	private final TaskFactory factory;

	private final JsonMapper mapper;

	private final String name;

	private final Map<String, TaskQueue> views;

	/**
	 * Create a task queue on the factory's default queue.
	 * @param backend the backend that stores the queues
	 * @param factory creates tasks from methods
	 * @param mapper converts awaited results to the tasks' result types
	 */
	public TaskQueue(Backend backend, TaskFactory factory, JsonMapper mapper) {
		this(backend, factory, mapper, factory.getDefaultQueue(), new ConcurrentHashMap<>());
		this.views.put(this.name, this);
	}

	private TaskQueue(Backend backend, TaskFactory factory, JsonMapper mapper, String name,
			Map<String, TaskQueue> views) {
		Assert.notNull(backend, "'backend' must not be null");
		Assert.notNull(factory, "'factory' must not be null");
		Assert.notNull(mapper, "'mapper' must not be null");
		Assert.hasText(name, "'name' must not be empty");
		this.backend = backend;
		this.factory = factory;
		this.mapper = mapper;
		this.name = name;
		this.views = views;
	}

	/**
	 * Return the name of this queue.
	 * @return the queue name
	 */
	public String getName() {
		return this.name;
	}

	/**
	 * Return the task queue of another queue.
	 * @param name the queue name
	 * @return the task queue
	 */
	public TaskQueue queue(String name) {
		Assert.hasText(name, "'name' must not be empty");
		return this.views.computeIfAbsent(name,
				(key) -> new TaskQueue(this.backend, this.factory, this.mapper, key, this.views));
	}

	/**
	 * Start a task by name, for a task that runs in another application or in Python. It belongs to this queue unless
	 * the builder names another.
	 * @param name the task name ({@code spec.func}), such as {@code fxtasks:add}
	 * @return a builder of the task
	 */
	public TaskBuilder<Object> task(String name) {
		return new TaskBuilder<Object>(this.factory, name).queue(this.name);
	}

	/**
	 * Create a task of a {@code @SheppyTask} method with 0 parameters. Nothing is queued.
	 * @param <T> the class of the method
	 * @param <R> the result type
	 * @param method the method reference, such as {@code EmailTasks::send}
	 * @return a new task of the method's queue
	 */
	public <T, R> Task<R> task(TaskMethod.Of0<T, R> method) {
		return this.factory.create(method);
	}

	/**
	 * Create a task of a void {@code @SheppyTask} method with 0 parameters. Nothing is queued.
	 * @param <T> the class of the method
	 * @param method the method reference
	 * @return a new task of the method's queue
	 */
	public <T> Task<Void> task(TaskMethod.Void0<T> method) {
		return this.factory.create(method);
	}

	/**
	 * Create a task of a {@code @SheppyTask} method with 1 parameter. Nothing is queued.
	 * @param <T> the class of the method
	 * @param <R> the result type
	 * @param <A> the type of argument 1
	 * @param method the method reference, such as {@code EmailTasks::send}
	 * @param a argument 1
	 * @return a new task of the method's queue
	 */
	public <T, A, R> Task<R> task(TaskMethod.Of1<T, A, R> method, A a) {
		return this.factory.create(method, a);
	}

	/**
	 * Create a task of a void {@code @SheppyTask} method with 1 parameter. Nothing is queued.
	 * @param <T> the class of the method
	 * @param <A> the type of argument 1
	 * @param method the method reference
	 * @param a argument 1
	 * @return a new task of the method's queue
	 */
	public <T, A> Task<Void> task(TaskMethod.Void1<T, A> method, A a) {
		return this.factory.create(method, a);
	}

	/**
	 * Create a task of a {@code @SheppyTask} method with 2 parameters. Nothing is queued.
	 * @param <T> the class of the method
	 * @param <R> the result type
	 * @param <A> the type of argument 1
	 * @param <B> the type of argument 2
	 * @param method the method reference, such as {@code EmailTasks::send}
	 * @param a argument 1
	 * @param b argument 2
	 * @return a new task of the method's queue
	 */
	public <T, A, B, R> Task<R> task(TaskMethod.Of2<T, A, B, R> method, A a, B b) {
		return this.factory.create(method, a, b);
	}

	/**
	 * Create a task of a void {@code @SheppyTask} method with 2 parameters. Nothing is queued.
	 * @param <T> the class of the method
	 * @param <A> the type of argument 1
	 * @param <B> the type of argument 2
	 * @param method the method reference
	 * @param a argument 1
	 * @param b argument 2
	 * @return a new task of the method's queue
	 */
	public <T, A, B> Task<Void> task(TaskMethod.Void2<T, A, B> method, A a, B b) {
		return this.factory.create(method, a, b);
	}

	/**
	 * Create a task of a {@code @SheppyTask} method with 3 parameters. Nothing is queued.
	 * @param <T> the class of the method
	 * @param <R> the result type
	 * @param <A> the type of argument 1
	 * @param <B> the type of argument 2
	 * @param <C> the type of argument 3
	 * @param method the method reference, such as {@code EmailTasks::send}
	 * @param a argument 1
	 * @param b argument 2
	 * @param c argument 3
	 * @return a new task of the method's queue
	 */
	public <T, A, B, C, R> Task<R> task(TaskMethod.Of3<T, A, B, C, R> method, A a, B b, C c) {
		return this.factory.create(method, a, b, c);
	}

	/**
	 * Create a task of a void {@code @SheppyTask} method with 3 parameters. Nothing is queued.
	 * @param <T> the class of the method
	 * @param <A> the type of argument 1
	 * @param <B> the type of argument 2
	 * @param <C> the type of argument 3
	 * @param method the method reference
	 * @param a argument 1
	 * @param b argument 2
	 * @param c argument 3
	 * @return a new task of the method's queue
	 */
	public <T, A, B, C> Task<Void> task(TaskMethod.Void3<T, A, B, C> method, A a, B b, C c) {
		return this.factory.create(method, a, b, c);
	}

	/**
	 * Create a task of a {@code @SheppyTask} method with 4 parameters. Nothing is queued.
	 * @param <T> the class of the method
	 * @param <R> the result type
	 * @param <A> the type of argument 1
	 * @param <B> the type of argument 2
	 * @param <C> the type of argument 3
	 * @param <D> the type of argument 4
	 * @param method the method reference, such as {@code EmailTasks::send}
	 * @param a argument 1
	 * @param b argument 2
	 * @param c argument 3
	 * @param d argument 4
	 * @return a new task of the method's queue
	 */
	public <T, A, B, C, D, R> Task<R> task(TaskMethod.Of4<T, A, B, C, D, R> method, A a, B b, C c, D d) {
		return this.factory.create(method, a, b, c, d);
	}

	/**
	 * Create a task of a void {@code @SheppyTask} method with 4 parameters. Nothing is queued.
	 * @param <T> the class of the method
	 * @param <A> the type of argument 1
	 * @param <B> the type of argument 2
	 * @param <C> the type of argument 3
	 * @param <D> the type of argument 4
	 * @param method the method reference
	 * @param a argument 1
	 * @param b argument 2
	 * @param c argument 3
	 * @param d argument 4
	 * @return a new task of the method's queue
	 */
	public <T, A, B, C, D> Task<Void> task(TaskMethod.Void4<T, A, B, C, D> method, A a, B b, C c, D d) {
		return this.factory.create(method, a, b, c, d);
	}

	/**
	 * Create a task of a {@code @SheppyTask} method with 5 parameters. Nothing is queued.
	 * @param <T> the class of the method
	 * @param <R> the result type
	 * @param <A> the type of argument 1
	 * @param <B> the type of argument 2
	 * @param <C> the type of argument 3
	 * @param <D> the type of argument 4
	 * @param <E> the type of argument 5
	 * @param method the method reference, such as {@code EmailTasks::send}
	 * @param a argument 1
	 * @param b argument 2
	 * @param c argument 3
	 * @param d argument 4
	 * @param e argument 5
	 * @return a new task of the method's queue
	 */
	public <T, A, B, C, D, E, R> Task<R> task(TaskMethod.Of5<T, A, B, C, D, E, R> method, A a, B b, C c, D d, E e) {
		return this.factory.create(method, a, b, c, d, e);
	}

	/**
	 * Create a task of a void {@code @SheppyTask} method with 5 parameters. Nothing is queued.
	 * @param <T> the class of the method
	 * @param <A> the type of argument 1
	 * @param <B> the type of argument 2
	 * @param <C> the type of argument 3
	 * @param <D> the type of argument 4
	 * @param <E> the type of argument 5
	 * @param method the method reference
	 * @param a argument 1
	 * @param b argument 2
	 * @param c argument 3
	 * @param d argument 4
	 * @param e argument 5
	 * @return a new task of the method's queue
	 */
	public <T, A, B, C, D, E> Task<Void> task(TaskMethod.Void5<T, A, B, C, D, E> method, A a, B b, C c, D d, E e) {
		return this.factory.create(method, a, b, c, d, e);
	}

	/**
	 * Create a task of a {@code @SheppyTask} method with 6 parameters. Nothing is queued.
	 * @param <T> the class of the method
	 * @param <R> the result type
	 * @param <A> the type of argument 1
	 * @param <B> the type of argument 2
	 * @param <C> the type of argument 3
	 * @param <D> the type of argument 4
	 * @param <E> the type of argument 5
	 * @param <F> the type of argument 6
	 * @param method the method reference, such as {@code EmailTasks::send}
	 * @param a argument 1
	 * @param b argument 2
	 * @param c argument 3
	 * @param d argument 4
	 * @param e argument 5
	 * @param f argument 6
	 * @return a new task of the method's queue
	 */
	public <T, A, B, C, D, E, F, R> Task<R> task(TaskMethod.Of6<T, A, B, C, D, E, F, R> method, A a, B b, C c, D d, E e, F f) {
		return this.factory.create(method, a, b, c, d, e, f);
	}

	/**
	 * Create a task of a void {@code @SheppyTask} method with 6 parameters. Nothing is queued.
	 * @param <T> the class of the method
	 * @param <A> the type of argument 1
	 * @param <B> the type of argument 2
	 * @param <C> the type of argument 3
	 * @param <D> the type of argument 4
	 * @param <E> the type of argument 5
	 * @param <F> the type of argument 6
	 * @param method the method reference
	 * @param a argument 1
	 * @param b argument 2
	 * @param c argument 3
	 * @param d argument 4
	 * @param e argument 5
	 * @param f argument 6
	 * @return a new task of the method's queue
	 */
	public <T, A, B, C, D, E, F> Task<Void> task(TaskMethod.Void6<T, A, B, C, D, E, F> method, A a, B b, C c, D d, E e, F f) {
		return this.factory.create(method, a, b, c, d, e, f);
	}

	/**
	 * Add a task: it is stored and queued for a worker.
	 * @param task the task
	 * @return whether it was added; {@code false} if a task with its id exists
	 */
	public boolean add(Task<?> task) {
		Assert.notNull(task, "'task' must not be null");
		return this.backend.append(queueOf(task), List.of(task), true).get(0);
	}

	/**
	 * Add tasks, in order, each to its queue.
	 * @param tasks the tasks
	 * @return for each task, whether it was added; {@code false} for an id that exists (also the second of two equal
	 * ids)
	 */
	public List<Boolean> add(List<? extends Task<?>> tasks) {
		Assert.notNull(tasks, "'tasks' must not be null");
		Map<String, List<Integer>> positions = new LinkedHashMap<>();
		for (int i = 0; i < tasks.size(); i++) {
			Assert.notNull(tasks.get(i), "'tasks' must not contain null");
			positions.computeIfAbsent(queueOf(tasks.get(i)), (key) -> new ArrayList<>()).add(i);
		}
		Boolean[] added = new Boolean[tasks.size()];
		positions.forEach((queue, indexes) -> {
			List<Boolean> results = this.backend.append(queue, indexes.stream().map(tasks::get).toList(), true);
			for (int i = 0; i < indexes.size(); i++) {
				added[indexes.get(i)] = results.get(i);
			}
		});
		return List.of(added);
	}

	/**
	 * Schedule a task to be queued at the given time (at once if that time has passed). It is stored now, with status
	 * {@code scheduled}.
	 * @param task the task
	 * @param at when to run it
	 * @return whether it was scheduled; {@code false} if a task with its id exists
	 */
	public boolean schedule(Task<?> task, Instant at) {
		Assert.notNull(task, "'task' must not be null");
		Assert.notNull(at, "'at' must not be null");
		Task<?> scheduled = task.mutate().status(TaskStatus.SCHEDULED).scheduledAt(at).build();
		return this.backend.schedule(queueOf(task), scheduled, scheduled.getScheduledAt(), true);
	}

	/**
	 * Schedule a task to be queued at the given time.
	 * @param task the task
	 * @param at when to run it
	 * @return whether it was scheduled; {@code false} if a task with its id exists
	 */
	public boolean schedule(Task<?> task, OffsetDateTime at) {
		Assert.notNull(at, "'at' must not be null");
		return schedule(task, at.toInstant());
	}

	/**
	 * Schedule a task to be queued at the given time.
	 * @param task the task
	 * @param at when to run it
	 * @return whether it was scheduled; {@code false} if a task with its id exists
	 */
	public boolean schedule(Task<?> task, ZonedDateTime at) {
		Assert.notNull(at, "'at' must not be null");
		return schedule(task, at.toInstant());
	}

	/**
	 * Schedule a task to be queued after the given delay.
	 * @param task the task
	 * @param delay how long from now to run it
	 * @return whether it was scheduled; {@code false} if a task with its id exists
	 */
	public boolean schedule(Task<?> task, Duration delay) {
		Assert.notNull(delay, "'delay' must not be null");
		return schedule(task, Task.now().plus(delay));
	}

	/**
	 * Refused: a {@link LocalDateTime} has no time zone, so it names no point in time.
	 * @param task the task
	 * @param at a time without a zone
	 * @return never
	 * @throws IllegalArgumentException always
	 * @deprecated give an {@link Instant}, an {@link OffsetDateTime} or a {@link ZonedDateTime}, for example
	 * {@code at.atZone(ZoneId.of("Europe/Berlin"))}
	 */
	@Deprecated
	public boolean schedule(Task<?> task, LocalDateTime at) {
		throw new IllegalArgumentException("Cannot schedule task " + task.getId() + " at " + at + ": a LocalDateTime "
				+ "has no time zone, so it is no point in time; give an Instant, an OffsetDateTime or a ZonedDateTime, "
				+ "for example at.atZone(ZoneId.of(\"Europe/Berlin\"))");
	}

	/**
	 * Return the tasks of this queue waiting in the schedule, earliest first.
	 * @return the scheduled tasks
	 */
	public List<Task<Object>> getScheduled() {
		return this.backend.getScheduled(this.name).stream().map((task) -> located(task, this.name)).toList();
	}

	/**
	 * Run a failed, crashed or cancelled task again, now.
	 * @param task the task
	 * @return whether it was queued; {@code false} if it does not exist (any more)
	 * @throws TaskStateException if the task has not finished, or completed (retry it with {@code force})
	 */
	public boolean retry(Task<?> task) {
		return retry(task, null, false);
	}

	/**
	 * Run a finished task again, at the given time or now.
	 * @param task the task
	 * @param at when to run it, or {@code null} for now
	 * @param force whether a task that completed runs again too
	 * @return whether it was queued or scheduled; {@code false} if it does not exist (any more)
	 * @throws TaskStateException if the task has not finished, or completed and {@code force} is not set
	 */
	public boolean retry(Task<?> task, @Nullable Instant at, boolean force) {
		Assert.notNull(task, "'task' must not be null");
		String queue = queueOf(task);
		Task<Object> stored = this.backend.getTasks(queue, List.of(task.getId())).get(task.getId());
		if (stored == null) {
			return false;
		}
		if (!stored.isFinished()) {
			throw new TaskStateException("Task " + task.getId() + " (" + stored.getName() + ") is "
					+ stored.getStatus() + " and has not finished; only a finished task can be retried");
		}
		if (stored.getStatus() == TaskStatus.COMPLETED && !force) {
			throw new TaskStateException("Task " + task.getId() + " (" + stored.getName() + ") has completed; "
					+ "retry it with force to run it again");
		}
		Instant now = Task.now();
		Task<Object> again = stored.mutate()
			.status((at != null) ? TaskStatus.SCHEDULED : TaskStatus.PENDING)
			.result(null)
			.finishedAt(null)
			.scheduledAt((at != null) ? at : stored.getScheduledAt())
			.lastRetryAt(now)
			.nextRetryAt((at != null) ? at : now)
			.build();
		if (!this.backend.retry(queue, again, at)) {
			Task<Object> current = this.backend.getTasks(queue, List.of(task.getId())).get(task.getId());
			if (current == null) {
				return false;
			}
			throw new TaskStateException("Task " + task.getId() + " (" + current.getName() + ") changed while it was "
					+ "being retried and is now " + current.getStatus());
		}
		return true;
	}

	/**
	 * Cancel a task that no worker has taken: one that is queued, scheduled or waiting for a retry. It becomes
	 * {@code cancelled}, its waiters are told, and no worker runs it.
	 * @param <R> the result type
	 * @param task the task
	 * @return the cancelled task
	 * @throws TaskNotFoundException if the task does not exist
	 * @throws TaskStateException if a worker already runs it, or it has finished
	 */
	public <R> Task<R> cancel(Task<R> task) {
		Assert.notNull(task, "'task' must not be null");
		String queue = queueOf(task);
		Optional<Task<Object>> cancelled = this.backend.cancel(queue, task.getId());
		if (cancelled.isPresent()) {
			return typed(cancelled.get(), queue, task.getResultType());
		}
		Task<Object> stored = this.backend.getTasks(queue, List.of(task.getId())).get(task.getId());
		if (stored == null) {
			throw new TaskNotFoundException(queue, task.getId());
		}
		if (stored.isFinished()) {
			throw new TaskStateException("Task " + task.getId() + " (" + stored.getName() + ") has already finished ("
					+ stored.getStatus() + ") and cannot be cancelled");
		}
		throw new TaskStateException("Task " + task.getId() + " (" + stored.getName() + ") was already taken by a "
				+ "worker and cannot be cancelled any more");
	}

	/**
	 * Delete the record of a finished task.
	 * @param task the task
	 * @return whether it was deleted; {@code false} if it does not exist
	 * @throws TaskStateException if it has not finished (cancel it first)
	 */
	public boolean delete(Task<?> task) {
		Assert.notNull(task, "'task' must not be null");
		try {
			return this.backend.delete(queueOf(task), task.getId());
		}
		catch (IllegalStateException ex) {
			throw new TaskStateException(ex.getMessage());
		}
	}

	/**
	 * Run a task on a cron expression: each fire time (in UTC) runs a copy of the task, once however many workers
	 * run. Crons are identified as Python Sheppy identifies them: by the task's name, arguments and config and the
	 * expression.
	 * @param task the task to run, with its arguments
	 * @param expression a 5-field Unix cron expression (an optional 6th field of seconds) or a macro such as
	 * {@code @hourly}
	 * @return whether the cron was added; {@code false} if the same cron exists
	 * @throws IllegalArgumentException if the expression is invalid
	 */
	public boolean addCron(Task<?> task, String expression) {
		return addCron(task, expression, null);
	}

	/**
	 * Run a task on a cron expression that follows the wall clock of a time zone. Python workers do not know zones:
	 * do not share the queue with them.
	 * @param task the task to run, with its arguments
	 * @param expression the cron expression
	 * @param zone the time zone, or {@code null} for UTC
	 * @return whether the cron was added; {@code false} if the same cron exists
	 * @throws IllegalArgumentException if the expression is invalid
	 */
	public boolean addCron(Task<?> task, String expression, @Nullable ZoneId zone) {
		return this.backend.addCron(queueOf(task), cron(task, expression, zone));
	}

	/**
	 * Delete a cron and its runs that are scheduled and not yet queued.
	 * @param task the task it runs, with its arguments
	 * @param expression the cron expression it was added with
	 * @return whether a cron was deleted
	 */
	public boolean deleteCron(Task<?> task, String expression) {
		return deleteCron(task, expression, null);
	}

	/**
	 * Delete a cron of a time zone and its runs that are scheduled and not yet queued.
	 * @param task the task it runs, with its arguments
	 * @param expression the cron expression it was added with
	 * @param zone the time zone it was added with, or {@code null} for UTC
	 * @return whether a cron was deleted
	 */
	public boolean deleteCron(Task<?> task, String expression, @Nullable ZoneId zone) {
		String queue = queueOf(task);
		UUID id = cron(task, expression, zone).deterministicId();
		boolean deleted = this.backend.deleteCron(queue, id);
		this.backend.removeScheduledRuns(queue, id);
		return deleted;
	}

	/**
	 * Return the crons of this queue.
	 * @return the crons
	 */
	public List<TaskCron> getCrons() {
		return this.backend.getCrons(this.name);
	}

	private static TaskCron cron(Task<?> task, String expression, @Nullable ZoneId zone) {
		Assert.notNull(task, "'task' must not be null");
		Assert.hasText(expression, "'expression' must not be empty");
		CronSchedule.parse(expression);
		return TaskCron.of(expression.trim(), task.getSpec(), task.getConfig()).withZone(zone);
	}

	/**
	 * Return the stored state of a task, its result converted to the task's result type.
	 * @param <R> the result type
	 * @param task the task
	 * @return the task's state, or empty if it does not exist (any more)
	 */
	public <R> Optional<Task<R>> getTask(Task<R> task) {
		Assert.notNull(task, "'task' must not be null");
		String queue = queueOf(task);
		Task<Object> stored = this.backend.getTasks(queue, List.of(task.getId())).get(task.getId());
		return Optional.ofNullable(stored).map((state) -> typed(state, queue, task.getResultType()));
	}

	/**
	 * Return the stored state of a task of this queue.
	 * @param id the task id
	 * @return the task, or empty if it does not exist (any more)
	 */
	public Optional<Task<Object>> getTask(UUID id) {
		return Optional.ofNullable(getTasks(List.of(id)).get(id));
	}

	/**
	 * Return the stored state of tasks of this queue.
	 * @param ids the task ids
	 * @return the tasks found, by id
	 */
	public Map<UUID, Task<Object>> getTasks(Collection<UUID> ids) {
		Assert.notNull(ids, "'ids' must not be null");
		Map<UUID, Task<Object>> tasks = new LinkedHashMap<>();
		this.backend.getTasks(this.name, ids).forEach((id, task) -> tasks.put(id, located(task, this.name)));
		return tasks;
	}

	/**
	 * Return all stored tasks of this queue, finished ones included.
	 * @return the tasks
	 */
	public List<Task<Object>> getAllTasks() {
		return this.backend.getAllTasks(this.name).stream().map((task) -> located(task, this.name)).toList();
	}

	/**
	 * Return queued tasks of this queue that have not finished, oldest first, without taking them.
	 * @param count the most tasks to return, at least 1
	 * @return the tasks
	 */
	public List<Task<Object>> getPending(int count) {
		return this.backend.getPending(this.name, count).stream().map((task) -> located(task, this.name)).toList();
	}

	/**
	 * Return the number of queued tasks of this queue that have not finished.
	 * @return the number of tasks
	 */
	public long size() {
		return this.backend.size(this.name);
	}

	/**
	 * Remove all tasks, the schedule and the crons of this queue.
	 * @return the number of tasks removed
	 */
	public long clear() {
		return this.backend.clear(this.name);
	}

	/**
	 * Return counts of this queue.
	 * @return the counts
	 */
	public QueueStats getStats() {
		return this.backend.getStats(this.name);
	}

	/**
	 * Return all known queues with the number of their queued, unfinished tasks.
	 * @return the queues by name
	 */
	public Map<String, Long> listQueues() {
		return this.backend.listQueues();
	}

	/**
	 * Wait until a task has finished (completed, failed, crashed or cancelled), however long it takes.
	 * @param <R> the result type
	 * @param task the task
	 * @return the finished task, its result converted to the task's result type
	 */
	public <R> Task<R> waitFor(Task<R> task) {
		Task<R> finished = waitFor(task, Duration.ZERO);
		Assert.state(finished != null, "A wait without a timeout returns a finished task");
		return finished;
	}

	/**
	 * Wait for a task to finish, with Python Sheppy's timeout rules.
	 * @param <R> the result type
	 * @param task the task
	 * @param timeout positive: wait at most this long; zero: wait until it finishes; {@code null} or negative: do not
	 * wait
	 * @return the finished task, its result converted to the task's result type, or {@code null} when not waiting
	 * and it has not finished
	 * @throws io.sheppy.spring.backend.WaitTimeoutException if a positive timeout passed first
	 */
	public <R> @Nullable Task<R> waitFor(Task<R> task, @Nullable Duration timeout) {
		Assert.notNull(task, "'task' must not be null");
		String queue = queueOf(task);
		Task<Object> finished = this.backend.getResults(queue, List.of(task.getId()), timeout).get(task.getId());
		return (finished != null) ? typed(finished, queue, task.getResultType()) : null;
	}

	/**
	 * Wait for tasks to finish, with Python Sheppy's timeout rules; the timeout covers all of them.
	 * @param tasks the tasks
	 * @param timeout positive: wait at most this long; zero: wait until all finish; {@code null} or negative: do not
	 * wait
	 * @return the finished tasks by id, each result converted to its task's result type
	 * @throws io.sheppy.spring.backend.WaitTimeoutException if a positive timeout passed first
	 */
	public Map<UUID, Task<?>> waitFor(Collection<? extends Task<?>> tasks, @Nullable Duration timeout) {
		Assert.notNull(tasks, "'tasks' must not be null");
		Map<String, Map<UUID, Task<?>>> byQueue = new LinkedHashMap<>();
		for (Task<?> task : tasks) {
			byQueue.computeIfAbsent(queueOf(task), (key) -> new LinkedHashMap<>()).put(task.getId(), task);
		}
		long deadline = (timeout != null && timeout.compareTo(Duration.ZERO) > 0) ? System.nanoTime() + timeout.toNanos()
				: 0;
		Map<UUID, Task<?>> finished = new LinkedHashMap<>();
		byQueue.forEach((queue, waiting) -> {
			Duration remaining = (deadline != 0) ? Duration.ofNanos(Math.max(1, deadline - System.nanoTime())) : timeout;
			this.backend.getResults(queue, waiting.keySet(), remaining)
				.forEach((id, task) -> finished.put(id, typed(task, queue, waiting.get(id).getResultType())));
		});
		return finished;
	}

	/**
	 * Return a future that completes when a task has finished. Waiting this way holds no thread, and all waiters of
	 * the application share one reader of finished notifications per queue.
	 * @param <R> the result type
	 * @param task the task
	 * @return a future of the finished task, its result converted to the task's result type
	 */
	public <R> CompletableFuture<Task<R>> waitForAsync(Task<R> task) {
		Assert.notNull(task, "'task' must not be null");
		String queue = queueOf(task);
		return this.backend.whenFinished(queue, List.of(task.getId()))
			.thenApply((tasks) -> typed(tasks.get(task.getId()), queue, task.getResultType()));
	}

	private String queueOf(Task<?> task) {
		return (task.getQueue() != null) ? task.getQueue() : this.name;
	}

	private static Task<Object> located(Task<Object> task, String queue) {
		return task.mutate().queue(queue).build();
	}

	private <R> Task<R> typed(Task<Object> task, String queue, Type resultType) {
		Object result = task.getResult();
		R converted;
		try {
			converted = (result != null && resultType != Object.class)
					? this.mapper.convertValue(result, this.mapper.constructType(resultType)) : castUnchecked(result);
		}
		catch (JacksonException | IllegalArgumentException ex) {
			throw new SheppyException("The result of task " + task.getId() + " (" + task.getName()
					+ ") cannot be read as " + resultType.getTypeName() + ": " + ex.getMessage(), ex);
		}
		return task.mutate().queue(queue).result(resultType, converted).build();
	}

	@SuppressWarnings("unchecked")
	private static <R> @Nullable R castUnchecked(@Nullable Object value) {
		return (R) value;
	}

}
