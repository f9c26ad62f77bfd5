package io.sheppy.spring.autoconfigure;

import java.util.ArrayList;
import java.util.LinkedHashMap;

import jakarta.validation.Validator;
import tools.jackson.databind.json.JsonMapper;

import io.sheppy.spring.annotation.SheppyTaskAnnotationBeanPostProcessor;
import io.sheppy.spring.annotation.TaskMethodDefinitionReader;
import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.config.DeclaredCronRegistrar;
import io.sheppy.spring.config.DefaultTaskListenerContainerFactory;
import io.sheppy.spring.config.TaskEndpointRegistrar;
import io.sheppy.spring.config.TaskEndpointRegistry;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.listener.ContainerSettings;
import io.sheppy.spring.listener.RecoverySettings;
import io.sheppy.spring.queue.BeanValidationTaskArgumentValidator;
import io.sheppy.spring.queue.TaskArgumentValidator;
import io.sheppy.spring.queue.TaskFactory;
import io.sheppy.spring.queue.TaskQueue;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.config.EmbeddedValueResolver;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * Auto-configuration of the task queue: the {@link Backend} (Redis on the application's Redis connection, or in
 * memory), the {@link TaskQueue} that producers use, and the workers that run the application's
 * {@link io.sheppy.spring.annotation.SheppyTask @SheppyTask} methods. Every bean backs off when the application
 * defines its own.
 *
 * @author Sheppy for Spring
 */
@AutoConfiguration(afterName = { "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
		"org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
		"org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration" })
@EnableConfigurationProperties(SheppyProperties.class)
@Import(SheppyBackendConfiguration.class)
public final class SheppyAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	TaskJson sheppyTaskJson(ObjectProvider<JsonMapper> jsonMapper) {
		return new TaskJson(mapper(jsonMapper));
	}

	@Bean
	@ConditionalOnMissingBean
	TaskFactory sheppyTaskFactory(SheppyProperties properties, ObjectProvider<JsonMapper> jsonMapper,
			ObjectProvider<TaskArgumentValidator> validator, ConfigurableBeanFactory beanFactory) {
		return new TaskFactory(new TaskMethodDefinitionReader(new EmbeddedValueResolver(beanFactory)),
				mapper(jsonMapper), properties.getQueue(), validator.getIfUnique());
	}

	// The properties (through the task factory) are resolved before the backend: when sheppy.backend has an unknown
	// value no backend exists, and the binding error names the property where a missing backend would not
	@Bean
	@ConditionalOnMissingBean
	TaskQueue taskQueue(TaskFactory taskFactory, Backend backend, ObjectProvider<JsonMapper> jsonMapper) {
		return new TaskQueue(backend, taskFactory, mapper(jsonMapper));
	}

	@Bean
	DurabilityReporter sheppyDurabilityReporter(Backend backend) {
		return new DurabilityReporter(backend);
	}

	@Bean
	@ConditionalOnMissingBean
	DeclaredCronRegistrar sheppyDeclaredCronRegistrar(Backend backend, ObjectProvider<TaskEndpointRegistry> registry,
			SheppyProperties properties, Environment environment) {
		String owner = "spring:" + environment.getProperty("spring.application.name", "application");
		DeclaredCronRegistrar registrar = new DeclaredCronRegistrar(backend, registry::getIfAvailable,
				properties.getQueue(), owner);
		for (SheppyProperties.Cron cron : properties.getCrons()) {
			if (!StringUtils.hasText(cron.getTask()) || !StringUtils.hasText(cron.getExpression())) {
				throw new IllegalArgumentException("Every entry of sheppy.crons needs a task and an expression");
			}
			registrar.declare(cron.getQueue(), cron.getTask(), new ArrayList<>(cron.getArgs()),
					new LinkedHashMap<>(cron.getKwargs()), null, cron.getExpression(), cron.getZone());
		}
		return registrar;
	}

	static JsonMapper mapper(ObjectProvider<JsonMapper> jsonMapper) {
		return jsonMapper.getIfUnique(() -> JsonMapper.builder().build());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Validator.class)
	static class ValidationConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnBean(Validator.class)
		TaskArgumentValidator sheppyTaskArgumentValidator(Validator validator, ListableBeanFactory beanFactory) {
			return new BeanValidationTaskArgumentValidator(validator,
					(type) -> beanFactory.getBeanProvider(type).getIfUnique());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = "sheppy.worker.enabled", matchIfMissing = true)
	static class WorkerConfiguration {

		@Bean(name = TaskEndpointRegistrar.DEFAULT_CONTAINER_FACTORY_BEAN_NAME)
		@ConditionalOnMissingBean(name = TaskEndpointRegistrar.DEFAULT_CONTAINER_FACTORY_BEAN_NAME)
		DefaultTaskListenerContainerFactory sheppyListenerContainerFactory(SheppyProperties properties,
				Backend backend, ObjectProvider<JsonMapper> jsonMapper) {
			DefaultTaskListenerContainerFactory factory = new DefaultTaskListenerContainerFactory(backend,
					mapper(jsonMapper));
			SheppyProperties.Worker worker = properties.getWorker();
			factory.setSettings(ContainerSettings.DEFAULT.withConcurrency(worker.getConcurrency())
				.withBatchSize(worker.getBatchSize())
				.withPrefetch(worker.getPrefetch())
				.withPollTimeout(worker.getPollTimeout())
				.withShutdownTimeout(worker.getShutdownTimeout())
				.withCronInterval(worker.getCronInterval())
				.withRecovery(new RecoverySettings(worker.getLeaseTimeout(), worker.getReclaimInterval(),
						worker.getMaxDeliveries())));
			return factory;
		}

		@Bean
		@ConditionalOnMissingBean
		TaskEndpointRegistry sheppyTaskEndpointRegistry(SheppyProperties properties) {
			TaskEndpointRegistry registry = new TaskEndpointRegistry();
			registry.setDefaultQueue(properties.getQueue());
			return registry;
		}

		@Bean
		static WorkerShutdownTimeoutPostProcessor sheppyWorkerShutdownTimeoutPostProcessor(
				ObjectProvider<SheppyProperties> properties) {
			return new WorkerShutdownTimeoutPostProcessor(properties);
		}

		@Bean(name = SheppyTaskAnnotationBeanPostProcessor.BEAN_NAME)
		@ConditionalOnMissingBean(name = SheppyTaskAnnotationBeanPostProcessor.BEAN_NAME)
		static SheppyTaskAnnotationBeanPostProcessor sheppyTaskAnnotationBeanPostProcessor() {
			return new SheppyTaskAnnotationBeanPostProcessor();
		}

	}

}
