package io.sheppy.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

import io.sheppy.benchmarks.BenchmarkReport.CommandRow;
import io.sheppy.benchmarks.BenchmarkReport.Row;
import io.sheppy.benchmarks.RawRedisBaseline.RawConsumer;
import io.sheppy.benchmarks.RawRedisBaseline.RawWaiting;
import io.sheppy.spring.config.TaskEndpointRegistry;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.queue.TaskQueue;
import io.sheppy.spring.test.redis.LocalRedisServer;
import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.RedisServers;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * Measures Sheppy for Spring against a raw-Redis baseline in the same run, on a Redis server of its own: enqueue rates,
 * end-to-end throughput of no-op tasks, pickup latency, scheduled-task lateness, many callers of {@code waitFor}, and
 * what each task costs Redis in commands and memory. Sheppy runs as users run it: real Spring Boot applications in
 * this JVM, one that produces (worker disabled) and one that works, with {@code @SheppyTask} methods that do nothing.
 * <p>
 * Run it with {@code java -jar benchmarks/target/sheppy-benchmarks.jar} (see {@link BenchmarkOptions#usage()}); the
 * table goes to standard output, progress to standard error.
 *
 * @author Sheppy for Spring
 */
public final class SheppyBenchmark {

	/** The counter of completed tasks of the benchmark queue: Python Sheppy's key, incremented as a task finishes. */
	static final String COMPLETED_KEY = "sheppy:completed:" + BenchmarkTasks.QUEUE;

	private static final Duration PICKUP_TIMEOUT = Duration.ofSeconds(30);

	private static final int WAITER_STACK_SIZE = 256 * 1024;

	private final BenchmarkOptions options;

	private final PrintStream log;

	private final long started = System.nanoTime();

	private final TaskProbe probe = new TaskProbe();

	private final RedisCommandCounter counter = new RedisCommandCounter();

	private final BenchmarkReport report = new BenchmarkReport();

	// set while running
	private @Nullable RedisServer server;

	private @Nullable RedisInfo info;

	private @Nullable TaskQueue queue;

	private @Nullable RawRedisBaseline baseline;

	/**
	 * Create a benchmark.
	 * @param options the parameters
	 * @param log where progress is written
	 */
	public SheppyBenchmark(BenchmarkOptions options, PrintStream log) {
		this.options = options;
		this.log = log;
	}

	public static void main(String[] args) throws Exception {
		if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
			System.out.println(BenchmarkOptions.usage());
			return;
		}
		BenchmarkOptions options;
		try {
			options = BenchmarkOptions.parse(args);
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.exit(2);
			return;
		}
		BenchmarkReport report = new SheppyBenchmark(options, System.err).run();
		System.out.println(report.render());
		System.out.flush();
		// the thread pools of Lettuce and Spring shut down lazily; the work is done
		System.exit(0);
	}

	/**
	 * Run every measurement, starting and stopping the Redis server and the applications.
	 * @return the report
	 * @throws Exception if a measurement fails
	 */
	public BenchmarkReport run() throws Exception {
		String loadBefore = loadAverage();
		try (RedisServer redis = startRedis()) {
			this.server = redis;
			progress("Redis started on port %d", redis.port());
			ClientResources resources = DefaultClientResources.create();
			RedisClient client = RedisClient.create(resources, RedisURI.create(redis.uri()));
			try (RedisInfo redisInfo = new RedisInfo(client)) {
				this.info = redisInfo;
				header(redis, redisInfo);
				runWithApplications(client);
			}
			finally {
				client.shutdown();
				resources.shutdown();
			}
		}
		this.report.note(String.format(Locale.ROOT, "whole run: %.1f s; load average of the machine (1, 5, 15 min) "
				+ "%s before, %s after", (System.nanoTime() - this.started) / 1e9, loadBefore, loadAverage()));
		return this.report;
	}

	/**
	 * Return the load averages of the machine, to tell a busy machine from a slow system; "?" where the system has
	 * no {@code /proc/loadavg}.
	 */
	private static String loadAverage() {
		try {
			String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
			return fields[0] + " " + fields[1] + " " + fields[2];
		}
		catch (IOException | RuntimeException ex) {
			return "?";
		}
	}

	private RedisServer startRedis() {
		// a local redis-server when there is one: the same host as the figures of the issue, no container network
		if (System.getProperty(RedisServers.MODE_PROPERTY) == null && LocalRedisServer.findExecutable().isPresent()) {
			return new LocalRedisServer();
		}
		return RedisServers.start();
	}

	private void header(RedisServer redis, RedisInfo redisInfo) {
		this.report.header(String.format(Locale.ROOT,
				"Sheppy for Spring benchmark%s: Redis %s (%s, %s:%d, no persistence), Java %s, %d CPUs",
				this.options.tiny() ? " (tiny run)" : "", redisInfo.version(),
				(redis instanceof LocalRedisServer) ? "local redis-server" : "container", redis.host(), redis.port(),
				System.getProperty("java.version"), Runtime.getRuntime().availableProcessors()));
		this.report.header(String.format(Locale.ROOT,
				"Sheppy: a producer application and a worker application (sheppy.worker.concurrency=%d, "
						+ "batch-size=%d, poll-timeout=1s) in this JVM; no-op @SheppyTask methods",
				this.options.concurrency(), this.options.batchSize()));
		this.report.header(String.format(Locale.ROOT,
				"Baseline: Lettuce alone: XADD of the same task JSON (pipelined batches of %d, or one synchronous "
						+ "XADD at a time); one consumer: XREADGROUP COUNT %d BLOCK + pipelined XACK and XDEL",
				this.options.batch(), this.options.batchSize()));
		this.report.header("Sheppy / baseline: above 1 is more for Sheppy (better for rates, worse for times, "
				+ "latencies, commands, connections and memory)");
	}

	private void runWithApplications(RedisClient client) throws Exception {
		RedisServer redis = this.server;
		try (ConfigurableApplicationContext producer = BenchmarkApplication.start(redis, this.probe, this.counter,
				"spring.application.name=bench-producer", "sheppy.worker.enabled=false");
				ConfigurableApplicationContext worker = startWorker(redis)) {
			progress("worker application started");
			TaskQueue taskQueue = producer.getBean(TaskQueue.class);
			this.queue = taskQueue;
			String payload = producer.getBean(TaskJson.class).write(taskQueue.task(BenchmarkTasks::noop, 0L));
			this.report.note("task JSON: " + payload.length() + " bytes (the data of every baseline entry too)");
			try (RawRedisBaseline raw = new RawRedisBaseline(client, payload)) {
				this.baseline = raw;
				TaskEndpointRegistry registry = worker.getBean(TaskEndpointRegistry.class);
				warmUp(registry);
				singleEnqueue();
				double streamingRate;
				batchEnqueueAndPrefilled(registry);
				streamingRate = streaming();
				idlePickup();
				pickupUnderLoad(streamingRate);
				scheduledLateness();
				waiters();
			}
		}
	}

	private ConfigurableApplicationContext startWorker(RedisServer redis) {
		progress("producer application started");
		return BenchmarkApplication.start(redis, this.probe, this.counter, "spring.application.name=bench-worker",
				"sheppy.worker.concurrency=" + this.options.concurrency(),
				"sheppy.worker.batch-size=" + this.options.batchSize());
	}

	// ---- phases

	/**
	 * Run tasks through both queues, producers and consumers, as the measurements do, so that the JIT compiler has
	 * compiled their paths before anything is measured: the figures are those of a worker that has been running for a
	 * while. The tasks added in batches are queued before the consumers start (as in the prefilled run), those added
	 * one at a time while they run. Sheppy's worker is stopped again afterwards, so that the prefilled measurement can
	 * queue its tasks before it starts.
	 */
	private void warmUp(TaskEndpointRegistry registry) throws InterruptedException {
		int count = this.options.warmup();
		int singles = Math.max(1, count / 10);
		progress("warming up: %,d tasks through each queue, %,d of them added one at a time", count + singles,
				singles);
		Duration timeout = drainTimeout(count + singles);
		String stream = "bench:raw:warmup";
		this.baseline.createGroup(stream);
		this.baseline.addPipelined(stream, count, this.options.batch());
		try (RawConsumer consumer = this.baseline.startConsumer(stream, this.options.batchSize())) {
			this.baseline.addOneByOne(stream, singles, this.options.singleThreads());
			TaskProbe.awaitCount(consumer::acknowledged, count + singles, timeout, "the baseline consumer");
		}
		long completedBefore = this.info.counter(COMPLETED_KEY);
		long runsBefore = this.probe.runs();
		addBatches(this.queue, count, this.options.batch());
		registry.start();
		addOneByOne(this.queue, singles, this.options.singleThreads());
		awaitCompleted(runsBefore + count + singles, completedBefore + count + singles, timeout);
		registry.stop();
		this.info.flushAll();
	}

	private void singleEnqueue() throws InterruptedException {
		int count = this.options.singleTasks();
		int threads = this.options.singleThreads();
		long raw = this.baseline.addOneByOne("bench:raw:single", count, threads);
		this.info.flushAll();
		long sheppy = addOneByOne(this.queue, count, threads);
		this.info.flushAll();
		addRate("enqueue.single", String.format(Locale.ROOT, "single enqueue: add(task) from %d threads, %,d tasks",
				threads, count), count, sheppy, raw);
	}

	private void batchEnqueueAndPrefilled(TaskEndpointRegistry registry) throws InterruptedException {
		int count = this.options.prefilled();
		int batch = this.options.batch();
		Duration timeout = drainTimeout(count);

		String stream = "bench:raw:prefilled";
		this.baseline.createGroup(stream);
		long rawMemoryBefore = this.info.usedMemory();
		long rawEnqueue = this.baseline.addPipelined(stream, count, batch);
		long rawMemory = this.info.usedMemory() - rawMemoryBefore;
		long rawStart = System.nanoTime();
		long rawDrain;
		try (RawConsumer consumer = this.baseline.startConsumer(stream, this.options.batchSize())) {
			TaskProbe.awaitCount(consumer::acknowledged, count, timeout, "the baseline consumer");
			rawDrain = System.nanoTime() - rawStart;
		}
		this.info.flushAll();

		long memoryBefore = this.info.usedMemory();
		long enqueue = addBatches(this.queue, count, batch);
		long memory = this.info.usedMemory() - memoryBefore;
		addRate("enqueue.batch", String.format(Locale.ROOT, "batch enqueue: add(List) of %d, %,d tasks", batch, count),
				count, enqueue, rawEnqueue);
		progress("%,d tasks queued; starting the worker", count);
		long completedBefore = this.info.counter(COMPLETED_KEY);
		long runsBefore = this.probe.runs();
		long start = System.nanoTime();
		registry.start();
		long drain = awaitCompleted(runsBefore + count, completedBefore + count, timeout) - start;
		addRate("e2e.prefilled", String.format(Locale.ROOT,
				"end-to-end no-op tasks, prefilled: %,d queued, then the worker starts", count), count, drain,
				rawDrain);
		this.report.add(new Row("memory.per-task", String.format(Locale.ROOT,
				"Redis memory per queued task (used_memory delta / %,d)", count), "bytes", (double) memory / count,
				(double) rawMemory / count, 0));
	}

	private double streaming() throws Exception {
		int count = this.options.streaming();
		int batch = this.options.batch();
		Duration timeout = drainTimeout(count);

		String stream = "bench:raw:streaming";
		long rawElapsed;
		Map<String, Long> rawCalls;
		long rawRedisCpu;
		long rawCpu;
		try (RawConsumer consumer = this.baseline.startConsumer(stream, this.options.batchSize())) {
			Map<String, Long> before = this.info.commandCalls();
			long redisCpuBefore = this.info.cpuMicros();
			long cpuBefore = processCpuNanos();
			long start = System.nanoTime();
			Thread producer = new Thread(() -> this.baseline.addPipelined(stream, count, batch), "baseline-producer");
			producer.start();
			TaskProbe.awaitCount(consumer::acknowledged, count, timeout, "the baseline consumer");
			rawElapsed = System.nanoTime() - start;
			rawCalls = delta(before, this.info.commandCalls(), 0);
			rawRedisCpu = this.info.cpuMicros() - redisCpuBefore;
			rawCpu = processCpuNanos() - cpuBefore;
			producer.join();
		}

		Recording recording = startRecording();
		long completedBefore = this.info.counter(COMPLETED_KEY);
		long runsBefore = this.probe.runs();
		Map<String, Long> serverBefore = this.info.commandCalls();
		long redisCpuBefore = this.info.cpuMicros();
		long cpuBefore = processCpuNanos();
		Map<String, Long> clientBefore = this.counter.snapshot();
		long getsBefore = this.info.gets();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		long start = System.nanoTime();
		Thread producer = new Thread(() -> {
			try {
				addBatches(this.queue, count, batch);
			}
			catch (Throwable ex) {
				failure.set(ex);
			}
		}, "sheppy-producer");
		producer.start();
		long elapsed = awaitCompleted(runsBefore + count, completedBefore + count, timeout, failure::get) - start;
		Map<String, Long> clientCalls = delta(clientBefore, this.counter.snapshot(), 0);
		Map<String, Long> serverCalls = delta(serverBefore, this.info.commandCalls(), this.info.gets() - getsBefore);
		long redisCpu = this.info.cpuMicros() - redisCpuBefore;
		long cpu = processCpuNanos() - cpuBefore;
		producer.join();
		stopRecording(recording);

		addRate("e2e.streaming", String.format(Locale.ROOT,
				"end-to-end no-op tasks, streaming: %,d added in batches of %d while the worker runs", count, batch),
				count, elapsed, rawElapsed);
		commandsPerTask(count, serverCalls, clientCalls, rawCalls);
		this.report.add(new Row("cpu.redis", "Redis CPU per task, streaming (INFO cpu, used_cpu_user + used_cpu_sys)",
				"us", (double) redisCpu / count, (double) rawRedisCpu / count, 2));
		this.report.add(new Row("cpu.jvm", "JVM CPU per task, streaming (producer and worker, process CPU time)", "us",
				cpu / 1e3 / count, rawCpu / 1e3 / count, 2));
		return count / (elapsed / 1e9);
	}

	private void commandsPerTask(int count, Map<String, Long> server, Map<String, Long> client,
			Map<String, Long> raw) {
		long total = sum(server);
		long sent = sum(client);
		long scripts = server.getOrDefault("evalsha", 0L) + server.getOrDefault("eval", 0L);
		long rawTotal = sum(raw);
		this.report.add(new Row("commands.total", "Redis commands per task, streaming (INFO commandstats, scripts' "
				+ "inner commands included)", "commands", (double) total / count, (double) rawTotal / count, 2));
		this.report.add(new Row("commands.round-trips", "Redis round trips per task, streaming (commands the "
				+ "clients sent, pipelined ones included)", "commands", (double) sent / count, (double) rawTotal / count,
				2));
		this.report.add(new Row("commands.scripts", "of which EVALSHA (script calls) per task", "calls",
				(double) scripts / count, null, 2));
		this.report.add(new Row("commands.inner", "commands run inside scripts per task", "commands",
				(double) (total - sent) / count, null, 2));
		TreeSet<String> names = new TreeSet<>(server.keySet());
		names.addAll(raw.keySet());
		List<CommandRow> rows = new ArrayList<>();
		for (String name : names) {
			rows.add(new CommandRow(name, (double) server.getOrDefault(name, 0L) / count,
					(double) client.getOrDefault(parent(name), 0L) / count,
					(double) raw.getOrDefault(name, 0L) / count));
		}
		rows.sort((a, b) -> Double.compare(Math.max(b.sheppy(), b.baseline()), Math.max(a.sheppy(), a.baseline())));
		rows.stream().filter((row) -> row.sheppy() + row.baseline() >= 0.0005).forEach(this.report::addCommand);
	}

	/**
	 * Return the CPU time this JVM has used, in nanoseconds.
	 */
	private static long processCpuNanos() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
	}

	private void idlePickup() throws InterruptedException {
		int samples = this.options.idleSamples();
		Histogram raw;
		try (RawConsumer consumer = this.baseline.startLatencyConsumer("bench:raw:idle", this.options.batchSize())) {
			this.baseline.resetLatencies();
			for (int i = 0; i < samples; i++) {
				this.baseline.addStamped("bench:raw:idle");
				this.baseline.awaitReceived(1);
				pauseBetweenSamples();
			}
			raw = this.baseline.takeLatencies();
		}
		this.probe.resetPickups();
		for (int i = 0; i < samples; i++) {
			long stamp = System.nanoTime();
			this.queue.add(this.queue.task(BenchmarkTasks::pickup, stamp));
			this.probe.awaitPickup(PICKUP_TIMEOUT);
			pauseBetweenSamples();
		}
		Histogram sheppy = this.probe.takePickups();
		addLatencies("pickup.idle", String.format(Locale.ROOT,
				"pickup latency idle, add to method start, one task at a time (%,d)", samples), sheppy, raw, true);
	}

	private void pickupUnderLoad(double streamingRate) throws InterruptedException {
		double rate = Math.max(10, streamingRate * this.options.loadShare());
		int threads = this.options.loadThreads();
		Duration duration = this.options.loadDuration();
		Histogram raw;
		long rawSent;
		try (RawConsumer consumer = this.baseline.startLatencyConsumer("bench:raw:load", this.options.batchSize())) {
			this.baseline.resetLatencies();
			rawSent = paced(threads, rate, duration, () -> this.baseline.addStamped("bench:raw:load"));
			this.baseline.awaitReceived((int) rawSent);
			raw = this.baseline.takeLatencies();
		}
		this.probe.resetPickups();
		long pickupsBefore = this.probe.pickups();
		long sent = paced(threads, rate, duration, () -> {
			long stamp = System.nanoTime();
			this.queue.add(this.queue.task(BenchmarkTasks::pickup, stamp));
		});
		TaskProbe.awaitCount(this.probe::pickups, pickupsBefore + sent, drainTimeout((int) sent), "pickups");
		Histogram sheppy = this.probe.takePickups();
		double seconds = duration.toNanos() / 1e9;
		addLatencies("pickup.load", String.format(Locale.ROOT,
				"pickup latency under load: %,.0f tasks/s offered (%s of streaming) by %d threads", rate,
				percent(this.options.loadShare()), threads), sheppy, raw, false);
		this.report.note(String.format(Locale.ROOT,
				"under load: %,.0f tasks/s offered for %.1f s; achieved %,.0f/s by Sheppy's add(), %,.0f/s by the "
						+ "baseline's XADD", rate, seconds, sent / seconds, rawSent / seconds));
	}

	private void scheduledLateness() throws InterruptedException {
		int count = this.options.scheduledTasks();
		this.probe.takeLateness();
		long startsBefore = this.probe.scheduledStarts();
		ThreadLocalRandom random = ThreadLocalRandom.current();
		for (int i = 0; i < count; i++) {
			Instant due = Instant.now().plusMillis(100 + random.nextInt(401)).truncatedTo(ChronoUnit.MICROS);
			this.queue.schedule(this.queue.task(BenchmarkTasks::scheduled, TaskProbe.epochMicros(due)), due);
			TimeUnit.MILLISECONDS.sleep(10);
		}
		TaskProbe.awaitCount(this.probe::scheduledStarts, startsBefore + count, Duration.ofSeconds(30),
				"scheduled tasks");
		Histogram lateness = this.probe.takeLateness();
		String label = String.format(Locale.ROOT,
				"scheduled-task lateness, method start - due time (%,d tasks, 100-500 ms ahead)", count);
		this.report.add(new Row("scheduled.p50", label + " p50", "ms", millis(lateness, 50), null, 3));
		this.report.add(new Row("scheduled.p99", label + " p99", "ms", millis(lateness, 99), null, 3));
		progress("%s: p50 %.3f ms, p99 %.3f ms, max %.3f ms", label, millis(lateness, 50), millis(lateness, 99),
				lateness.getMaxValue() / 1e6);
		if (this.probe.earlyStarts() > 0) {
			this.report.note(this.probe.earlyStarts() + " scheduled tasks started before they were due");
		}
	}

	private void waiters() throws Exception {
		int count = this.options.waiters();
		Duration timeout = drainTimeout(count);

		long rawBefore;
		long rawDuring;
		long rawElapsed;
		try (RawWaiting waiting = this.baseline.startWaiting("bench:raw:waiting", "bench:raw:finished",
				this.options.batchSize())) {
			rawBefore = this.info.connectedClients();
			try (ClientSampler sampler = new ClientSampler(this.info)) {
				waiting.startReader();
				List<CompletableFuture<String>> futures = new ArrayList<>();
				for (int i = 0; i < count; i++) {
					futures.add(waiting.future(i));
				}
				CountDownLatch done = new CountDownLatch(count);
				List<Thread> threads = startWaiters(count, (i) -> futures.get(i).get(timeout.toNanos(),
						TimeUnit.NANOSECONDS), done);
				awaitBlocked(threads);
				try (StatefulRedisConnection<String, String> connection = waiting.openProducer()) {
					long start = System.nanoTime();
					waiting.add(connection, count, this.options.batch());
					awaitLatch(done, timeout, "the baseline waiters");
					rawElapsed = System.nanoTime() - start;
					rawDuring = sampler.max();
				}
			}
		}

		long before = this.info.connectedClients();
		long during;
		long elapsed;
		try (ClientSampler sampler = new ClientSampler(this.info)) {
			try (ConfigurableApplicationContext application = BenchmarkApplication.start(this.server, this.probe,
					this.counter, "spring.application.name=bench-waiter", "sheppy.worker.enabled=false")) {
				TaskQueue waitingQueue = application.getBean(TaskQueue.class);
				List<Task<Void>> tasks = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					tasks.add(waitingQueue.task(BenchmarkTasks::noop, (long) i));
				}
				long readsBefore = this.info.commandCalls().getOrDefault("mget", 0L);
				CountDownLatch done = new CountDownLatch(count);
				startWaiters(count, (i) -> waitingQueue.waitFor(tasks.get(i), timeout), done);
				// every waitFor reads the state of its task once (MGET) after it registered: then all are waiting
				awaitCondition(() -> this.info.commandCalls().getOrDefault("mget", 0L) - readsBefore, count, timeout,
						"the waiters to register");
				long start = System.nanoTime();
				waitingQueue.add(tasks);
				awaitLatch(done, timeout, "the waiters");
				elapsed = System.nanoTime() - start;
				during = sampler.max();
			}
		}
		progress("waitFor with %,d callers: Sheppy %.1f ms, baseline %.1f ms", count, elapsed / 1e6, rawElapsed / 1e6);
		this.report.add(new Row("waitfor.time", String.format(Locale.ROOT,
				"waitFor, %,d concurrent callers (one thread each): time from add to all results", count), "ms",
				elapsed / 1e6, rawElapsed / 1e6, 1));
		this.report.add(new Row("waitfor.connections", String.format(Locale.ROOT,
				"waitFor, %,d callers: Redis connections of the waiting side (connected_clients during - before)",
				count), "connections", during - before, (double) (rawDuring - rawBefore), 0));
		this.report.note(String.format(Locale.ROOT,
				"waitFor: connected_clients %d before and at most %d during for Sheppy (a new application that adds "
						+ "the tasks and waits), %d and %d for the baseline (a connection that adds, one that reads "
						+ "finished notifications)", before, during, rawBefore, rawDuring));
	}

	// ---- Sheppy's side

	/**
	 * Add tasks with {@code add(List)}; only the calls are timed, not the creation of the tasks.
	 * @return the nanoseconds spent in {@code add}
	 */
	private static long addBatches(TaskQueue queue, int count, int batch) {
		long spent = 0;
		for (int from = 0; from < count; from += batch) {
			int to = Math.min(count, from + batch);
			List<Task<Void>> tasks = new ArrayList<>(to - from);
			for (int i = from; i < to; i++) {
				tasks.add(queue.task(BenchmarkTasks::noop, (long) i));
			}
			long start = System.nanoTime();
			List<Boolean> added = queue.add(tasks);
			spent += System.nanoTime() - start;
			if (added.contains(false)) {
				throw new IllegalStateException("A task was not added");
			}
		}
		return spent;
	}

	/**
	 * Add tasks one at a time from threads; the tasks are created before the clock starts.
	 * @return the nanoseconds from the start of the first thread to the end of the last
	 */
	private static long addOneByOne(TaskQueue queue, int count, int threads) throws InterruptedException {
		List<List<Task<Void>>> shares = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			int share = count / threads + ((t < count % threads) ? 1 : 0);
			List<Task<Void>> tasks = new ArrayList<>(share);
			for (int i = 0; i < share; i++) {
				tasks.add(queue.task(BenchmarkTasks::noop, (long) i));
			}
			shares.add(tasks);
		}
		AtomicReference<Throwable> failure = new AtomicReference<>();
		List<Thread> producers = new ArrayList<>();
		CountDownLatch go = new CountDownLatch(1);
		for (int t = 0; t < threads; t++) {
			List<Task<Void>> tasks = shares.get(t);
			Thread thread = new Thread(() -> {
				try {
					go.await();
					for (Task<Void> task : tasks) {
						if (!queue.add(task)) {
							throw new IllegalStateException("Task " + task.getId() + " was not added");
						}
					}
				}
				catch (Throwable ex) {
					failure.set(ex);
				}
			}, "sheppy-producer-" + t);
			producers.add(thread);
			thread.start();
		}
		long start = System.nanoTime();
		go.countDown();
		for (Thread thread : producers) {
			thread.join();
		}
		long elapsed = System.nanoTime() - start;
		rethrow(failure.get());
		return elapsed;
	}

	/**
	 * Wait until the task methods ran (counted in this JVM) and then until Redis counts the tasks as completed,
	 * which happens as their outcome is stored.
	 * @return the {@link System#nanoTime()} at which the last completion was seen
	 */
	private long awaitCompleted(long runs, long completed, Duration timeout) {
		return awaitCompleted(runs, completed, timeout, () -> null);
	}

	private long awaitCompleted(long runs, long completed, Duration timeout,
			java.util.function.Supplier<@Nullable Throwable> failure) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (this.probe.runs() < runs) {
			rethrow(failure.get());
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("Timed out after " + timeout + " waiting for tasks to run: "
						+ this.probe.runs() + " of " + runs);
			}
			LockSupport.parkNanos(200_000);
		}
		while (this.info.counter(COMPLETED_KEY) < completed) {
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("Timed out after " + timeout + " waiting for tasks to complete");
			}
			LockSupport.parkNanos(200_000);
		}
		return System.nanoTime();
	}

	// ---- helpers

	private @Nullable Recording startRecording() throws IOException, java.text.ParseException {
		if (this.options.jfr() == null) {
			return null;
		}
		Recording recording = new Recording(Configuration.getConfiguration("profile"));
		recording.setName("sheppy-streaming");
		recording.start();
		return recording;
	}

	private void stopRecording(@Nullable Recording recording) throws IOException {
		if (recording == null) {
			return;
		}
		recording.stop();
		recording.dump(this.options.jfr());
		recording.close();
		this.report.note("JFR profile of Sheppy's streaming run: " + this.options.jfr().toAbsolutePath());
	}

	private void addRate(String key, String label, int count, long sheppyNanos, long baselineNanos) {
		double sheppy = count / (sheppyNanos / 1e9);
		double raw = count / (baselineNanos / 1e9);
		this.report.add(new Row(key, label, "tasks/s", sheppy, raw, 0));
		progress("%s: Sheppy %,.0f tasks/s, baseline %,.0f tasks/s", label, sheppy, raw);
	}

	private void addLatencies(String key, String label, Histogram sheppy, Histogram raw, boolean withMax) {
		this.report.add(new Row(key + ".p50", label + " p50", "ms", millis(sheppy, 50), millis(raw, 50), 3));
		this.report.add(new Row(key + ".p99", label + " p99", "ms", millis(sheppy, 99), millis(raw, 99), 3));
		this.report.add(new Row(key + ".p999", label + " p99.9", "ms", millis(sheppy, 99.9), millis(raw, 99.9), 3));
		progress("%s: Sheppy p50 %.3f ms p99 %.3f ms, baseline p50 %.3f ms p99 %.3f ms (max %.3f / %.3f ms)", label,
				millis(sheppy, 50), millis(sheppy, 99), millis(raw, 50), millis(raw, 99), sheppy.getMaxValue() / 1e6,
				raw.getMaxValue() / 1e6);
	}

	private static double millis(Histogram histogram, double percentile) {
		if (histogram.getTotalCount() == 0) {
			throw new IllegalStateException("Nothing was recorded");
		}
		return histogram.getValueAtPercentile(percentile) / 1e6;
	}

	/**
	 * Call an action at a steady rate from several threads for a while; a thread that falls behind catches up
	 * without pausing.
	 * @return how many calls were made
	 */
	private static long paced(int threads, double rate, Duration duration, Runnable action)
			throws InterruptedException {
		AtomicLong sent = new AtomicLong();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
		long end = start + duration.toNanos();
		double interval = 1e9 / rate;
		List<Thread> senders = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			int offset = t;
			Thread thread = new Thread(() -> {
				try {
					for (long k = offset;; k += threads) {
						long due = start + (long) (k * interval);
						if (due - end >= 0) {
							return;
						}
						long wait = due - System.nanoTime();
						if (wait > 0) {
							LockSupport.parkNanos(wait);
						}
						action.run();
						sent.incrementAndGet();
					}
				}
				catch (Throwable ex) {
					failure.set(ex);
				}
			}, "paced-producer-" + t);
			senders.add(thread);
			thread.start();
		}
		for (Thread thread : senders) {
			thread.join();
		}
		rethrow(failure.get());
		return sent.get();
	}

	private static void pauseBetweenSamples() {
		LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(1000 + ThreadLocalRandom.current().nextInt(1000)));
	}

	@FunctionalInterface
	private interface Wait {

		void waitFor(int index) throws Exception;

	}

	private static List<Thread> startWaiters(int count, Wait wait, CountDownLatch done) {
		List<Thread> threads = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			int index = i;
			Thread thread = new Thread(null, () -> {
				try {
					wait.waitFor(index);
					done.countDown();
				}
				catch (Exception ex) {
					// the latch is not counted down: the measurement times out and says so
				}
			}, "waiter-" + i, WAITER_STACK_SIZE);
			thread.setDaemon(true);
			threads.add(thread);
			thread.start();
		}
		return threads;
	}

	/**
	 * Wait until every thread is blocked (waiting on its future).
	 */
	private static void awaitBlocked(List<Thread> threads) {
		awaitCondition(() -> threads.stream()
			.filter((thread) -> thread.getState() == Thread.State.WAITING
					|| thread.getState() == Thread.State.TIMED_WAITING)
			.count(), threads.size(), Duration.ofSeconds(30), "the waiters to block");
	}

	private static void awaitCondition(LongSupplier value, long target, Duration timeout, String what) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (value.getAsLong() < target) {
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("Timed out after " + timeout + " waiting for " + what);
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
		}
	}

	private static void awaitLatch(CountDownLatch latch, Duration timeout, String what) throws InterruptedException {
		if (!latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
			throw new IllegalStateException("Timed out after " + timeout + " waiting for " + what + ": "
					+ latch.getCount() + " still waiting");
		}
	}

	private static Duration drainTimeout(int count) {
		return Duration.ofSeconds(60 + count / 200);
	}

	/**
	 * Return the calls per command between two snapshots, without the benchmark's own commands: {@code INFO} and the
	 * given number of {@code GET}s.
	 */
	private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after, long ownGets) {
		Map<String, Long> delta = new TreeMap<>();
		after.forEach((command, calls) -> {
			long value = calls - before.getOrDefault(command, 0L) - (command.equals("get") ? ownGets : 0);
			if (value > 0 && !command.equals("info")) {
				delta.put(command, value);
			}
		});
		return delta;
	}

	/**
	 * Return the command of a subcommand as INFO names it ({@code xgroup} of {@code xgroup|create}), which is how
	 * Lettuce names both.
	 */
	private static String parent(String command) {
		int bar = command.indexOf('|');
		return (bar > 0) ? command.substring(0, bar) : command;
	}

	private static long sum(Map<String, Long> calls) {
		return calls.values().stream().mapToLong(Long::longValue).sum();
	}

	private static String percent(double share) {
		return String.format(Locale.ROOT, "%.0f%%", share * 100);
	}

	private static void rethrow(@Nullable Throwable failure) {
		if (failure instanceof RuntimeException ex) {
			throw ex;
		}
		if (failure instanceof Error error) {
			throw error;
		}
		if (failure != null) {
			throw new IllegalStateException(failure);
		}
	}

	private void progress(String format, Object... args) {
		this.log.printf(Locale.ROOT, "[bench %6.1fs] %s%n", (System.nanoTime() - this.started) / 1e9,
				String.format(Locale.ROOT, format, args));
		this.log.flush();
	}

	/**
	 * Samples {@code connected_clients} every 2 ms on a thread of its own, keeping the highest value.
	 */
	private static final class ClientSampler implements AutoCloseable {

		private final AtomicLong max = new AtomicLong();

		private final Thread thread;

		private volatile boolean running = true;

		ClientSampler(RedisInfo info) {
			this.max.set(info.connectedClients());
			this.thread = new Thread(() -> {
				while (this.running) {
					this.max.accumulateAndGet(info.connectedClients(), Math::max);
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
				}
			}, "connected-clients-sampler");
			this.thread.setDaemon(true);
			this.thread.start();
		}

		long max() {
			return this.max.get();
		}

		@Override
		public void close() throws InterruptedException {
			this.running = false;
			this.thread.join();
		}

	}

}
