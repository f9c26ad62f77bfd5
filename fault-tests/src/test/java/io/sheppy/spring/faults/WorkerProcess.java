package io.sheppy.spring.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.sheppy.spring.faults.worker.FaultWorkerApplication;
import io.sheppy.spring.test.redis.RedisServer;

import static org.awaitility.Awaitility.await;

/**
 * A {@link FaultWorkerApplication} running as a separate JVM, with the test's class path, its log in a file of the
 * scenario's directory and its runs recorded in another ({@code runs-<name>-<incarnation>.txt}). It can be killed
 * ({@code SIGKILL}), stopped gracefully ({@code SIGTERM}), frozen for an instant ({@code SIGSTOP}/{@code SIGCONT}) and
 * launched again under the same consumer name.
 * <p>
 * No worker outlives the test JVM: {@link #close()} kills it, a shutdown hook kills those still running, and a worker
 * halts by itself when the test JVM dies without running its hooks.
 *
 * @author Sheppy for Spring
 */
final class WorkerProcess implements AutoCloseable {

	/** Logged by a listener container once it reads its queue. */
	static final String READY_MARKER = "Started worker of queue '" + FaultRig.QUEUE + "'";

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

	private static final Set<Process> live = ConcurrentHashMap.newKeySet();

	static {
		Runtime.getRuntime()
			.addShutdownHook(new Thread(() -> live.forEach(Process::destroyForcibly), "fault-tests-worker-reaper"));
	}

	private final String name;

	private final Path directory;

	private final List<String> arguments;

	private Process process;

	private Path log;

	private Path runs;

	private int incarnation;

	private WorkerProcess(String name, Path directory, List<String> arguments) {
		this.name = name;
		this.directory = directory;
		this.arguments = arguments;
		launch();
	}

	/**
	 * Launch a worker; it is ready once {@link #awaitReady()} returns.
	 * @param name the consumer name of the worker
	 * @param directory the directory of its log and runs files
	 * @param server the Redis server it uses
	 * @param properties further application properties ({@code name=value})
	 * @return the worker
	 */
	static WorkerProcess launch(String name, Path directory, RedisServer server, String... properties) {
		List<String> arguments = new ArrayList<>();
		arguments.add("--spring.data.redis.host=" + server.host());
		arguments.add("--spring.data.redis.port=" + server.port());
		arguments.add("--sheppy.queue=" + FaultRig.QUEUE);
		arguments.add("--sheppy.redis.consumer-name=" + name);
		arguments.add("--spring.main.banner-mode=off");
		for (String property : properties) {
			arguments.add("--" + property);
		}
		return new WorkerProcess(name, directory, arguments);
	}

	private void launch() {
		this.incarnation++;
		String prefix = this.name + "-" + this.incarnation;
		this.log = this.directory.resolve(prefix + ".log");
		this.runs = this.directory.resolve("runs-" + prefix + ".txt");
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		// a quick start on a small machine matters more than peak speed for tasks that do next to nothing
		command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
				"-Dfaults.exit-with-parent=true"));
		command.add(FaultWorkerApplication.class.getName());
		command.addAll(this.arguments);
		command.add("--faults.runs-file=" + this.runs);
		ProcessBuilder builder = new ProcessBuilder(command).directory(this.directory.toFile())
			.redirectErrorStream(true)
			.redirectOutput(Redirect.appendTo(this.log.toFile()));
		builder.environment().put("CLASSPATH", classPath());
		try {
			this.process = builder.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot launch worker " + this.name, ex);
		}
		live.add(this.process);
	}

	private static String classPath() {
		String classPath = System.getProperty("surefire.test.class.path");
		return (classPath != null && !classPath.isBlank()) ? classPath : System.getProperty("java.class.path");
	}

	/**
	 * Wait until the worker reads its queue.
	 * @return this worker
	 */
	WorkerProcess awaitReady() {
		await("worker " + this.name + " to start").atMost(STARTUP_TIMEOUT).pollInterval(Duration.ofMillis(100))
			.until(() -> {
				if (!this.process.isAlive()) {
					throw new IllegalStateException("Worker " + this.name + " exited with code "
							+ this.process.exitValue() + " while starting:\n" + logTail());
				}
				return log().contains(READY_MARKER);
			});
		return this;
	}

	String name() {
		return this.name;
	}

	long pid() {
		return this.process.pid();
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	/**
	 * Kill the worker at once, as a crash would ({@code SIGKILL}), and wait until it is gone.
	 */
	void kill() {
		this.process.destroyForcibly();
		awaitExit(Duration.ofSeconds(10));
	}

	/**
	 * Stop the worker gracefully ({@code SIGTERM}, which runs Spring's shutdown) and wait until it exited.
	 * @param timeout how long to wait
	 * @return the exit code
	 */
	int stop(Duration timeout) {
		terminate();
		return awaitExit(timeout);
	}

	/**
	 * Ask the worker to stop gracefully ({@code SIGTERM}) without waiting; a frozen worker stops once thawed.
	 */
	void terminate() {
		this.process.destroy();
	}

	/**
	 * Wait until the worker exited.
	 * @param timeout how long to wait
	 * @return the exit code
	 */
	int awaitExit(Duration timeout) {
		try {
			if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new IllegalStateException("Worker " + this.name + " did not exit within " + timeout);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for worker " + this.name, ex);
		}
		live.remove(this.process);
		return this.process.exitValue();
	}

	/**
	 * Launch the worker again under the same consumer name, after it was killed or stopped.
	 * @return this worker
	 */
	WorkerProcess relaunch() {
		if (this.process.isAlive()) {
			throw new IllegalStateException("Worker " + this.name + " still runs");
		}
		launch();
		return this;
	}

	/**
	 * Suspend the worker ({@code SIGSTOP}): it does nothing until {@link #thaw()}, and Redis sees nothing of it.
	 */
	void freeze() {
		signal("STOP");
	}

	/**
	 * Resume a frozen worker ({@code SIGCONT}).
	 */
	void thaw() {
		signal("CONT");
	}

	private void signal(String signal) {
		try {
			Process kill = new ProcessBuilder("sh", "-c", "kill -" + signal + " " + pid()).redirectErrorStream(true)
				.start();
			String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (kill.waitFor() != 0) {
				throw new IllegalStateException("kill -" + signal + " " + pid() + " failed: " + output);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Return the runs recorded by the current incarnation.
	 * @return the runs
	 */
	RunLog runs() {
		return RunLog.read(this.runs);
	}

	/**
	 * Return the log of the current incarnation.
	 * @return the log
	 */
	String log() {
		try {
			return Files.exists(this.log) ? Files.readString(this.log, StandardCharsets.UTF_8) : "";
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	String logTail() {
		String log = log();
		return "--- " + this.log + " ---\n" + log.substring(Math.max(0, log.length() - 6000));
	}

	@Override
	public void close() {
		if (this.process.isAlive()) {
			this.process.destroyForcibly();
			try {
				this.process.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		live.remove(this.process);
	}

	@Override
	public String toString() {
		return "worker " + this.name + " (pid " + pid() + ")";
	}

}
