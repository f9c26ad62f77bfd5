package io.sheppy.benchmarks;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * The benchmark's own view of the Redis server, on a connection of its own: {@code INFO} sections and the counter of
 * completed tasks. It counts the commands it sends that a measurement must not charge to the system measured.
 *
 * @author Sheppy for Spring
 */
final class RedisInfo implements AutoCloseable {

	private final StatefulRedisConnection<String, String> connection;

	private final RedisCommands<String, String> commands;

	private final AtomicLong gets = new AtomicLong();

	RedisInfo(RedisClient client) {
		this.connection = client.connect();
		this.commands = this.connection.sync();
	}

	/**
	 * Return the calls of each command since the server started, by command name as {@code INFO commandstats} gives
	 * it ({@code xadd}, {@code xgroup|create}); commands run by scripts are included.
	 */
	Map<String, Long> commandCalls() {
		Map<String, Long> calls = new TreeMap<>();
		for (String line : this.commands.info("commandstats").split("\r?\n")) {
			if (!line.startsWith("cmdstat_")) {
				continue;
			}
			int colon = line.indexOf(':');
			String name = line.substring("cmdstat_".length(), colon);
			for (String field : line.substring(colon + 1).split(",")) {
				if (field.startsWith("calls=")) {
					calls.put(name, Long.parseLong(field.substring("calls=".length())));
				}
			}
		}
		return calls;
	}

	/**
	 * Return the CPU time the server process used since it started (user and system, {@code INFO cpu}), in
	 * microseconds.
	 */
	long cpuMicros() {
		Map<String, String> cpu = info("cpu");
		double seconds = Double.parseDouble(cpu.get("used_cpu_user")) + Double.parseDouble(cpu.get("used_cpu_sys"));
		return Math.round(seconds * 1e6);
	}

	long usedMemory() {
		return field("memory", "used_memory");
	}

	long connectedClients() {
		return field("clients", "connected_clients");
	}

	String version() {
		return String.valueOf(info("server").get("redis_version"));
	}

	/**
	 * Read a counter (an integer string key), counting the read.
	 */
	long counter(String key) {
		this.gets.incrementAndGet();
		String value = this.commands.get(key);
		return (value != null) ? Long.parseLong(value) : 0;
	}

	/**
	 * Return how many {@code GET}s {@link #counter} has sent so far.
	 */
	long gets() {
		return this.gets.get();
	}

	void flushAll() {
		this.commands.flushall();
	}

	private long field(String section, String name) {
		String value = info(section).get(name);
		if (value == null) {
			throw new IllegalStateException("INFO " + section + " has no " + name);
		}
		return Long.parseLong(value);
	}

	private Map<String, String> info(String section) {
		Map<String, String> fields = new TreeMap<>();
		for (String line : this.commands.info(section).split("\r?\n")) {
			int colon = line.indexOf(':');
			if (!line.startsWith("#") && colon > 0) {
				fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
			}
		}
		return fields;
	}

	@Override
	public void close() {
		this.connection.close();
	}

}
