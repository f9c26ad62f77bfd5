package io.sheppy.spring.autoconfigure;

import java.util.List;
import java.util.Map;

import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.backend.MemoryBackend;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The health of the task queue: up when the backend answers, with the queues and their counts of waiting tasks, and
 * the warnings about a setup that can lose tasks; down when the backend does not answer.
 *
 * @author Sheppy for Spring
 */
public class SheppyHealthIndicator extends AbstractHealthIndicator {

	private final Backend backend;

	public SheppyHealthIndicator(Backend backend) {
		super("The task queue's backend did not answer");
		this.backend = backend;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		Map<String, Long> queues = this.backend.listQueues();
		List<String> warnings = this.backend.checkDurability();
		builder.up()
			.withDetail("backend", (this.backend instanceof MemoryBackend) ? "memory" : "redis")
			.withDetail("queues", queues);
		if (!warnings.isEmpty()) {
			builder.withDetail("warnings", warnings);
		}
	}

}
