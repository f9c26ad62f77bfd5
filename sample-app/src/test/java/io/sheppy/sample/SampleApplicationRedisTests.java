package io.sheppy.sample;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.backend.RedisBackend;
import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.RedisServerTestConfiguration;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample application with Redis reachable at startup: a private Redis server of the test harness, never the
 * machine's Redis.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@Import(RedisServerTestConfiguration.class)
@ExtendWith(OutputCaptureExtension.class)
class SampleApplicationRedisTests extends AbstractSampleApplicationTests {

	@Autowired
	private Backend backend;

	@Autowired
	private RedisServer redisServer;

	@Autowired
	private StringRedisTemplate redis;

	@Test
	void startupSaysThatTasksAreKeptInRedis(CapturedOutput output) {
		assertThat(this.backend).isInstanceOf(RedisBackend.class);
		assertThat(output).contains("Sheppy keeps its queues in Redis at " + this.redisServer.host() + ":"
				+ this.redisServer.port() + " (sheppy.backend=auto)");
		assertThat(output).doesNotContain("Sheppy keeps its queues in memory");
	}

	@Test
	void tasksAreStoredInRedisUnderSheppyKeys() {
		String id = submit("/tasks/add?x=1&y=2");
		awaitFinished(id);
		String stored = this.redis.opsForValue().get("sheppy:tasks:demo:" + id);
		assertThat(stored).as("sheppy:tasks:demo:%s", id).isNotNull();
		JsonNode task = JsonMapper.builder().build().readTree(stored);
		assertThat(task.path("status").asString()).isEqualTo("completed");
		assertThat(task.path("result").asInt()).isEqualTo(3);
		assertThat(task.path("spec").path("func").asString()).isEqualTo("demo:add");
		assertThat(this.redis.opsForHash().hasKey("sheppy:_queues", "demo")).isTrue();
	}

}
