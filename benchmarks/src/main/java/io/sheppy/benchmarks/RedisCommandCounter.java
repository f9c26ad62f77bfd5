package io.sheppy.benchmarks;

import java.net.SocketAddress;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolKeyword;

/**
 * Counts the commands that the Lettuce clients of the benchmarked applications send to Redis, by command, as Lettuce
 * completes them (pipelined ones included). Redis' own {@code INFO commandstats} also counts the commands that scripts
 * run; the difference is what the scripts did inside Redis.
 *
 * @author Sheppy for Spring
 */
public final class RedisCommandCounter implements CommandLatencyRecorder {

	private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

	@Override
	public void recordCommandLatency(SocketAddress local, SocketAddress remote, ProtocolKeyword commandType,
			long firstResponseLatency, long completionLatency) {
		this.counts.computeIfAbsent(commandType.toString().toLowerCase(Locale.ROOT), (key) -> new LongAdder())
			.increment();
	}

	/**
	 * Return the counts so far, by lower-case command name.
	 * @return the counts
	 */
	public Map<String, Long> snapshot() {
		Map<String, Long> snapshot = new TreeMap<>();
		this.counts.forEach((command, count) -> snapshot.put(command, count.sum()));
		return snapshot;
	}

}
