package io.sheppy.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The parameters of a benchmark run. Every parameter is a flag ({@code --prefilled=200000}) or a system property
 * ({@code -Dsheppy.bench.prefilled=200000}); a flag wins. {@code --tiny} starts from the defaults of the smoke run
 * instead of those of the full run.
 *
 * @param tiny whether the defaults are those of the tiny smoke run
 * @param warmup tasks run through both queues before anything is measured
 * @param singleTasks tasks added one at a time, per system
 * @param singleThreads threads that add them
 * @param batch tasks per {@code add(List)} call (and per pipelined batch of the baseline)
 * @param prefilled tasks queued before the worker starts
 * @param streaming tasks added while the worker runs
 * @param idleSamples tasks of the idle pickup latency, one at a time
 * @param loadDuration how long the pickup latency under load is measured
 * @param loadShare the rate of that load as a share of the streaming throughput of Sheppy measured before
 * @param loadThreads threads that add that load, one task at a time
 * @param scheduledTasks tasks scheduled 100 to 500 ms ahead
 * @param waiters concurrent {@code waitFor} callers
 * @param concurrency {@code sheppy.worker.concurrency} of the worker
 * @param batchSize {@code sheppy.worker.batch-size} of the worker, and the read count of the baseline consumer
 * @param jfr where to write a Flight Recorder profile of the streaming run of Sheppy, or {@code null} for none
 */
