package io.sheppy.spring.autoconfigure;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.sheppy.spring.queue.TaskQueue;
import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.RedisServerOptions;
import io.sheppy.spring.test.redis.RedisServers;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests of the warnings about a Redis that can lose tasks, at startup and in the {@code sheppy} health indicator.
 *
 * @author Sheppy for Spring
 */
@ExtendWith(OutputCaptureExtension.class)
class DurabilityTests {

	private static final String EVICTION = "Redis evicts keys when its memory is full (maxmemory-policy allkeys-lru)";

	private static final String NO_PERSISTENCE = "Redis persists nothing (appendonly no, no save points)";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, DataRedisAutoConfiguration.class,
				SheppyAutoConfiguration.class, HealthContributorAutoConfiguration.class,
				SheppyHealthContributorAutoConfiguration.class));

	@Test
	void redisThatEvictsAndPersistsNothingIsWarnedAboutOnceEachAtStartupAndInTheHealth(CapturedOutput output) {
		try (RedisServer redis = RedisServers.start(RedisServerOptions.defaults().withMaxmemoryPolicy("allkeys-lru"))) {
			on(redis).run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output.getOut().lines().filter((line) -> line.contains(" WARN ")))
					.filteredOn((line) -> line.contains(EVICTION))
					.hasSize(1);
				assertThat(output.getOut().lines().filter((line) -> line.contains(" WARN ")))
					.filteredOn((line) -> line.contains(NO_PERSISTENCE))
					.hasSize(1);
				Health health = context.getBean(SheppyHealthIndicator.class).health();
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				assertThat(health.getDetails()).containsEntry("backend", "redis");
				assertThat((List<?>) health.getDetails().get("warnings")).hasSize(2)
					.anySatisfy((warning) -> assertThat(warning.toString()).startsWith(EVICTION))
					.anySatisfy((warning) -> assertThat(warning.toString()).startsWith(NO_PERSISTENCE));
			});
		}
	}

	@Test
	void redisWithAofAndNoEvictionGivesNoWarning(CapturedOutput output) {
		try (RedisServer redis = RedisServers.start(RedisServerOptions.defaults().withAof(true))) {
			on(redis).run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output.getOut()).doesNotContain("Redis evicts keys").doesNotContain("Redis persists nothing");
				Health health = context.getBean(SheppyHealthIndicator.class).health();
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				assertThat(health.getDetails()).doesNotContainKey("warnings");
			});
		}
	}

	@Test
	void healthListsTheQueuesWithTheirWaitingTasksAndIsDownWhenRedisIsGone() {
		try (RedisServer redis = RedisServers.start(RedisServerOptions.defaults().withAof(true))) {
			on(redis).withPropertyValues("sheppy.worker.enabled=false").run((context) -> {
				TaskQueue taskQueue = context.getBean(TaskQueue.class);
				taskQueue.add(taskQueue.task("remote:job").build());
				SheppyHealthIndicator indicator = context.getBean(SheppyHealthIndicator.class);
				assertThat(indicator.health().getDetails()).containsEntry("queues", Map.of("default", 1L));
				redis.kill();
				assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);
			});
		}
	}

	@Test
	void healthIndicatorCanBeTurnedOff() {
		try (RedisServer redis = RedisServers.start(RedisServerOptions.defaults().withAof(true))) {
			on(redis).withPropertyValues("management.health.sheppy.enabled=false")
				.run((context) -> assertThat(context).doesNotHaveBean(SheppyHealthIndicator.class));
		}
	}

	private ApplicationContextRunner on(RedisServer redis) {
		return this.contextRunner.withPropertyValues("spring.data.redis.host=" + redis.host(),
				"spring.data.redis.port=" + redis.port(), "spring.data.redis.timeout=2s");
	}

}
