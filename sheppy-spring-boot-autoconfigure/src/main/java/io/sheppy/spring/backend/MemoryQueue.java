package io.sheppy.spring.backend;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * The state of one queue of a {@link MemoryBackend}, shaped like the Redis keys of a queue: task records, a stream of
 * queue entries with the index of the entries no worker has claimed, the schedule, the crons and the completed
 * counter. It is not thread-safe; the backend guards it with its lock.
 *
 * @author Sheppy for Spring
 */
final class MemoryQueue {

	private static final Comparator<Scheduled> DUE_ORDER = Comparator.comparing(Scheduled::dueAt)
		.thenComparingLong(Scheduled::sequence);

	private final Map<UUID, MemoryRecord> records = new LinkedHashMap<>();

	private final Map<String, Entry> stream = new LinkedHashMap<>();

	private final Set<String> unclaimed = new LinkedHashSet<>();

	private final Map<UUID, String> unclaimedIndex = new HashMap<>();

	private final NavigableSet<Scheduled> schedule = new TreeSet<>(DUE_ORDER);

	private final Map<UUID, Scheduled> scheduledById = new HashMap<>();

	private final Map<UUID, String> crons = new LinkedHashMap<>();

	private long scheduleSequence;

	private long completed;

	/**
	 * Return the record of a task, dropping it first if it has expired.
	 * @param id the task id
	 * @param now the current time
	 * @return the record, or {@code null} if there is none
	 */
	@Nullable MemoryRecord record(UUID id, Instant now) {
		MemoryRecord record = this.records.get(id);
		if (record != null && record.isExpiredAt(now)) {
			this.records.remove(id);
			return null;
		}
		return record;
	}

	/**
	 * Return the records that have not expired, dropping the expired ones.
	 * @param now the current time
	 * @return the live records, in the order they were first stored
	 */
	Collection<MemoryRecord> records(Instant now) {
		this.records.values().removeIf((record) -> record.isExpiredAt(now));
		return this.records.values();
	}

	void putRecord(UUID id, MemoryRecord record) {
		this.records.put(id, record);
	}

	void removeRecord(UUID id) {
		this.records.remove(id);
	}

	/**
	 * Add an entry to the end of the stream, unclaimed.
	 * @param entryId the entry id, greater than every earlier one
	 * @param taskId the id of the task the entry carries
	 * @param json the task's JSON as queued
	 */
	void enqueue(String entryId, UUID taskId, String json) {
		this.stream.put(entryId, new Entry(entryId, taskId, json));
		this.unclaimed.add(entryId);
		this.unclaimedIndex.put(taskId, entryId);
	}

	/**
	 * Claim the oldest unclaimed entries; they stay in the stream until they are removed.
	 * @param limit the most entries to claim
	 * @return the claimed entries, oldest first
	 */
	List<Entry> claim(int limit) {
		List<Entry> claimed = new ArrayList<>(Math.min(limit, this.unclaimed.size()));
		Iterator<String> iterator = this.unclaimed.iterator();
		while (iterator.hasNext() && claimed.size() < limit) {
			Entry entry = this.stream.get(iterator.next());
			iterator.remove();
			if (entry != null) {
				// A task queued twice is indexed by its latest entry; claiming an older one must keep that index
				this.unclaimedIndex.remove(entry.taskId(), entry.id());
				claimed.add(entry);
			}
		}
		return claimed;
	}

	/**
	 * Return an entry that a worker claimed and that is still in the stream.
	 * @param entryId the entry id
	 * @return the entry, or {@code null} when it was removed or is not claimed
	 */
	@Nullable Entry claimedEntry(String entryId) {
		return this.unclaimed.contains(entryId) ? null : this.stream.get(entryId);
	}

	/**
	 * Return the oldest entries of the stream, claimed or not.
	 * @param count the most entries to return
	 * @return the entries, oldest first
	 */
	List<Entry> entries(int count) {
		return this.stream.values().stream().limit(count).toList();
	}

