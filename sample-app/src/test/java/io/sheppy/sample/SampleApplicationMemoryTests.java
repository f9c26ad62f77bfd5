package io.sheppy.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.backend.MemoryBackend;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample application with no Redis reachable at startup: it runs its tasks in memory and says so once.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class SampleApplicationMemoryTests extends AbstractSampleApplicationTests {

	private static final int CLOSED_PORT = closedPort();

	@Autowired
	private Backend backend;

	@DynamicPropertySource
	static void unreachableRedis(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.host", () -> "127.0.0.1");
		registry.add("spring.data.redis.port", () -> CLOSED_PORT);
	}

	@Test
	void startupSaysOnceThatTasksAreKeptInMemory(CapturedOutput output) {
		assertThat(this.backend).isInstanceOf(MemoryBackend.class);
		List<String> warnings = output.getAll().lines().filter((line) -> line.contains(" WARN ")).toList();
		assertThat(warnings).singleElement()
			.asString()
			.contains("Sheppy keeps its queues in memory: Redis is not reachable at 127.0.0.1:" + CLOSED_PORT)
			.contains("tasks are lost when the application stops (sheppy.backend=auto)");
		assertThat(output).doesNotContain(" ERROR ");
	}

	@Test
	void startupTellsWhereTheApplicationListensAndWhatToTry(CapturedOutput output) {
		String url = "http://localhost:" + this.port;
		assertThat(output).containsOnlyOnce("Sheppy sample is ready at " + url + " (tasks run on queue 'demo')")
			.contains("curl -X POST '" + url + "/tasks/add?x=1&y=2'", "curl -X POST '" + url
					+ "/tasks/fail?message=boom'", "curl -X POST '" + url + "/tasks/slow?seconds=3'",
					"curl " + url + "/queues");
	}

	private static int closedPort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
