package io.sheppy.spring.autoconfigure;

import io.sheppy.spring.backend.Backend;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the task queue's health indicator, {@code sheppy}, when Spring Boot's health support is on the
 * classpath (for example with {@code spring-boot-starter-actuator}).
 *
 * @author Sheppy for Spring
 */
@AutoConfiguration(after = SheppyAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(Backend.class)
@ConditionalOnEnabledHealthIndicator("sheppy")
public final class SheppyHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "sheppyHealthIndicator")
	SheppyHealthIndicator sheppyHealthIndicator(Backend backend) {
		return new SheppyHealthIndicator(backend);
	}

}
