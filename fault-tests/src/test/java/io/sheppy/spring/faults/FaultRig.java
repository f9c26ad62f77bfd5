package io.sheppy.spring.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.RedisServerOptions;
import io.sheppy.spring.test.redis.RedisServers;

import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.Consumer;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.PendingMessage;
import org.springframework.data.redis.connection.stream.PendingMessages;

/**
 * What a scenario runs on: a private Redis server, the producer in the test JVM, the worker processes and a directory
 * under {@code target/faults} for their logs and runs (and, with {@code -Dfaults.monitor=true}, every command Redis
 * ran). Closing it kills the workers and stops everything else.
 *
 * @author Sheppy for Spring
 */
final class FaultRig implements AutoCloseable {

	/** The queue of every scenario. */
	static final String QUEUE = "faults";

	/** Its pending stream, as Python Sheppy names it. */
	static final String STREAM = "sheppy:pending:" + QUEUE;

	/** Its dead-letter stream. */
	static final String DEAD = "sheppy:dead:" + QUEUE;

	/** The consumer group of the workers. */
	static final String GROUP = "workers";

	/** Leases that lapse after 2 s, looked after every half second: lost workers are noticed quickly. */
	static final String[] FAST_RECOVERY = { "sheppy.worker.lease-timeout=2s", "sheppy.worker.reclaim-interval=500ms" };

	/**
	 * The system property that has every command Redis runs recorded in the scenario's {@code monitor.txt}, to find
	 * out what happened when a scenario fails (needs {@code redis-cli}).
	 */
	static final String MONITOR_PROPERTY = "faults.monitor";

	private static final JsonMapper json = JsonMapper.builder().build();

	private final Path directory;

	private final RedisServer server;

	private final List<WorkerProcess> workers = new ArrayList<>();

	private @Nullable Producer producer;

	private @Nullable Process monitor;

	private FaultRig(Path directory, RedisServer server) {
		this.directory = directory;
		this.server = server;
	}

	/**
	 * Start a Redis server for a scenario and clean its directory.
	 * @param scenario the scenario's name, the name of its directory
	 * @param options the options of the Redis server
	 * @return the rig
	 */
	static FaultRig start(String scenario, RedisServerOptions options) {
		Path directory = Path.of(System.getProperty("basedir", "."), "target", "faults", scenario);
		deleteRecursively(directory);
		try {
			Files.createDirectories(directory);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		FaultRig rig = new FaultRig(directory, RedisServers.start(options));
		if (Boolean.getBoolean(MONITOR_PROPERTY)) {
			rig.monitor();
		}
		return rig;
	}

	/**
	 * Record every command Redis runs in {@code monitor.txt}, with {@code redis-cli monitor}, until Redis stops.
	 */
	private void monitor() {
		try {
			this.monitor = new ProcessBuilder("redis-cli", "-h", this.server.host(), "-p",
					String.valueOf(this.server.port()), "monitor")
				.redirectErrorStream(true)
				.redirectOutput(this.directory.resolve("monitor.txt").toFile())
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot run redis-cli monitor", ex);
		}
	}

	Path directory() {
		return this.directory;
	}

	RedisServer server() {
		return this.server;
	}

	/**
	 * Launch a worker process; call {@link WorkerProcess#awaitReady()} before relying on it.
	 * @param name its consumer name
	 * @param properties its application properties ({@code name=value})
	 * @return the worker
	 */
	WorkerProcess launchWorker(String name, String... properties) {
		WorkerProcess worker = WorkerProcess.launch(name, this.directory, this.server, properties);
		this.workers.add(worker);
		return worker;
	}

	/**
	 * Return the producer, starting it on first use.
	 * @return the producer
	 */
	Producer producer() {
		if (this.producer == null) {
			this.producer = Producer.start(this.server);
		}
		return this.producer;
	}

	/**
	 * Return the ids of the tasks whose stream entries a worker holds: read by it and not yet settled.
	 * @param consumer the worker's consumer name
	 * @return the task ids
	 */
	List<UUID> heldBy(String consumer) {
		PendingMessages pending = producer().redis()
			.opsForStream()
			.pending(STREAM, Consumer.from(GROUP, consumer), Range.unbounded(), 10_000L);
		List<UUID> ids = new ArrayList<>();
		for (PendingMessage message : pending) {
			String entry = message.getIdAsString();
			List<MapRecord<String, Object, Object>> records = producer().redis()
				.opsForStream()
				.range(STREAM, Range.closed(entry, entry));
			if (records == null || records.isEmpty()) {
				continue;
			}
			Object data = records.get(0).getValue().get("data");
			if (data instanceof String text) {
				JsonNode id = json.readTree(text).get("id");
				if (id != null && id.isString()) {
					ids.add(UUID.fromString(id.stringValue()));
				}
			}
		}
		return ids;
	}

	/**
	 * Return how many stream entries a worker holds.
	 * @param consumer the worker's consumer name
	 * @return the count
	 */
	long heldCount(String consumer) {
		return producer().redis()
			.opsForStream()
			.pending(STREAM, Consumer.from(GROUP, consumer), Range.unbounded(), 10_000L)
			.size();
	}

	@Override
	public void close() {
		if (this.monitor != null) {
			this.monitor.destroy();
		}
		try {
			this.workers.forEach(WorkerProcess::close);
		}
		finally {
			try {
				if (this.producer != null) {
					this.producer.close();
				}
			}
			finally {
				this.server.close();
			}
		}
	}

	private static void deleteRecursively(Path directory) {
		if (!Files.exists(directory)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(directory)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
