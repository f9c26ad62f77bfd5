package io.sheppy.spring.autoconfigure;

import java.time.Duration;

import io.sheppy.spring.config.TaskEndpointRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.support.DefaultLifecycleProcessor;

/**
 * Gives the shutdown phase of the workers as long as they need: the shutdown timeout of running tasks, plus the time
 * their readers take to return. Without it, the application context's timeout per shutdown phase (30 s by default)
 * could close the Redis connection while tasks are still finishing, and their outcomes would not be stored.
 *
 * @author Sheppy for Spring
 */
class WorkerShutdownTimeoutPostProcessor implements BeanPostProcessor {

	private static final Duration MARGIN = Duration.ofSeconds(10);

	private final ObjectProvider<SheppyProperties> properties;

	WorkerShutdownTimeoutPostProcessor(ObjectProvider<SheppyProperties> properties) {
		this.properties = properties;
	}

	@Override
	public Object postProcessBeforeInitialization(Object bean, String beanName) {
		if (bean instanceof DefaultLifecycleProcessor processor) {
			SheppyProperties.Worker worker = this.properties.getObject().getWorker();
			Duration timeout = worker.getShutdownTimeout().plus(worker.getPollTimeout().multipliedBy(2)).plus(MARGIN);
			processor.setTimeoutForShutdownPhase(TaskEndpointRegistry.DEFAULT_PHASE, timeout.toMillis());
		}
		return bean;
	}

}
