package io.sheppy.spring.listener;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.UUID;

/**
 * Cron ids worked out the way Python Sheppy works them out ({@code uuid.uuid5} and {@code str(float)}), apart from
 * the code under test, so that tests can check the ids a worker gives to the runs of a cron.
 *
 * @author Sheppy for Spring
 */
final class PythonCronIds {

	/** Python Sheppy's namespace of cron ids. */
	static final UUID NAMESPACE = UUID.fromString("7005b432-c135-4131-b19e-d3dc89703a9a");

	private PythonCronIds() {
	}

	/**
	 * Return Python's {@code uuid.uuid5(NAMESPACE, name)}.
	 * @param name the name
	 * @return the UUID
	 */
	static UUID uuid5(String name) {
		try {
			MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
			sha1.update(ByteBuffer.allocate(16)
				.putLong(NAMESPACE.getMostSignificantBits())
				.putLong(NAMESPACE.getLeastSignificantBits())
				.array());
			ByteBuffer hash = ByteBuffer.wrap(sha1.digest(name.getBytes(StandardCharsets.UTF_8)));
			long most = (hash.getLong(0) & ~0xF000L) | 0x5000L;
			long least = (hash.getLong(8) & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
			return new UUID(most, least);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Return the id Python gives to the run of a cron at a fire time on a whole second:
	 * {@code uuid5(NAMESPACE, str(deterministic_id) + str(fire_time.timestamp()))}.
	 * @param deterministicId the cron's deterministic id
	 * @param fireTime the fire time, on a whole second
	 * @return the run's task id
	 */
	static UUID instanceTaskId(UUID deterministicId, Instant fireTime) {
		if (fireTime.getNano() != 0) {
			throw new IllegalArgumentException("Not on a whole second: " + fireTime);
		}
		// str(float) of a whole number of seconds below 1e16 is the number followed by ".0"
		return uuid5(deterministicId + String.valueOf(fireTime.getEpochSecond()) + ".0");
	}

}
