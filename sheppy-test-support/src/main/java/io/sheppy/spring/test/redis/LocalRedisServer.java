package io.sheppy.spring.test.redis;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;

/**
 * A {@link RedisServer} that runs the {@code redis-server} executable of this machine as a child process, on a free
 * loopback port and with its own temporary data directory. A JVM shutdown hook kills every server still running.
 */
public final class LocalRedisServer implements RedisServer {

	/**
	 * The system property that names the {@code redis-server} executable.
	 */
	public static final String EXECUTABLE_PROPERTY = "sheppy.redis-server";

	/**
	 * The environment variable that names the {@code redis-server} executable.
	 */
	public static final String EXECUTABLE_ENVIRONMENT_VARIABLE = "SHEPPY_REDIS_SERVER";

	private static final String HOST = "127.0.0.1";

	private static final String EXECUTABLE_NAME = "redis-server";

	private static final List<String> FALLBACK_DIRECTORIES = List.of("/usr/bin", "/usr/local/bin", "/opt/homebrew/bin",
			"/usr/sbin");

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);

	private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

	private static final int START_ATTEMPTS = 5;

	private static final int LOG_TAIL_LENGTH = 4000;

	private static final Set<LocalRedisServer> live = ConcurrentHashMap.newKeySet();

	static {
		Runtime.getRuntime()
			.addShutdownHook(new Thread(() -> live.forEach(LocalRedisServer::reap), "sheppy-redis-server-reaper"));
	}

	private final Path executable;

	private final RedisServerOptions options;

	private final Path directory;

	private final Path logFile;

	private final Path outputFile;

	private volatile int port;

	private volatile @Nullable Process process;

	private boolean closed;

	/**
	 * Start a server without persistence, using the executable that {@link #findExecutable()} finds.
	 */
	public LocalRedisServer() {
		this(RedisServerOptions.defaults());
	}

	/**
	 * Start a server with the given options, using the executable that {@link #findExecutable()} finds.
	 * @param options the options
	 * @throws IllegalStateException if no {@code redis-server} executable is found or the server does not start
	 */
	public LocalRedisServer(RedisServerOptions options) {
		this(options, findExecutable().orElseThrow(RedisServers::notFound));
	}

	/**
	 * Start a server with the given options and executable, and wait until it answers {@code PING}.
	 * @param options the options
	 * @param executable the {@code redis-server} executable
	 * @throws IllegalStateException if the server does not start
	 */
	public LocalRedisServer(RedisServerOptions options, Path executable) {
		this.executable = executable;
		this.options = options;
		try {
			this.directory = Files.createTempDirectory("sheppy-redis-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create a data directory for redis-server", ex);
		}
		this.logFile = this.directory.resolve("redis.log");
		this.outputFile = this.directory.resolve("redis.out");
		live.add(this);
		try {
			startOnFreePort();
		}
		catch (RuntimeException ex) {
			close();
			throw ex;
		}
	}

	/**
	 * Find the {@code redis-server} executable: the {@value #EXECUTABLE_PROPERTY} system property, the
	 * {@value #EXECUTABLE_ENVIRONMENT_VARIABLE} environment variable, the {@code PATH}, then {@code /usr/bin},
	 * {@code /usr/local/bin}, {@code /opt/homebrew/bin} and {@code /usr/sbin}.
	 * @return the executable, or empty if there is none
	 * @throws IllegalStateException if the system property or environment variable names no executable file
	 */
	public static Optional<Path> findExecutable() {
		String configured = System.getProperty(EXECUTABLE_PROPERTY);
		String source = "system property '" + EXECUTABLE_PROPERTY + "'";
		if (!StringUtils.hasText(configured)) {
			configured = System.getenv(EXECUTABLE_ENVIRONMENT_VARIABLE);
			source = "environment variable '" + EXECUTABLE_ENVIRONMENT_VARIABLE + "'";
		}
		if (StringUtils.hasText(configured)) {
			Path path = Path.of(configured);
			if (!isExecutable(path)) {
				throw new IllegalStateException(
						"The " + source + " is '" + configured + "', which is not an executable file");
			}
			return Optional.of(path);
		}
		List<String> directories = new ArrayList<>();
		String path = System.getenv("PATH");
		if (path != null) {
			directories.addAll(List.of(path.split(File.pathSeparator)));
		}
		directories.addAll(FALLBACK_DIRECTORIES);
		return directories.stream()
			.filter(StringUtils::hasText)
			.map((directory) -> Path.of(directory, EXECUTABLE_NAME))
			.filter(LocalRedisServer::isExecutable)
			.findFirst();
	}

	private static boolean isExecutable(Path path) {
		return Files.isRegularFile(path) && Files.isExecutable(path);
	}

	@Override
	public String host() {
		return HOST;
	}

	@Override
	public int port() {
		return this.port;
	}

	/**
	 * Return the data directory of the server, which holds its append-only file and its log.
	 * @return the data directory
	 */
	public Path directory() {
		return this.directory;
	}

	/**
	 * Return the log file of the server.
	 * @return the log file
	 */
	public Path logFile() {
		return this.logFile;
	}

	/**
	 * Return the options of the server.
	 * @return the options
	 */
	public RedisServerOptions options() {
		return this.options;
	}

	@Override
	public boolean isRunning() {
		Process process = this.process;
		return process != null && process.isAlive();
	}

	@Override
	public synchronized void start() {
		if (this.closed) {
			throw new IllegalStateException("The Redis server has been closed");
		}
		if (!isRunning()) {
			launch();
		}
	}

	@Override
	public synchronized void stop() {
		Process process = this.process;
		if (process == null) {
			return;
		}
		if (process.isAlive()) {
			try {
				Resp.send(HOST, this.port, Duration.ofSeconds(2), "SHUTDOWN", "NOSAVE");
			}
			catch (IOException ex) {
				// Expected: the server closes the connection when it shuts down
			}
			if (!awaitExit(process, SHUTDOWN_TIMEOUT)) {
				process.destroy();
				if (!awaitExit(process, SHUTDOWN_TIMEOUT)) {
					process.destroyForcibly();
					awaitExit(process, SHUTDOWN_TIMEOUT);
				}
			}
		}
		this.process = null;
		awaitPortClosed();
	}

	@Override
	public synchronized void kill() {
		Process process = this.process;
		if (process == null) {
			return;
		}
		process.destroyForcibly();
		if (!awaitExit(process, SHUTDOWN_TIMEOUT)) {
			throw new IllegalStateException("redis-server on port " + this.port + " did not exit after SIGKILL");
		}
		this.process = null;
		awaitPortClosed();
	}

	@Override
	public synchronized void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		try {
			stop();
		}
		finally {
			deleteDirectory();
			live.remove(this);
		}
	}

	@Override
	public String toString() {
		return "LocalRedisServer[" + uri() + ", " + this.directory + "]";
	}

	private void startOnFreePort() {
		for (int attempt = 1;; attempt++) {
			this.port = RedisServers.findFreePort();
			try {
				launch();
				return;
			}
			catch (StartupException ex) {
				if (attempt >= START_ATTEMPTS || !ex.portInUse) {
					throw ex;
				}
			}
		}
	}

	private void launch() {
		List<String> command = new ArrayList<>();
		command.add(this.executable.toString());
		command.addAll(List.of("--port", Integer.toString(this.port), "--bind", HOST, "--dir",
				this.directory.toString(), "--logfile", this.logFile.toString(), "--daemonize", "no",
				"--protected-mode", "no"));
		command.addAll(this.options.toArguments());
		Process process;
		try {
			process = new ProcessBuilder(command).directory(this.directory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(Redirect.appendTo(this.outputFile.toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot run " + this.executable, ex);
		}
		this.process = process;
		long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
		while (!Resp.ping(HOST, this.port)) {
			if (!process.isAlive()) {
				this.process = null;
				String log = logTail();
				throw new StartupException("redis-server exited with code " + process.exitValue() + " on port "
						+ this.port + " before it answered PING" + log, log.contains("Address already in use"));
			}
			if (System.nanoTime() - deadline > 0) {
				process.destroyForcibly();
				awaitExit(process, SHUTDOWN_TIMEOUT);
				this.process = null;
				throw new StartupException("redis-server on port " + this.port + " did not answer PING within "
						+ STARTUP_TIMEOUT.toSeconds() + "s" + logTail(), false);
			}
			awaitExit(process, Duration.ofMillis(25));
		}
	}

	private void awaitPortClosed() {
		if (!Resp.awaitPortClosed(HOST, this.port, SHUTDOWN_TIMEOUT)) {
			throw new IllegalStateException("Port " + this.port + " is still open after redis-server exited");
		}
	}

	private String logTail() {
		StringBuilder tail = new StringBuilder();
		tail.append("\ncommand: ").append(this.executable).append(' ').append(this.options.toArguments());
		for (Path file : List.of(this.logFile, this.outputFile)) {
			tail.append("\n--- ").append(file).append(" ---\n");
			try {
				String content = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "(missing)";
				tail.append(content.substring(Math.max(0, content.length() - LOG_TAIL_LENGTH)));
			}
			catch (IOException | UncheckedIOException ex) {
				tail.append("(unreadable: ").append(ex).append(')');
			}
		}
		return tail.toString();
	}

	private static boolean awaitExit(Process process, Duration timeout) {
		try {
			return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for redis-server", ex);
		}
	}

	private void deleteDirectory() {
		if (!Files.exists(this.directory)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(this.directory)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException | UncheckedIOException ex) {
			// Best effort: a temporary directory
		}
	}

	/**
	 * Kill the process without taking the lock, from the shutdown hook.
	 */
	private void reap() {
		Process process = this.process;
		if (process != null) {
			process.destroyForcibly();
			try {
				process.waitFor(5, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		deleteDirectory();
	}

	/**
	 * Thrown when {@code redis-server} does not come up.
	 */
	private static final class StartupException extends IllegalStateException {

		private final boolean portInUse;

		StartupException(String message, boolean portInUse) {
			super(message);
			this.portInUse = portInUse;
		}

	}

}
