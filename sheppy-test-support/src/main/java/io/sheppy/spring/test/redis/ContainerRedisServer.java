package io.sheppy.spring.test.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A {@link RedisServer} in a Testcontainers container, whose port {@code 6379} is bound to a fixed free host port so
 * that the server keeps its port when it is killed and started again.
 */
public final class ContainerRedisServer implements RedisServer {

	/**
	 * The system property that names the Redis image.
	 */
	public static final String IMAGE_PROPERTY = "sheppy.redis-image";

	/**
	 * The Redis image used unless {@value #IMAGE_PROPERTY} names another one.
	 */
	public static final String DEFAULT_IMAGE = "redis:7.0";

	private static final int REDIS_PORT = 6379;

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final GenericContainer<?> container;

	private final int hostPort;

	/**
	 * Start a container of the image that {@value #IMAGE_PROPERTY} names, {@value #DEFAULT_IMAGE} by default.
	 * @param options the options
	 */
	public ContainerRedisServer(RedisServerOptions options) {
		this(options, System.getProperty(IMAGE_PROPERTY, DEFAULT_IMAGE));
	}

	/**
	 * Start a container of the given image and wait until Redis answers {@code PING}.
	 * @param options the options
	 * @param image the Redis image, for example {@code redis:7.0}
	 */
	public ContainerRedisServer(RedisServerOptions options, String image) {
		int hostPort = RedisServers.findFreePort();
		List<String> command = new ArrayList<>(List.of("redis-server", "--protected-mode", "no"));
		command.addAll(options.toArguments());
		this.hostPort = hostPort;
		this.container = new GenericContainer<>(DockerImageName.parse(image))
			.withExposedPorts(REDIS_PORT)
			.withCommand(command.toArray(String[]::new))
			.withCreateContainerCmdModifier((cmd) -> {
				HostConfig hostConfig = (cmd.getHostConfig() != null) ? cmd.getHostConfig()
						: HostConfig.newHostConfig();
				cmd.withHostConfig(hostConfig.withPortBindings(
						new PortBinding(Ports.Binding.bindPort(hostPort), new ExposedPort(REDIS_PORT))));
			})
			.waitingFor(Wait.forLogMessage(".*Ready to accept connections.*\\n", 1));
		this.container.start();
		try {
			awaitPing();
		}
		catch (RuntimeException ex) {
			this.container.stop();
			throw ex;
		}
	}

	/**
	 * Return the container, for example to declare it as a Spring Boot service connection.
	 * @return the container
	 */
	public GenericContainer<?> container() {
		return this.container;
	}

	@Override
	public String host() {
		return this.container.getHost();
	}

	@Override
	public int port() {
		return this.hostPort;
	}

	@Override
	public boolean isRunning() {
		return this.container.isRunning();
	}

	@Override
	public synchronized void start() {
		if (!isRunning()) {
			dockerClient().startContainerCmd(this.container.getContainerId()).exec();
			awaitPing();
		}
	}

	@Override
	public synchronized void stop() {
		if (isRunning()) {
			dockerClient().stopContainerCmd(this.container.getContainerId())
				.withTimeout((int) TIMEOUT.toSeconds())
				.exec();
			awaitNotRunning();
		}
	}

	@Override
	public synchronized void kill() {
		if (isRunning()) {
			dockerClient().killContainerCmd(this.container.getContainerId()).exec();
			awaitNotRunning();
		}
	}

	@Override
	public synchronized void close() {
		this.container.stop();
	}

	@Override
	public String toString() {
		return "ContainerRedisServer[" + uri() + ", " + this.container.getDockerImageName() + "]";
	}

	private DockerClient dockerClient() {
		return this.container.getDockerClient();
	}

	private void awaitPing() {
		if (!Resp.awaitPing(host(), this.hostPort, TIMEOUT)) {
			throw new IllegalStateException("Redis in container " + this.container.getContainerId()
					+ " did not answer PING on " + uri() + " within " + TIMEOUT.toSeconds() + "s:\n"
					+ this.container.getLogs());
		}
	}

	private void awaitNotRunning() {
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (isRunning()) {
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException(
						"Container " + this.container.getContainerId() + " still runs after " + TIMEOUT.toSeconds() + "s");
			}
			Resp.pause();
		}
	}

}
