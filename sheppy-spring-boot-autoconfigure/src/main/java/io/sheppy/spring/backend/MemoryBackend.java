package io.sheppy.spring.backend;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskCron;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskStatus;

import org.springframework.util.Assert;

/**
 * A {@link Backend} that keeps its queues in the memory of this process, for tests and for running without Redis. It
 * behaves as the Redis backend does: tasks are stored as their JSON (a result reads back as JSON values and one that
 * cannot be written fails when it is stored), finished tasks expire after their time to live, and every operation is
 * atomic.
 *
 * @author Sheppy for Spring
 */
public final class MemoryBackend implements Backend {

	private final TaskJson json;

	private final TtlPolicy ttlPolicy;

	private final Clock clock;

	private final ReentrantLock lock = new ReentrantLock();

	/** Signalled when entries are added to a stream, for blocked {@link #pop} calls. */
	private final Condition entriesAdded = this.lock.newCondition();

	/** Signalled when a task is scheduled before every other task of its queue, for {@link #awaitScheduleChange}. */
	private final ScheduleChangeSignals scheduleChanges = new ScheduleChangeSignals();

	/** The futures of {@link #whenFinished} calls whose tasks have not all finished. */
	private final List<MemoryWaiter> waiters = new ArrayList<>();

	private final Map<String, MemoryQueue> queues = new HashMap<>();

	private final Set<String> registeredQueues = new HashSet<>();

	private long lastEntryMillis;

	private long lastEntrySequence;

	/**
	 * Create a backend with the default JSON mapping and Python Sheppy's default time to live.
	 */
	public MemoryBackend() {
		this(new TaskJson(), TtlPolicy.DEFAULT);
	}

	/**
	 * Create a backend with the given JSON mapping and time to live.
	 * @param json the codec of tasks and crons
	 * @param ttlPolicy how long finished tasks are kept
	 */
	public MemoryBackend(TaskJson json, TtlPolicy ttlPolicy) {
		this(json, ttlPolicy, Clock.systemUTC());
	}

	/**
	 * Create a backend with the given JSON mapping, time to live and clock.
	 * @param json the codec of tasks and crons
	 * @param ttlPolicy how long finished tasks are kept
	 * @param clock the clock that decides when records expire and that stamps queue entry ids
	 */
	public MemoryBackend(TaskJson json, TtlPolicy ttlPolicy, Clock clock) {
		Assert.notNull(json, "'json' must not be null");
		Assert.notNull(ttlPolicy, "'ttlPolicy' must not be null");
		Assert.notNull(clock, "'clock' must not be null");
		this.json = json;
		this.ttlPolicy = ttlPolicy;
		this.clock = clock;
	}