public record BenchmarkOptions(boolean tiny, int warmup, int singleTasks, int singleThreads, int batch, int prefilled,
		int streaming, int idleSamples, Duration loadDuration, double loadShare, int loadThreads, int scheduledTasks,
		int waiters, int concurrency, int batchSize, @Nullable Path jfr) {

	/** The prefix of the system properties that set parameters. */
	public static final String PROPERTY_PREFIX = "sheppy.bench.";

	private static final List<String> NAMES = List.of("warmup", "single", "single-threads", "batch", "prefilled",
			"streaming", "idle-samples", "load-seconds", "load-share", "load-threads", "scheduled", "waiters",
			"concurrency", "batch-size", "jfr");

	/**
	 * Return the parameters of the full run.
	 * @return the full-run defaults
	 */
	public static BenchmarkOptions full() {
		return new BenchmarkOptions(false, 100_000, 10_000, 4, 500, 200_000, 50_000, 2_000, Duration.ofSeconds(5), 0.5,
				4, 500, 1_000, 50, 100, null);
	}

	/**
	 * Return the parameters of the tiny run that the smoke test makes: every measurement, a few hundred tasks.
	 * @return the tiny-run defaults
	 */
	public static BenchmarkOptions tinyRun() {
		return new BenchmarkOptions(true, 200, 100, 2, 50, 200, 200, 20, Duration.ofMillis(500), 0.5, 2, 10, 50, 50,
				100, null);
	}

	/**
	 * Read the parameters from flags and system properties.
	 * @param args the command-line arguments
	 * @return the parameters
	 * @throws IllegalArgumentException for an unknown flag or a value that is not a number
	 */
	public static BenchmarkOptions parse(String... args) {
		Map<String, String> values = new LinkedHashMap<>();
		boolean tiny = Boolean.getBoolean(PROPERTY_PREFIX + "tiny");
		for (String name : NAMES) {
			String value = System.getProperty(PROPERTY_PREFIX + name);
			if (value != null) {
				values.put(name, value);
			}
		}
		for (String arg : args) {
			if (arg.equals("--tiny")) {
				tiny = true;
				continue;
			}
			int equals = arg.indexOf('=');
			String name = arg.startsWith("--") && equals > 2 ? arg.substring(2, equals) : null;
			if (name == null || !NAMES.contains(name)) {
				throw new IllegalArgumentException("Unknown argument '" + arg + "'\n" + usage());
			}
			values.put(name, arg.substring(equals + 1));
		}
		BenchmarkOptions defaults = tiny ? tinyRun() : full();
		try {
			return new BenchmarkOptions(tiny, integer(values, "warmup", defaults.warmup()),
					integer(values, "single", defaults.singleTasks()),
					integer(values, "single-threads", defaults.singleThreads()),
					integer(values, "batch", defaults.batch()), integer(values, "prefilled", defaults.prefilled()),
					integer(values, "streaming", defaults.streaming()),
					integer(values, "idle-samples", defaults.idleSamples()),
					values.containsKey("load-seconds")
							? Duration.ofMillis(Math.round(Double.parseDouble(values.get("load-seconds")) * 1000))
							: defaults.loadDuration(),
					values.containsKey("load-share") ? Double.parseDouble(values.get("load-share"))
							: defaults.loadShare(),
					integer(values, "load-threads", defaults.loadThreads()),
					integer(values, "scheduled", defaults.scheduledTasks()),
					integer(values, "waiters", defaults.waiters()),
					integer(values, "concurrency", defaults.concurrency()),
					integer(values, "batch-size", defaults.batchSize()),
					values.containsKey("jfr") ? Path.of(values.get("jfr")) : null);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("Not a number: " + ex.getMessage() + "\n" + usage(), ex);
		}
	}

	public BenchmarkOptions {
		positive("warmup", warmup);
		positive("single", singleTasks);
		positive("single-threads", singleThreads);
		positive("batch", batch);
		positive("prefilled", prefilled);
		positive("streaming", streaming);
		positive("idle-samples", idleSamples);
		positive("load-threads", loadThreads);
		positive("scheduled", scheduledTasks);
		positive("waiters", waiters);
		positive("concurrency", concurrency);
		positive("batch-size", batchSize);
		if (loadDuration.isNegative() || loadDuration.isZero()) {
			throw new IllegalArgumentException("--load-seconds must be positive");
		}
		if (!(loadShare > 0 && loadShare <= 1)) {
			throw new IllegalArgumentException("--load-share must be in (0, 1] but was " + loadShare);
		}
	}

	/**
	 * Return the help text of the flags.
	 * @return the usage
	 */
	public static String usage() {
		BenchmarkOptions full = full();
		BenchmarkOptions tiny = tinyRun();
		return String.format(Locale.ROOT, """
				Usage: java -jar benchmarks/target/sheppy-benchmarks.jar [--tiny] [--NAME=VALUE ...]
				(or -Dsheppy.bench.NAME=VALUE). Defaults of the full run, then of --tiny:
				  --warmup=N          tasks through each queue before measuring      %d / %d
				  --single=N          tasks added one at a time                      %d / %d
				  --single-threads=N  threads that add them                          %d / %d
				  --batch=N           tasks per add(List) / pipelined XADD batch     %d / %d
				  --prefilled=N       tasks queued before the worker starts          %d / %d
				  --streaming=N       tasks added while the worker runs              %d / %d
				  --idle-samples=N    tasks of the idle pickup latency               %d / %d
				  --load-seconds=S    duration of the pickup latency under load      %s / %s
				  --load-share=F      load rate as a share of streaming throughput   %s / %s
				  --load-threads=N    threads that add the load                      %d / %d
				  --scheduled=N       tasks scheduled 100-500 ms ahead               %d / %d
				  --waiters=N         concurrent waitFor callers                     %d / %d
				  --concurrency=N     sheppy.worker.concurrency                      %d / %d
				  --batch-size=N      sheppy.worker.batch-size                       %d / %d
				  --jfr=FILE          write a JFR profile of Sheppy's streaming run  none
				""", full.warmup, tiny.warmup, full.singleTasks, tiny.singleTasks, full.singleThreads,
				tiny.singleThreads, full.batch, tiny.batch, full.prefilled, tiny.prefilled, full.streaming,
				tiny.streaming, full.idleSamples, tiny.idleSamples, seconds(full.loadDuration),
				seconds(tiny.loadDuration), full.loadShare, tiny.loadShare, full.loadThreads, tiny.loadThreads,
				full.scheduledTasks, tiny.scheduledTasks, full.waiters, tiny.waiters, full.concurrency,
				tiny.concurrency, full.batchSize, tiny.batchSize);
	}

	private static String seconds(Duration duration) {
		return (duration.toMillis() / 1000.0) + "";
	}

	private static int integer(Map<String, String> values, String name, int fallback) {
		String value = values.get(name);
		return (value != null) ? Integer.parseInt(value.replace("_", "").replace(",", "")) : fallback;
	}

	private static void positive(String name, int value) {
		if (value < 1) {
			throw new IllegalArgumentException("--" + name + " must be at least 1 but was " + value);
		}
	}

}
