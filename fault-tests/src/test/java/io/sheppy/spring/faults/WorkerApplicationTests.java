package io.sheppy.spring.faults;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sheppy.spring.test.redis.RedisServerOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The worker application of the scenarios, an application with the starter and no web server, keeps running while
 * its workers do, and stops gracefully on {@code SIGTERM}.
 *
 * @author Sheppy for Spring
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WorkerApplicationTests {

	@Test
	void workerApplicationWithoutAWebServerKeepsRunningUntilItIsStopped() {
		try (FaultRig rig = FaultRig.start("0-worker-application", RedisServerOptions.defaults())) {
			WorkerProcess worker = rig.launchWorker("worker-1").awaitReady();

			await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(worker::isAlive);

			assertThat(worker.stop(Duration.ofSeconds(60))).as("exit code").isIn(0, 143);
			assertThat(worker.log()).contains("Stopped worker of queue '" + FaultRig.QUEUE + "'");
		}
	}

}
