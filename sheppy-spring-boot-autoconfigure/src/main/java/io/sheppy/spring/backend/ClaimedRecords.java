package io.sheppy.spring.backend;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * The beginnings of the task records a {@link RedisBackend} wrote when it claimed tasks (their {@code processing}
 * state, not finished, up to the status: {@link ClaimMark#markedPrefix()}; for a task held without a mark, the state
 * it was queued in, and the mark to write when it starts), by delivery id, until their outcome is stored: a record
 * that still begins as the one written at the claim has not finished, so storing the outcome need not read and decode
 * it. Only a hint: a record that is not here costs a read and a decode in Redis, never a wrong decision. Bounded, so
 * that deliveries whose outcome is never stored by this backend (given up, taken over by another worker) cannot make
 * it grow without end.
 *
 * @author Sheppy for Spring
 */
final class ClaimedRecords {

	static final int MAX_SIZE = 100_000;

	private final Map<String, byte[]> records = new ConcurrentHashMap<>();

	private final Map<String, ClaimMark> held = new ConcurrentHashMap<>();

	void put(String deliveryId, byte[] markedPrefix) {
		if (this.records.size() < MAX_SIZE) {
			this.records.put(deliveryId, markedPrefix);
		}
	}

	/**
	 * Return and forget the beginning of the record written when a delivery was claimed.
	 */
	byte @Nullable [] take(String deliveryId) {
		this.held.remove(deliveryId);
		return this.records.remove(deliveryId);
	}

	void forget(Collection<String> deliveryIds) {
		deliveryIds.forEach(this.records::remove);
		deliveryIds.forEach(this.held::remove);
	}

	/**
	 * Note a delivery held without marking its record: the record still begins as queued, and the mark to write when
	 * the task starts.
	 */
	void hold(String deliveryId, ClaimMark mark) {
		if (this.held.size() < MAX_SIZE) {
			this.held.put(deliveryId, mark);
		}
		put(deliveryId, mark.queuedPrefix());
	}

	/**
	 * Return and forget the mark to write when a held delivery starts.
	 */
	@Nullable ClaimMark release(String deliveryId) {
		return this.held.remove(deliveryId);
	}

}