	/**
	 * Remove an entry from the stream, whether it was claimed or not.
	 * @param entryId the entry id
	 * @return the task JSON the entry held, or {@code null} when there was no such entry
	 */
	@Nullable String removeEntry(String entryId) {
		Entry entry = this.stream.remove(entryId);
		if (entry == null) {
			return null;
		}
		this.unclaimed.remove(entryId);
		this.unclaimedIndex.remove(entry.taskId(), entryId);
		return entry.json();
	}

	/**
	 * Remove the entry of a task that no worker has claimed, if there is one.
	 * @param taskId the task id
	 * @return whether an entry was removed
	 */
	boolean removeUnclaimedEntryOf(UUID taskId) {
		String entryId = this.unclaimedIndex.get(taskId);
		return entryId != null && removeEntry(entryId) != null;
	}

	long size() {
		return this.stream.size();
	}

	/**
	 * Put a task in the schedule, or move it to the new due time if it is scheduled already.
	 * @param taskId the task id
	 * @param dueAt when the task is due
	 * @return whether the task is now the first of the schedule (due before every other task, or at the same time and
	 * scheduled earlier)
	 */
	boolean schedule(UUID taskId, Instant dueAt) {
		unschedule(taskId);
		Scheduled scheduled = new Scheduled(dueAt, this.scheduleSequence++, taskId);
		this.schedule.add(scheduled);
		this.scheduledById.put(taskId, scheduled);
		return this.schedule.first() == scheduled;
	}

	/**
	 * Take a task out of the schedule.
	 * @param taskId the task id
	 * @return whether it was scheduled
	 */
	boolean unschedule(UUID taskId) {
		Scheduled scheduled = this.scheduledById.remove(taskId);
		return scheduled != null && this.schedule.remove(scheduled);
	}

	/**
	 * Take the earliest scheduled task out of the schedule if it is due.
	 * @param now the time to compare due times with (inclusive)
	 * @return the task id, or {@code null} if no task is due
	 */
	@Nullable UUID pollDue(Instant now) {
		if (this.schedule.isEmpty() || this.schedule.first().dueAt().isAfter(now)) {
			return null;
		}
		Scheduled scheduled = this.schedule.pollFirst();
		this.scheduledById.remove(scheduled.taskId());
		return scheduled.taskId();
	}

	/**
	 * Return the ids of the scheduled tasks, earliest due first.
	 * @return the task ids
	 */
	List<UUID> scheduledIds() {
		return this.schedule.stream().map(Scheduled::taskId).toList();
	}

	Optional<Instant> nextDueAt() {
		return this.schedule.isEmpty() ? Optional.empty() : Optional.of(this.schedule.first().dueAt());
	}

	long scheduledCount() {
		return this.schedule.size();
	}

	Map<UUID, String> crons() {
		return this.crons;
	}

	void incrementCompleted() {
		this.completed++;
	}

	long completed() {
		return this.completed;
	}

	/**
	 * Remove the queue's records, entries, schedule and crons; the completed counter stays, as in Redis.
	 * @param now the current time
	 * @return the number of task records that were removed (expired ones not counted)
	 */
	long clear(Instant now) {
		long removed = records(now).size();
		this.records.clear();
		this.stream.clear();
		this.unclaimed.clear();
		this.unclaimedIndex.clear();
		this.schedule.clear();
		this.scheduledById.clear();
		this.crons.clear();
		return removed;
	}

	/**
	 * One entry of the stream.
	 *
	 * @param id the entry id ({@code <millis>-<sequence>}, like a Redis stream entry id)
	 * @param taskId the id of the task it carries
	 * @param json the task's JSON as it was queued
	 */
	record Entry(String id, UUID taskId, String json) {

	}

	/**
	 * One task in the schedule; the sequence orders tasks due at the same time by insertion.
	 *
	 * @param dueAt when the task is due
	 * @param sequence the insertion sequence number
	 * @param taskId the task id
	 */
	private record Scheduled(Instant dueAt, long sequence, UUID taskId) {

	}

}
