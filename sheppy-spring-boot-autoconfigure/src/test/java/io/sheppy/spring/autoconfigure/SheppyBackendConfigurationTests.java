package io.sheppy.spring.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.sheppy.spring.annotation.SheppyTaskAnnotationBeanPostProcessor;
import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.backend.MemoryBackend;
import io.sheppy.spring.backend.RedisBackend;
import io.sheppy.spring.backend.TaskDelivery;
import io.sheppy.spring.backend.TtlPolicy;
import io.sheppy.spring.config.DefaultTaskListenerContainerFactory;
import io.sheppy.spring.config.TaskEndpointRegistrar;
import io.sheppy.spring.config.TaskEndpointRegistry;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.core.Ttl;
import io.sheppy.spring.queue.TaskFactory;
import io.sheppy.spring.queue.TaskQueue;
import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for how {@link SheppyAutoConfiguration} chooses the {@link Backend} as {@code sheppy.backend} says, on a real
 * Redis started by the test harness.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
@ExtendWith(OutputCaptureExtension.class)
class SheppyBackendConfigurationTests {

	private static final String MEMORY_FALLBACK = "Sheppy keeps its queues in memory";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(JacksonAutoConfiguration.class, DataRedisAutoConfiguration.class,
					SheppyAutoConfiguration.class));

	@Test
	void keepsTheQueuesInTheApplicationsRedisByDefault(RedisServer server) {
		onRedis(server).run((context) -> {
			assertThat(context).hasSingleBean(RedisBackend.class)
				.hasSingleBean(Backend.class)
				.hasSingleBean(TaskJson.class)
				.hasSingleBean(TaskFactory.class)
				.hasSingleBean(TaskQueue.class)
				.hasSingleBean(TaskEndpointRegistry.class)
				.hasSingleBean(SheppyTaskAnnotationBeanPostProcessor.class);
			assertThat(context).getBean(TaskEndpointRegistrar.DEFAULT_CONTAINER_FACTORY_BEAN_NAME)
				.isInstanceOf(DefaultTaskListenerContainerFactory.class);
			TaskQueue taskQueue = context.getBean(TaskQueue.class);
			Task<Object> task = taskQueue.task("remote:job").args(1, "two").build();
			assertThat(taskQueue.add(task)).isTrue();
			inRedis(server, (redis) -> assertThat(redis.getTasks("default", List.of(task.getId())))
				.hasEntrySatisfying(task.getId(), (stored) -> {
					assertThat(stored.getName()).isEqualTo("remote:job");
					assertThat(stored.getSpec().args()).containsExactly(1, "two");
				}));
		});
	}

	@Test
	void keepsTheQueuesInRedisWhenTheBackendIsRedis(RedisServer server) {
		onRedis(server).withPropertyValues("sheppy.backend=redis")
			.run((context) -> assertThat(context).hasSingleBean(RedisBackend.class));
	}

	@Test
	void appliesTheRedisPropertiesToTheBackend(RedisServer server) {
		onRedis(server)
			.withPropertyValues("sheppy.redis.consumer-group=billing", "sheppy.redis.consumer-name=worker-7",
					"sheppy.redis.finished-retention=5m", "sheppy.ttl=2h", "sheppy.error-ttl=10m")
			.run((context) -> {
				RedisBackend.Settings settings = context.getBean(RedisBackend.class).getSettings();
				assertThat(settings.consumerGroup()).isEqualTo("billing");
				assertThat(settings.consumerName()).isEqualTo("worker-7");
				assertThat(settings.finishedRetention()).isEqualTo(Duration.ofMinutes(5));
				assertThat(settings.ttlPolicy()).isEqualTo(new TtlPolicy(Ttl.ofSeconds(7200), Ttl.ofSeconds(600)));
			});
	}

	@Test
	void usesTheDefaultRedisSettingsWhenNoneAreSet(RedisServer server) {
		onRedis(server).run((context) -> {
			RedisBackend.Settings settings = context.getBean(RedisBackend.class).getSettings();
			assertThat(settings.consumerGroup()).isEqualTo("workers");
			assertThat(settings.consumerName()).isNotBlank();
			assertThat(settings.finishedRetention()).isEqualTo(Duration.ofSeconds(60));
			assertThat(settings.ttlPolicy()).isEqualTo(TtlPolicy.DEFAULT);
		});
	}

	@Test
	void expiresTheRecordOfAFinishedTaskAfterTheConfiguredTtl(RedisServer server) {
		onRedis(server).withPropertyValues("sheppy.ttl=2h", "sheppy.worker.enabled=false").run((context) -> {
			TaskQueue taskQueue = context.getBean(TaskQueue.class);
			Task<Object> task = taskQueue.task("remote:job").build();
			taskQueue.add(task);
			Backend backend = context.getBean(Backend.class);
			TaskDelivery delivery = backend.pop("default", 1, null).get(0);
			backend.storeResult("default",
					delivery.task().mutate().status(TaskStatus.COMPLETED).finishedAt(Task.now()).build(),
					delivery.deliveryId());
			withTemplate(server, (redis) -> assertThat(
					redis.getExpire("sheppy:tasks:default:" + task.getId(), TimeUnit.SECONDS))
				.isBetween(7100L, 7200L));
		});
	}

	@Test
	void keepsTheQueuesInMemoryWhenTheBackendIsMemory(CapturedOutput output) {
		this.contextRunner.withPropertyValues("sheppy.backend=memory", "spring.data.redis.port=" + closedPort())
			.run((context) -> {
				assertThat(context).hasSingleBean(MemoryBackend.class).doesNotHaveBean(RedisBackend.class);
				TaskQueue taskQueue = context.getBean(TaskQueue.class);
				assertThat(taskQueue.add(taskQueue.task("remote:job").build())).isTrue();
				assertThat(taskQueue.size()).isOne();
			});
		assertThat(output).doesNotContain(MEMORY_FALLBACK + ":");
	}

	@Test
	void autoKeepsTheQueuesInRedisWhenRedisIsReachable(RedisServer server, CapturedOutput output) {
		onRedis(server).withPropertyValues("sheppy.backend=auto").run((context) -> {
			assertThat(context).hasSingleBean(RedisBackend.class).doesNotHaveBean(MemoryBackend.class);
			TaskQueue taskQueue = context.getBean(TaskQueue.class);
			Task<Object> task = taskQueue.task("remote:job").build();
			taskQueue.add(task);
			inRedis(server, (redis) -> assertThat(redis.getTasks("default", List.of(task.getId())))
				.containsKey(task.getId()));
		});
		assertThat(output).doesNotContain(MEMORY_FALLBACK);
	}

	@Test
	void autoKeepsTheQueuesInMemoryWithOneWarningWhenRedisIsNotReachable(CapturedOutput output) {
		int port = closedPort();
		this.contextRunner
			.withPropertyValues("sheppy.backend=auto", "spring.data.redis.host=127.0.0.1",
					"spring.data.redis.port=" + port)
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.hasSingleBean(MemoryBackend.class)
					.doesNotHaveBean(RedisBackend.class);
				TaskQueue taskQueue = context.getBean(TaskQueue.class);
				assertThat(taskQueue.add(taskQueue.task("remote:job").build())).isTrue();
				assertThat(taskQueue.size()).isOne();
			});
		assertThat(warnings(output)).singleElement()
			.asString()
			.contains("Redis is not reachable at 127.0.0.1:" + port);
	}

	@Test
	void autoKeepsTheQueuesInMemoryWithOneWarningWithoutARedisConnection(CapturedOutput output) {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SheppyAutoConfiguration.class))
			.withPropertyValues("sheppy.backend=auto")
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(MemoryBackend.class));
		assertThat(warnings(output)).singleElement().asString().contains("the application has no Redis connection");
	}

	@Test
	void failsWithAClearMessageWhenTheBackendIsRedisAndThereIsNoRedisConnection() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SheppyAutoConfiguration.class))
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("sheppy.backend=redis needs a RedisConnectionFactory")
				.hasMessageContaining("spring.data.redis.*")
				.hasMessageContaining("sheppy.backend=memory"));
	}

	@Test
	void failsWithAClearMessageWhenSpringDataRedisIsMissing() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("sheppy.backend=redis needs Spring Data Redis, which is not on the classpath")
				.hasMessageContaining("spring-boot-starter-data-redis")
				.hasMessageContaining("sheppy.backend=memory"));
	}

	@Test
	void keepsTheQueuesInMemoryWithoutSpringDataRedisWhenTheBackendIsMemory() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
			.withPropertyValues("sheppy.backend=memory")
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(MemoryBackend.class);
				TaskQueue taskQueue = context.getBean(TaskQueue.class);
				assertThat(taskQueue.add(taskQueue.task("remote:job").build())).isTrue();
			});
	}

	@Test
	void autoKeepsTheQueuesInMemoryWithOneWarningWithoutSpringDataRedis(CapturedOutput output) {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
			.withPropertyValues("sheppy.backend=auto")
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(MemoryBackend.class));
		assertThat(warnings(output)).singleElement().asString().contains("Spring Data Redis is not on the classpath");
	}

	private ApplicationContextRunner onRedis(RedisServer server) {
		return this.contextRunner.withPropertyValues("spring.data.redis.host=" + server.host(),
				"spring.data.redis.port=" + server.port());
	}

	private static List<String> warnings(CapturedOutput output) {
		return output.getAll()
			.lines()
			.filter((line) -> line.contains("WARN") && line.contains(MEMORY_FALLBACK))
			.toList();
	}

	/**
	 * Read the server's queues with a backend of the test's own, on a connection of its own.
	 */
	private static void inRedis(RedisServer server, Consumer<RedisBackend> action) {
		LettuceConnectionFactory connectionFactory = connectionFactory(server);
		try (RedisBackend backend = new RedisBackend(connectionFactory, new TaskJson())) {
			action.accept(backend);
		}
		finally {
			connectionFactory.destroy();
		}
	}

	private static void withTemplate(RedisServer server, Consumer<StringRedisTemplate> action) {
		LettuceConnectionFactory connectionFactory = connectionFactory(server);
		try {
			action.accept(new StringRedisTemplate(connectionFactory));
		}
		finally {
			connectionFactory.destroy();
		}
	}

	private static LettuceConnectionFactory connectionFactory(RedisServer server) {
		LettuceConnectionFactory connectionFactory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(server.host(), server.port()));
		connectionFactory.afterPropertiesSet();
		connectionFactory.start();
		return connectionFactory;
	}

	private static int closedPort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot find a free port", ex);
		}
	}

}
