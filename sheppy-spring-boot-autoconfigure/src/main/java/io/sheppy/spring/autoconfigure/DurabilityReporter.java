package io.sheppy.spring.autoconfigure;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sheppy.spring.backend.Backend;

import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Logs, once at startup, one warning for each way the backend's setup can lose tasks (for Redis: an eviction policy
 * other than {@code noeviction}, no persistence).
 *
 * @author Sheppy for Spring
 */
class DurabilityReporter implements SmartInitializingSingleton {

	private static final Logger logger = LoggerFactory.getLogger(DurabilityReporter.class);

	private final Backend backend;

	DurabilityReporter(Backend backend) {
		this.backend = backend;
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.backend.checkDurability().forEach(logger::warn);
	}

}