	@Override
	public List<Boolean> append(String queue, List<? extends Task<?>> tasks, boolean unique) {
		assertQueue(queue);
		Assert.notNull(tasks, "'tasks' must not be null");
		Assert.noNullElements(tasks, "'tasks' must not contain null");
		// Written before anything changes, so that a task that cannot be written leaves the queue as it was
		List<String> jsons = tasks.stream().map(this.json::write).toList();
		this.lock.lock();
		try {
			MemoryQueue state = state(queue);
			this.registeredQueues.add(queue);
			Instant now = this.clock.instant();
			List<Boolean> queued = new ArrayList<>(tasks.size());
			for (int i = 0; i < tasks.size(); i++) {
				Task<?> task = tasks.get(i);
				if (unique && state.record(task.getId(), now) != null) {
					queued.add(false);
					continue;
				}
				state.putRecord(task.getId(), new MemoryRecord(jsons.get(i), task.isFinished(), null));
				state.enqueue(nextEntryId(), task.getId(), jsons.get(i));
				queued.add(true);
			}
			if (queued.contains(true)) {
				this.entriesAdded.signalAll();
			}
			return Collections.unmodifiableList(queued);
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public List<TaskDelivery> pop(String queue, int limit, int held, @Nullable Duration timeout) {
		assertQueue(queue);
		Assert.isTrue(limit >= 1, () -> "'limit' must be at least 1 but was " + limit);
		Assert.isTrue(held >= 0 && held < limit,
				() -> "'held' must be at least 0 and less than 'limit' (" + limit + ") but was " + held);
		Assert.isTrue(timeout == null || !timeout.isNegative(),
				() -> "'timeout' must not be negative but was " + timeout);
		long remaining = (timeout != null) ? nanos(timeout) : 0;
		List<TaskDelivery> deliveries = new ArrayList<>();
		this.lock.lock();
		try {
			while (true) {
				MemoryQueue state = this.queues.get(queue);
				List<MemoryQueue.Entry> claimed = (state != null) ? state.claim(limit) : List.of();
				for (MemoryQueue.Entry entry : claimed) {
					TaskDelivery delivery = deliver(state, entry, deliveries.size() < limit - held);
					if (delivery != null) {
						deliveries.add(delivery);
					}
				}
				if (!deliveries.isEmpty() || remaining <= 0) {
					break;
				}
				remaining = this.entriesAdded.awaitNanos(remaining);
			}
		}
		catch (InterruptedException ex) {
			// Nothing was claimed: the caller (a worker shutting down) gets no tasks and keeps its interrupt
			Thread.currentThread().interrupt();
		}
		finally {
			this.lock.unlock();
		}
		return deliveries;
	}

	/**
	 * Hand out a claimed entry, as Redis's claim does: an entry whose task is gone or finished is dropped; a task
	 * whose record is still what was queued is marked as processing, unless it is held.
	 */
	private @Nullable TaskDelivery deliver(MemoryQueue state, MemoryQueue.Entry entry, boolean mark) {
		MemoryRecord record = state.record(entry.taskId(), this.clock.instant());
		if (record == null || record.finished()) {
			state.removeEntry(entry.id());
			return null;
		}
		Task<Object> task = this.json.read(entry.json()).mutate().status(TaskStatus.PROCESSING).build();
		if (mark) {
			markProcessing(state, entry, record, task);
		}
		return new TaskDelivery(task, entry.id(), !mark);
	}

	private void markProcessing(MemoryQueue state, MemoryQueue.Entry entry, @Nullable MemoryRecord record,
			Task<Object> task) {
		if (record != null && record.json().equals(entry.json())) {
			state.putRecord(entry.taskId(), new MemoryRecord(this.json.write(task), false, record.expiresAt()));
		}
	}

	@Override
	public void markStarted(String queue, Collection<TaskDelivery> deliveries) {
		assertQueue(queue);
		Assert.notNull(deliveries, "'deliveries' must not be null");
		this.lock.lock();
		try {
			MemoryQueue state = this.queues.get(queue);
			if (state == null) {
				return;
			}
			for (TaskDelivery delivery : deliveries) {
				MemoryQueue.Entry entry = state.claimedEntry(delivery.deliveryId());
				if (entry != null) {
					markProcessing(state, entry, state.record(entry.taskId(), this.clock.instant()),
							delivery.task().mutate().status(TaskStatus.PROCESSING).build());
				}
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public List<Task<Object>> getPending(String queue, int count) {
		assertQueue(queue);
		Assert.isTrue(count >= 1, () -> "'count' must be at least 1 but was " + count);
		List<MemoryQueue.Entry> entries;
		this.lock.lock();
		try {
			MemoryQueue state = this.queues.get(queue);
			entries = (state != null) ? state.entries(count) : List.of();
		}
		finally {
			this.lock.unlock();
		}
		return entries.stream().map((entry) -> this.json.read(entry.json())).toList();
	}

	@Override
	public long size(String queue) {
		assertQueue(queue);
		this.lock.lock();
		try {
			MemoryQueue state = this.queues.get(queue);
			return (state != null) ? state.size() : 0;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public long clear(String queue) {
		assertQueue(queue);
		this.lock.lock();
		try {
			this.registeredQueues.remove(queue);
			MemoryQueue state = this.queues.get(queue);
			return (state != null) ? state.clear(this.clock.instant()) : 0;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public Map<UUID, Task<Object>> getTasks(String queue, Collection<UUID> ids) {
		assertQueue(queue);
		assertIds(ids);
		Map<UUID, String> found = new LinkedHashMap<>();
		this.lock.lock();
		try {
			MemoryQueue state = this.queues.get(queue);
			if (state != null) {
				Instant now = this.clock.instant();
				for (UUID id : ids) {
					MemoryRecord record = state.record(id, now);
					if (record != null) {
						found.putIfAbsent(id, record.json());
					}
				}
			}
		}
		finally {
			this.lock.unlock();
		}
		return read(found);
	}

	@Override
	public List<Task<Object>> getAllTasks(String queue) {
		assertQueue(queue);
		List<String> jsons;
		this.lock.lock();
		try {
			MemoryQueue state = this.queues.get(queue);
			jsons = (state != null) ? state.records(this.clock.instant()).stream().map(MemoryRecord::json).toList()
					: List.of();
		}
		finally {
			this.lock.unlock();
		}
		return jsons.stream().map(this.json::read).toList();
	}

	@Override
	public boolean schedule(String queue, Task<?> task, Instant at, boolean unique) {
		assertQueue(queue);
		Assert.notNull(task, "'task' must not be null");
		Assert.notNull(at, "'at' must not be null");
		String taskJson = this.json.write(task);
		this.lock.lock();
		try {
			MemoryQueue state = state(queue);
			if (unique && state.record(task.getId(), this.clock.instant()) != null) {
				return false;
			}
			state.putRecord(task.getId(), new MemoryRecord(taskJson, task.isFinished(), null));
			schedule(queue, state, task.getId(), at);
			this.registeredQueues.add(queue);
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public List<Task<Object>> popScheduled(String queue, Instant now, int limit) {
		assertQueue(queue);
		Assert.notNull(now, "'now' must not be null");
		Assert.isTrue(limit >= 1, () -> "'limit' must be at least 1 but was " + limit);
		this.lock.lock();
		try {
			MemoryQueue state = this.queues.get(queue);
			if (state == null) {
				return List.of();
			}
			Instant clockNow = this.clock.instant();
			List<Task<Object>> moved = new ArrayList<>();
			while (moved.size() < limit) {
				UUID id = state.pollDue(now);
				if (id == null) {
					break;
				}
				MemoryRecord record = state.record(id, clockNow);
				if (record == null || record.finished()) {
					// Gone or finished meanwhile (expired, deleted, completed elsewhere): nothing left to run
					continue;
				}
				Task<Object> task = this.json.read(record.json()).mutate().status(TaskStatus.PENDING).build();
				String taskJson = this.json.write(task);
				state.putRecord(id, new MemoryRecord(taskJson, false, null));
				state.enqueue(nextEntryId(), id, taskJson);
				moved.add(task);
			}
			if (!moved.isEmpty()) {
				this.entriesAdded.signalAll();
			}
			return Collections.unmodifiableList(moved);
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public List<Task<Object>> getScheduled(String queue) {
		assertQueue(queue);
		List<String> jsons = new ArrayList<>();
		this.lock.lock();
		try {
			MemoryQueue state = this.queues.get(queue);
			if (state != null) {
				Instant now = this.clock.instant();
				for (UUID id : state.scheduledIds()) {
					MemoryRecord record = state.record(id, now);
					if (record != null) {
						jsons.add(record.json());
					}
				}
			}
		}
		finally {
			this.lock.unlock();
		}
		return jsons.stream().map(this.json::read).toList();
	}

	@Override
	public Optional<Instant> nextScheduledAt(String queue) {
		assertQueue(queue);
		this.lock.lock();
		try {
			MemoryQueue state = this.queues.get(queue);
			return (state != null) ? state.nextDueAt() : Optional.empty();
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public boolean storeResult(String queue, Task<?> task, @Nullable String deliveryId) {
		assertQueue(queue);
		Assert.notNull(task, "'task' must not be null");
		// Written before anything changes: a result that cannot be written leaves the task and its delivery alone
		return store(queue, task, this.json.write(task), deliveryId);
	}

	@Override
	public List<Boolean> storeResults(String queue, List<TaskDelivery> outcomes) {
		assertQueue(queue);
		Assert.notNull(outcomes, "'outcomes' must not be null");
		Assert.noNullElements(outcomes, "'outcomes' must not contain null");
		// all written before anything changes: a state that cannot be written stores none of them
		List<String> jsons = outcomes.stream().map((outcome) -> this.json.write(outcome.task())).toList();
		List<Boolean> stored = new ArrayList<>(outcomes.size());
		for (int i = 0; i < outcomes.size(); i++) {
			stored.add(store(queue, outcomes.get(i).task(), jsons.get(i), outcomes.get(i).deliveryId()));
		}
		return stored;
	}

	private boolean store(String queue, Task<?> task, String taskJson, @Nullable String deliveryId) {
		Optional<Duration> ttl = this.ttlPolicy.resolve(task);
		Instant retryAt = (task.getStatus() == TaskStatus.RETRYING) ? task.getNextRetryAt() : null;
		this.lock.lock();
		try {
			MemoryQueue state = this.queues.get(queue);
			if (state == null) {
				return false;
			}
			if (deliveryId != null) {
				state.removeEntry(deliveryId);
			}
			Instant now = this.clock.instant();
			MemoryRecord stored = state.record(task.getId(), now);
			if (stored == null || stored.finished()) {
				return false;
			}
			Instant expiresAt = ttl.map(now::plus).orElse(null);
			state.putRecord(task.getId(), new MemoryRecord(taskJson, task.isFinished(), expiresAt));
			if (task.isFinished()) {
				state.incrementCompleted();
				notifyWaiters(queue);
			}
			else if (retryAt != null) {
				schedule(queue, state, task.getId(), retryAt);
			}
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public void release(String queue, Collection<TaskDelivery> deliveries) {
		assertQueue(queue);
		Assert.notNull(deliveries, "'deliveries' must not be null");
		Assert.noNullElements(deliveries, "'deliveries' must not contain null");
		this.lock.lock();
		try {
			MemoryQueue state = this.queues.get(queue);
			if (state == null) {
				return;
			}
			Instant now = this.clock.instant();
			for (TaskDelivery delivery : deliveries) {
				String queued = state.removeEntry(delivery.deliveryId());
				UUID id = delivery.task().getId();
				MemoryRecord record = state.record(id, now);
				if (record != null && queued != null && record.json().equals(this.json.write(delivery.task()))) {
					// marked as processing when it was taken: queued again as it was queued before
					record = new MemoryRecord(queued, false, record.expiresAt());
					state.putRecord(id, record);
				}
				if (record != null && !record.finished()) {
					state.enqueue(nextEntryId(), id, record.json());
				}
			}
			this.entriesAdded.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * A task scheduled before every other task of the queue (by {@link #schedule}, by {@link #storeResult} of a
	 * retrying task or by {@link #retry} with a time) signals the queue. The signal is sticky: one that arrives while
	 * nobody waits is taken by the next wait of the queue, which returns {@code true} at once; one that arrives while
	 * callers wait wakes all of them.
	 * @throws IllegalArgumentException if the timeout is {@code null} or negative
	 */
	@Override
	public boolean awaitScheduleChange(String queue, Duration timeout) {
		assertQueue(queue);
		return this.scheduleChanges.await(queue, timeout);
	}

	@Override
	public boolean retry(String queue, Task<?> task, @Nullable Instant at) {
		assertQueue(queue);
		Assert.notNull(task, "'task' must not be null");
		Assert.isTrue(!task.isFinished(),
				() -> "'task' must not be finished but has finished_at " + task.getFinishedAt());
		String taskJson = this.json.write(task);
		this.lock.lock();
		try {
			// registered whatever the outcome, as the Redis backend does
			this.registeredQueues.add(queue);
			MemoryQueue state = this.queues.get(queue);
			MemoryRecord record = (state != null) ? state.record(task.getId(), this.clock.instant()) : null;
			if (record == null || !record.finished()) {
				return false;
			}
			state.putRecord(task.getId(), new MemoryRecord(taskJson, false, null));
			if (at == null) {
				// a task finished by hand may still be in the schedule, from where it would run a second time
				state.unschedule(task.getId());
				state.enqueue(nextEntryId(), task.getId(), taskJson);
				this.entriesAdded.signalAll();
			}
			else {
				schedule(queue, state, task.getId(), at);
			}
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * Nothing to do: all workers of a memory backend live in this process, and one that stops hands its tasks back or
	 * records them.
	 */
	@Override
	public void renewLeases(String queue, Collection<String> deliveryIds) {
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * Nothing to take over: all workers of a memory backend live in this process.
	 */
	@Override
	public List<ReclaimedDelivery> reclaim(String queue, Duration minIdle, int limit) {
		return List.of();
	}

	@Override
	public int removeIdleConsumers(String queue, Duration minIdle) {
		return 0;
	}

	@Override
	public void acknowledge(String queue, Collection<String> deliveryIds) {
		assertQueue(queue);
		Assert.notNull(deliveryIds, "'deliveryIds' must not be null");
		Assert.noNullElements(deliveryIds, "'deliveryIds' must not contain null");
		this.lock.lock();
		try {
			MemoryQueue state = this.queues.get(queue);
			if (state != null) {
				deliveryIds.forEach(state::removeEntry);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public CompletableFuture<Map<UUID, Task<Object>>> whenFinished(String queue, Collection<UUID> ids) {
		assertQueue(queue);
		assertIds(ids);
		Set<UUID> wanted = new LinkedHashSet<>(ids);
		this.lock.lock();
		try {
			Map<UUID, String> finished = finished(queue, wanted);
			if (finished.size() == wanted.size()) {
				return CompletableFuture.completedFuture(read(finished));
			}
			MemoryWaiter waiter = new MemoryWaiter(queue, wanted);
			this.waiters.add(waiter);
			waiter.future().whenComplete((tasks, ex) -> forget(waiter));
			return waiter.future();
		}
		finally {
			this.lock.unlock();
		}
	}

	private void forget(MemoryWaiter waiter) {
		this.lock.lock();
		try {
			this.waiters.remove(waiter);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Complete the waiters of a queue whose tasks have all finished. Called with the lock held; the futures are
	 * completed on another thread, so that what their callers chain to them never runs under the lock.
	 */
	private void notifyWaiters(String queue) {
		for (MemoryWaiter waiter : List.copyOf(this.waiters)) {
			if (waiter.queue().equals(queue)) {
				Map<UUID, String> finished = finished(queue, waiter.ids());
				if (finished.size() == waiter.ids().size()) {
					this.waiters.remove(waiter);
					Map<UUID, Task<Object>> tasks = read(finished);
					CompletableFuture.runAsync(() -> waiter.future().complete(tasks));
				}
			}
		}
	}

	@Override
	public Optional<Task<Object>> cancel(String queue, UUID id) {
		assertQueue(queue);
		Assert.notNull(id, "'id' must not be null");
		this.lock.lock();
		try {
			MemoryQueue state = this.queues.get(queue);
			if (state == null) {
				return Optional.empty();
			}
			Instant now = this.clock.instant();
			MemoryRecord record = state.record(id, now);
			if (record == null || record.finished()) {
				return Optional.empty();
			}
			boolean unscheduled = state.unschedule(id);
			boolean unqueued = state.removeUnclaimedEntryOf(id);
			if (!unscheduled && !unqueued) {
				return Optional.empty();
			}
			Task<Object> cancelled = this.json.read(record.json())
				.mutate()
				.status(TaskStatus.CANCELLED)
				.finishedAt(Task.now())
				.build();
			Instant expiresAt = this.ttlPolicy.resolve(cancelled).map(now::plus).orElse(null);
			state.putRecord(id, new MemoryRecord(this.json.write(cancelled), true, expiresAt));
			state.incrementCompleted();
			notifyWaiters(queue);
			return Optional.of(cancelled);
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public boolean delete(String queue, UUID id) {
		assertQueue(queue);
		Assert.notNull(id, "'id' must not be null");
		this.lock.lock();
		try {
			MemoryQueue state = this.queues.get(queue);
			MemoryRecord record = (state != null) ? state.record(id, this.clock.instant()) : null;
			if (record == null) {
				return false;
			}
			if (!record.finished()) {
				throw new IllegalStateException("Task " + id + " has not finished; cancel it first");
			}
			state.removeRecord(id);
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public QueueStats getStats(String queue) {
		assertQueue(queue);
		this.lock.lock();
		try {
			MemoryQueue state = this.queues.get(queue);
			return (state != null) ? new QueueStats(state.size(), state.completed(), state.scheduledCount())
					: new QueueStats(0, 0, 0);
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public Map<String, Long> listQueues() {
		this.lock.lock();
		try {
			Map<String, Long> queues = new TreeMap<>();
			for (String name : this.registeredQueues) {
				MemoryQueue state = this.queues.get(name);
				queues.put(name, (state != null) ? state.size() : 0L);
			}
			return queues;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public boolean addCron(String queue, TaskCron cron) {
		assertQueue(queue);
		Assert.notNull(cron, "'cron' must not be null");
		UUID deterministicId = cron.deterministicId();
		String cronJson = this.json.writeCron(cron);
		this.lock.lock();
		try {
			return state(queue).crons().putIfAbsent(deterministicId, cronJson) == null;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public boolean deleteCron(String queue, UUID deterministicId) {
		assertQueue(queue);
		Assert.notNull(deterministicId, "'deterministicId' must not be null");
		this.lock.lock();
		try {
			MemoryQueue state = this.queues.get(queue);
			return state != null && state.crons().remove(deterministicId) != null;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public List<TaskCron> getCrons(String queue) {
		assertQueue(queue);
		List<String> jsons;
		this.lock.lock();
		try {
			MemoryQueue state = this.queues.get(queue);
			jsons = (state != null) ? List.copyOf(state.crons().values()) : List.of();
		}
		finally {
			this.lock.unlock();
		}
		return jsons.stream().map(this.json::readCron).toList();
	}

	/**
	 * Return how long the record of a task is kept from now, for tests.
	 * @param queue the queue name
	 * @param id the task id
	 * @return the time left, or empty when the task does not exist or is kept until deleted
	 */
	Optional<Duration> timeToLive(String queue, UUID id) {
		this.lock.lock();
		try {
			MemoryQueue state = this.queues.get(queue);
			Instant now = this.clock.instant();
			MemoryRecord record = (state != null) ? state.record(id, now) : null;
			Instant expiresAt = (record != null) ? record.expiresAt() : null;
			return (expiresAt != null) ? Optional.of(Duration.between(now, expiresAt)) : Optional.empty();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Return the number of {@link #whenFinished} futures of a queue still waiting, for tests.
	 * @param queue the queue name
	 * @return the number of waiting futures
	 */
	int waiterCount(String queue) {
		this.lock.lock();
		try {
			return (int) this.waiters.stream().filter((waiter) -> waiter.queue().equals(queue)).count();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Put a task in the schedule of a queue and signal the queue's schedulers when it is now the earliest task. Called
	 * with the lock held.
	 */
	private void schedule(String queue, MemoryQueue state, UUID id, Instant at) {
		if (state.schedule(id, at)) {
			this.scheduleChanges.signal(queue);
		}
	}

	private MemoryQueue state(String queue) {
		return this.queues.computeIfAbsent(queue, (name) -> new MemoryQueue());
	}

	private Map<UUID, String> finished(String queue, Set<UUID> ids) {
		Map<UUID, String> finished = new LinkedHashMap<>();
		MemoryQueue state = this.queues.get(queue);
		if (state != null) {
			Instant now = this.clock.instant();
			for (UUID id : ids) {
				MemoryRecord record = state.record(id, now);
				if (record != null && record.finished()) {
					finished.put(id, record.json());
				}
			}
		}
		return finished;
	}

	private Map<UUID, Task<Object>> read(Map<UUID, String> jsons) {
		Map<UUID, Task<Object>> tasks = new LinkedHashMap<>();
		jsons.forEach((id, taskJson) -> tasks.put(id, this.json.read(taskJson)));
		return tasks;
	}

	/**
	 * Return the next stream entry id, {@code <millis>-<sequence>} as Redis makes them: always greater than the last,
	 * also when the clock stands still or goes back.
	 */
	private String nextEntryId() {
		long millis = this.clock.millis();
		if (millis > this.lastEntryMillis) {
			this.lastEntryMillis = millis;
			this.lastEntrySequence = 0;
		}
		else {
			this.lastEntrySequence++;
		}
		return this.lastEntryMillis + "-" + this.lastEntrySequence;
	}

	private static long nanos(Duration duration) {
		try {
			return duration.toNanos();
		}
		catch (ArithmeticException ex) {
			return Long.MAX_VALUE;
		}
	}

	private static void assertQueue(String queue) {
		Assert.hasText(queue, "'queue' must not be empty");
	}

	private static void assertIds(Collection<UUID> ids) {
		Assert.notNull(ids, "'ids' must not be null");
		Assert.noNullElements(ids, "'ids' must not contain null");
	}

}
