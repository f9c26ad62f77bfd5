package io.sheppy.spring.faults;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.core.ConditionTimeoutException;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskConfig;
import io.sheppy.spring.faults.worker.FaultTasks;
import io.sheppy.spring.queue.TaskQueue;
import io.sheppy.spring.test.redis.RedisServer;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.awaitility.Awaitility.await;

/**
 * The producer of a scenario: an application in the test JVM whose worker is switched off, adding tasks by name as
 * another application would, and reading their outcomes with {@link TaskQueue}. Its Redis commands time out after a
 * second, so that adds fail quickly while Redis is away.
 *
 * @author Sheppy for Spring
 */
final class Producer implements AutoCloseable {

	/** The config of {@link FaultTasks#WORK}: retried up to 3 times, also when its worker is lost. */
	static final TaskConfig WORK_CONFIG = TaskConfig.DEFAULT.withRetry(3).withRetryOnCrash(true);

	/** The config of {@link FaultTasks#WORK_ONCE}: retried up to 3 times when it fails, never when its worker is lost. */
	static final TaskConfig WORK_ONCE_CONFIG = TaskConfig.DEFAULT.withRetry(3);

	private final ConfigurableApplicationContext context;

	private final TaskQueue queue;

	private final StringRedisTemplate redis;

	private Producer(ConfigurableApplicationContext context) {
		this.context = context;
		this.queue = context.getBean(TaskQueue.class);
		this.redis = context.getBean(StringRedisTemplate.class);
	}

	static Producer start(RedisServer server) {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(ProducerApplication.class)
			.web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.properties("spring.data.redis.host=" + server.host(), "spring.data.redis.port=" + server.port(),
					"spring.data.redis.timeout=1s", "spring.data.redis.connect-timeout=1s",
					"sheppy.worker.enabled=false", "sheppy.queue=" + FaultRig.QUEUE)
			.run();
		return new Producer(context);
	}

	TaskQueue queue() {
		return this.queue;
	}

	StringRedisTemplate redis() {
		return this.redis;
	}

	/**
	 * Create a task of {@link FaultTasks#WORK}, which runs again when its worker is lost.
	 * @param value the value it returns
	 * @param millis how long it works
	 * @return the task
	 */
	Task<Object> work(int value, int millis) {
		return this.queue.task(FaultTasks.WORK).args(value, millis).config(WORK_CONFIG).build();
	}

	/**
	 * Create a task of {@link FaultTasks#WORK_ONCE}, which is recorded as crashed when its worker is lost.
	 * @param value the value it returns
	 * @param millis how long it works
	 * @return the task
	 */
	Task<Object> workOnce(int value, int millis) {
		return this.queue.task(FaultTasks.WORK_ONCE).args(value, millis).config(WORK_ONCE_CONFIG).build();
	}

	/**
	 * Wait until every task has finished, reading their states every quarter of a second; reads that fail (Redis is
	 * away) are tried again.
	 * @param ids the task ids
	 * @param atMost how long to wait
	 * @return the states last read, by id (tasks without a record are missing); unfinished ones when the time ran out
	 */
	Map<UUID, Task<Object>> awaitFinished(Collection<UUID> ids, Duration atMost) {
		AtomicReference<Map<UUID, Task<Object>>> states = new AtomicReference<>(new LinkedHashMap<>());
		try {
			await("all tasks to finish").atMost(atMost).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
				.until(() -> {
					Map<UUID, Task<Object>> read = this.queue.getTasks(ids);
					states.set(read);
					return read.size() == ids.size() && read.values().stream().allMatch(Task::isFinished);
				});
		}
		catch (ConditionTimeoutException ex) {
			// the caller reports what did not finish
		}
		return states.get();
	}

	/**
	 * Return the tasks among the given ones that have no record or have not finished.
	 * @param ids the task ids
	 * @param states their states
	 * @return the ids of tasks lost or stuck
	 */
	static List<UUID> lostOrStuck(Collection<UUID> ids, Map<UUID, Task<Object>> states) {
		return ids.stream().filter((id) -> states.get(id) == null || !states.get(id).isFinished()).toList();
	}

	@Override
	public void close() {
		this.context.close();
	}

	/**
	 * The producer application: auto-configuration only, no component scan.
	 */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class ProducerApplication {

	}

}
