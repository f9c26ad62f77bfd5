package io.sheppy.spring.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * A cron definition: a task spec and config that run on a cron expression. Its identity is the
 * {@linkplain #deterministicId() deterministic id}, computed exactly as Python Sheppy computes it, so that the same
 * cron added from Java and from Python is one cron.
 *
 * @param id the random id of this definition
 * @param expression the cron expression (5-field Unix cron or a macro such as {@code @hourly})
 * @param spec what each run runs
 * @param config how each run runs
 * @param managedBy what created the definition ({@code null} when added through the API)
 * @param zone the time zone whose wall clock the expression follows, or {@code null} for UTC (Python Sheppy's only
 * choice: a cron with a zone is honoured by this project's workers only)
 * @author Sheppy for Spring
 */
public record TaskCron(UUID id, String expression, TaskSpec spec, TaskConfig config, @Nullable String managedBy,
		@Nullable ZoneId zone) {

	/** The namespace of Python Sheppy's name-based cron UUIDs. */
	public static final UUID NAMESPACE = UUID.fromString("7005b432-c135-4131-b19e-d3dc89703a9a");

	public TaskCron {
		Assert.notNull(id, "'id' must not be null");
		Assert.hasText(expression, "'expression' must not be empty");
		Assert.notNull(spec, "'spec' must not be null");
		Assert.notNull(config, "'config' must not be null");
	}

	/**
	 * Create a definition that follows UTC, as Python Sheppy's do.
	 * @param id the random id of this definition
	 * @param expression the cron expression
	 * @param spec what each run runs
	 * @param config how each run runs
	 * @param managedBy what created the definition, or {@code null}
	 */
	public TaskCron(UUID id, String expression, TaskSpec spec, TaskConfig config, @Nullable String managedBy) {
		this(id, expression, spec, config, managedBy, null);
	}

	/**
	 * Create a definition with a random id.
	 * @param expression the cron expression
	 * @param spec what each run runs
	 * @param config how each run runs
	 * @return the definition
	 */
	public static TaskCron of(String expression, TaskSpec spec, TaskConfig config) {
		return new TaskCron(UUID.randomUUID(), expression, spec, config, null, null);
	}

	/**
	 * Return this definition with another time zone.
	 * @param zone the zone, or {@code null} for UTC
	 * @return the definition
	 */
	public TaskCron withZone(@Nullable ZoneId zone) {
		return new TaskCron(this.id, this.expression, this.spec, this.config, this.managedBy, zone);
	}

	/**
	 * Return this definition with another owner.
	 * @param managedBy what manages the definition, or {@code null}
	 * @return the definition
	 */
	public TaskCron withManagedBy(@Nullable String managedBy) {
		return new TaskCron(this.id, this.expression, this.spec, this.config, managedBy, this.zone);
	}

	/**
	 * Return the id that identifies this cron whatever its random {@link #id()}: a UUID v5 of the compact JSON of its
	 * spec and config followed by its expression (and, for a cron with a time zone, a space and the zone's id, so
	 * that the same expression in two zones makes two crons).
	 * @return the deterministic id
	 */
	public UUID deterministicId() {
		String zoneSuffix = (this.zone != null) ? " " + this.zone.getId() : "";
		return uuid5(PythonFormat.json(this.spec) + PythonFormat.json(this.config) + this.expression + zoneSuffix);
	}

	/**
	 * Return the id of the task that runs this cron at the given fire time: a UUID v5 of the deterministic id followed
	 * by Python's {@code str()} of the fire time in epoch seconds. Every worker computes the same id for the same run,
	 * which is what keeps a run from being scheduled twice.
	 * @param fireTime the fire time
	 * @return the task id
	 */
	public UUID instanceTaskId(Instant fireTime) {
		Assert.notNull(fireTime, "'fireTime' must not be null");
		long micros = Math.addExact(Math.multiplyExact(fireTime.getEpochSecond(), 1_000_000L),
				fireTime.getNano() / 1000);
		return uuid5(deterministicId() + PythonFormat.str(micros / 1e6));
	}

	static UUID uuid5(String name) {
		MessageDigest sha1;
		try {
			sha1 = MessageDigest.getInstance("SHA-1");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-1 is not available", ex);
		}
		sha1.update(toBytes(NAMESPACE));
		byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
		hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
		hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
		long most = 0;
		long least = 0;
		for (int i = 0; i < 8; i++) {
			most = (most << 8) | (hash[i] & 0xff);
			least = (least << 8) | (hash[i + 8] & 0xff);
		}
		return new UUID(most, least);
	}

	private static byte[] toBytes(UUID uuid) {
		byte[] bytes = new byte[16];
		long most = uuid.getMostSignificantBits();
		long least = uuid.getLeastSignificantBits();
		for (int i = 0; i < 8; i++) {
			bytes[i] = (byte) (most >>> (56 - 8 * i));
			bytes[i + 8] = (byte) (least >>> (56 - 8 * i));
		}
		return bytes;
	}

}
