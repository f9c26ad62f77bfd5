package io.sheppy.spring.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.validation.Validator;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.annotation.SheppyTaskAnnotationBeanPostProcessor;
import io.sheppy.spring.annotation.TaskMethodDefinitionReader;
import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.backend.MemoryBackend;
import io.sheppy.spring.backend.TtlPolicy;
import io.sheppy.spring.config.DeclaredCronRegistrar;
import io.sheppy.spring.config.DefaultTaskListenerContainerFactory;
import io.sheppy.spring.config.TaskEndpoint;
import io.sheppy.spring.config.TaskEndpointRegistrar;
import io.sheppy.spring.config.TaskEndpointRegistry;
import io.sheppy.spring.config.TaskListenerContainerFactory;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.core.Ttl;
import io.sheppy.spring.listener.ContainerSettings;
import io.sheppy.spring.listener.TaskListenerContainer;
import io.sheppy.spring.queue.BeanValidationTaskArgumentValidator;
import io.sheppy.spring.queue.TaskArgumentValidator;
import io.sheppy.spring.queue.TaskFactory;
import io.sheppy.spring.queue.TaskQueue;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link SheppyAutoConfiguration} that need no Redis: the beans it creates, how each backs off from the
 * application's own, how the properties are applied, and the producer-only mode.
 *
 * @author Sheppy for Spring
 */
class SheppyAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, SheppyAutoConfiguration.class))
		.withPropertyValues("sheppy.backend=memory");

	@Test
	void createsTheProducerAndTheWorkerBeans() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(TaskJson.class)
				.hasSingleBean(TaskFactory.class)
				.hasSingleBean(TaskQueue.class)
				.hasSingleBean(MemoryBackend.class)
				.hasSingleBean(TaskEndpointRegistry.class)
				.hasSingleBean(SheppyTaskAnnotationBeanPostProcessor.class)
				.doesNotHaveBean(TaskArgumentValidator.class);
			assertThat(context).getBean(TaskEndpointRegistrar.DEFAULT_CONTAINER_FACTORY_BEAN_NAME)
				.isInstanceOf(DefaultTaskListenerContainerFactory.class);
			assertThat(context).getBean(SheppyTaskAnnotationBeanPostProcessor.BEAN_NAME)
				.isInstanceOf(SheppyTaskAnnotationBeanPostProcessor.class);
			assertThat(context.getBean(TaskQueue.class).getName()).isEqualTo("default");
		});
	}

	@Test
	void runsTheTaskMethodsOfTheApplication() {
		this.contextRunner.withBean(GreetingTasks.class).run((context) -> {
			TaskQueue taskQueue = context.getBean(TaskQueue.class);
			Task<String> task = taskQueue.task(GreetingTasks::hello, "Ada");
			assertThat(taskQueue.add(task)).isTrue();
			Task<String> finished = taskQueue.waitFor(task, Duration.ofSeconds(10));
			assertThat(finished.getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(finished.getResult()).isEqualTo("Hello, Ada");
		});
	}

	@Test
	void createsABeanValidationArgumentValidatorWhenTheApplicationHasAValidator() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
			.run((context) -> assertThat(context).hasSingleBean(TaskArgumentValidator.class)
				.getBean(TaskArgumentValidator.class)
				.isInstanceOf(BeanValidationTaskArgumentValidator.class));
	}

	@Test
	void backsOffFromABackendOfTheApplication() {
		MemoryBackend backend = new MemoryBackend();
		this.contextRunner.withPropertyValues("sheppy.backend=redis")
			.withBean("myBackend", Backend.class, () -> backend)
			.run((context) -> {
				assertThat(context).hasSingleBean(Backend.class);
				assertThat(context.getBean(Backend.class)).isSameAs(backend);
				TaskQueue taskQueue = context.getBean(TaskQueue.class);
				taskQueue.add(taskQueue.task("remote:job").build());
				assertThat(backend.size("default")).isOne();
			});
	}

	@Test
	void backsOffFromATaskJsonOfTheApplication() {
		TaskJson taskJson = new TaskJson();
		this.contextRunner.withBean(TaskJson.class, () -> taskJson).run((context) -> {
			assertThat(context).hasSingleBean(TaskJson.class);
			assertThat(context.getBean(TaskJson.class)).isSameAs(taskJson);
			assertThat(context.getBean(MemoryBackend.class)).extracting("json").isSameAs(taskJson);
		});
	}

	@Test
	void backsOffFromATaskFactoryOfTheApplication() {
		TaskFactory taskFactory = new TaskFactory(new TaskMethodDefinitionReader(null), JsonMapper.builder().build(),
				"from-the-application", null);
		this.contextRunner.withBean(TaskFactory.class, () -> taskFactory).run((context) -> {
			assertThat(context).hasSingleBean(TaskFactory.class);
			assertThat(context.getBean(TaskFactory.class)).isSameAs(taskFactory);
			assertThat(context.getBean(TaskQueue.class).getName()).isEqualTo("from-the-application");
		});
	}

	@Test
	void backsOffFromATaskQueueOfTheApplication() {
		this.contextRunner.withUserConfiguration(TaskQueueConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(TaskQueue.class);
			assertThat(context.getBean(TaskQueue.class).getName()).isEqualTo("mine");
		});
	}

	@Test
	void backsOffFromATaskArgumentValidatorOfTheApplication() {
		List<String> validated = new CopyOnWriteArrayList<>();
		TaskArgumentValidator validator = (method, receiverClass, args) -> validated.add(method.getName());
		this.contextRunner.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
			.withBean(TaskArgumentValidator.class, () -> validator)
			.run((context) -> {
				assertThat(context).hasSingleBean(TaskArgumentValidator.class).hasSingleBean(Validator.class);
				assertThat(context.getBean(TaskArgumentValidator.class)).isSameAs(validator);
				context.getBean(TaskQueue.class).task(GreetingTasks::hello, "Ada");
				assertThat(validated).containsExactly("hello");
			});
	}

	@Test
	void backsOffFromAContainerFactoryOfTheDefaultName() {
		this.contextRunner.withUserConfiguration(RecordingContainerFactoryConfiguration.class)
			.withBean(GreetingTasks.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(TaskListenerContainerFactory.class);
				RecordingContainerFactory factory = context.getBean(RecordingContainerFactory.class);
				assertThat(context).getBean(TaskEndpointRegistrar.DEFAULT_CONTAINER_FACTORY_BEAN_NAME)
					.isSameAs(factory);
				assertThat(factory.queues).containsExactly("greetings");
			});
	}

	@Test
	void keepsTheDefaultContainerFactoryNextToAFactoryOfAnotherName() {
		this.contextRunner
			.withBean("otherFactory", TaskListenerContainerFactory.class,
					() -> (queue, endpoints) -> {
						throw new IllegalStateException("Not used: no task names this factory");
					})
			.run((context) -> {
				assertThat(context).getBeans(TaskListenerContainerFactory.class)
					.containsOnlyKeys("otherFactory", TaskEndpointRegistrar.DEFAULT_CONTAINER_FACTORY_BEAN_NAME);
			});
	}

	@Test
	void backsOffFromAnEndpointRegistryOfTheApplication() {
		TaskEndpointRegistry registry = new TaskEndpointRegistry();
		this.contextRunner.withBean(TaskEndpointRegistry.class, () -> registry)
			.withBean(GreetingTasks.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(TaskEndpointRegistry.class);
				assertThat(context.getBean(TaskEndpointRegistry.class)).isSameAs(registry);
				assertThat(registry.getContainer("greetings")).isNotNull();
				assertThat(registry.isRunning()).isTrue();
			});
	}

	@Test
	void backsOffFromAnAnnotationPostProcessorOfTheSameName() {
		this.contextRunner.withUserConfiguration(PostProcessorConfiguration.class)
			.withBean(GreetingTasks.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(SheppyTaskAnnotationBeanPostProcessor.class);
				assertThat(context.getBean(SheppyTaskAnnotationBeanPostProcessor.BEAN_NAME))
					.isInstanceOf(CustomPostProcessor.class);
			});
	}

	@Test
	void appliesTheDefaultQueueToProducersAndWorkers() {
		this.contextRunner.withPropertyValues("sheppy.queue=jobs").withBean(UnqueuedTasks.class).run((context) -> {
			TaskQueue taskQueue = context.getBean(TaskQueue.class);
			assertThat(taskQueue.getName()).isEqualTo("jobs");
			assertThat(context.getBean(TaskFactory.class).getDefaultQueue()).isEqualTo("jobs");
			assertThat(taskQueue.task(UnqueuedTasks::twice, 21).getQueue()).isEqualTo("jobs");
			TaskEndpointRegistry registry = context.getBean(TaskEndpointRegistry.class);
			assertThat(registry.getDefaultQueue()).isEqualTo("jobs");
			assertThat(registry.getContainers()).singleElement()
				.satisfies((container) -> assertThat(container.getQueue()).isEqualTo("jobs"));
			Task<Integer> task = taskQueue.task(UnqueuedTasks::twice, 21);
			taskQueue.add(task);
			assertThat(taskQueue.waitFor(task, Duration.ofSeconds(10)).getResult()).isEqualTo(42);
		});
	}

	@Test
	void appliesTheWorkerPropertiesToTheContainerFactory() {
		this.contextRunner
			.withPropertyValues("sheppy.worker.concurrency=3", "sheppy.worker.batch-size=7", "sheppy.worker.prefetch=20",
					"sheppy.worker.poll-timeout=250ms", "sheppy.worker.shutdown-timeout=5s")
			.run((context) -> {
				ContainerSettings settings = context.getBean(DefaultTaskListenerContainerFactory.class).getSettings();
				assertThat(settings.concurrency()).isEqualTo(3);
				assertThat(settings.batchSize()).isEqualTo(7);
				assertThat(settings.prefetch()).isEqualTo(20);
				assertThat(settings.pollTimeout()).isEqualTo(Duration.ofMillis(250));
				assertThat(settings.shutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
			});
	}

	@Test
	void usesTheDefaultWorkerSettingsWhenNoneAreSet() {
		this.contextRunner.run((context) -> {
			ContainerSettings settings = context.getBean(DefaultTaskListenerContainerFactory.class).getSettings();
			assertThat(settings.concurrency()).isEqualTo(ContainerSettings.DEFAULT.concurrency());
			assertThat(settings.batchSize()).isEqualTo(ContainerSettings.DEFAULT.batchSize());
			assertThat(settings.prefetch()).isZero();
			assertThat(settings.pollTimeout()).isEqualTo(ContainerSettings.DEFAULT.pollTimeout());
			assertThat(settings.shutdownTimeout()).isEqualTo(ContainerSettings.DEFAULT.shutdownTimeout());
		});
	}

	@Test
	void refusesAWorkerConcurrencyBelowOne() {
		this.contextRunner.withPropertyValues("sheppy.worker.concurrency=0")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("'concurrency' must be at least 1 but was 0"));
	}

	@Test
	void refusesANegativePrefetch() {
		this.contextRunner.withPropertyValues("sheppy.worker.prefetch=-1")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("'prefetch' must not be negative but was -1"));
	}

	@Test
	void appliesTheTtlsToTheMemoryBackend() {
		this.contextRunner.withPropertyValues("sheppy.ttl=2h", "sheppy.error-ttl=10m")
			.run((context) -> assertThat(context.getBean(MemoryBackend.class)).extracting("ttlPolicy")
				.isEqualTo(new TtlPolicy(Ttl.ofSeconds(7200), Ttl.ofSeconds(600))));
	}

	@Test
	void keepsFinishedTasksThirtyDaysAndFailedOnesAsLongByDefault() {
		this.contextRunner.run((context) -> assertThat(context.getBean(MemoryBackend.class)).extracting("ttlPolicy")
			.isEqualTo(TtlPolicy.DEFAULT));
	}

	@Test
	void keepsFinishedTasksUntilDeletedWhenTheTtlIsZero() {
		this.contextRunner.withPropertyValues("sheppy.ttl=0")
			.run((context) -> assertThat(context.getBean(MemoryBackend.class)).extracting("ttlPolicy")
				.isEqualTo(new TtlPolicy(Ttl.NEVER, Ttl.INHERIT)));
	}

	@Test
	void keepsUnsuccessfulTasksUntilDeletedWhenTheErrorTtlIsZero() {
		this.contextRunner.withPropertyValues("sheppy.ttl=1h", "sheppy.error-ttl=0")
			.run((context) -> assertThat(context.getBean(MemoryBackend.class)).extracting("ttlPolicy")
				.isEqualTo(new TtlPolicy(Ttl.ofSeconds(3600), Ttl.NEVER)));
	}

	@Test
	void registersTheCronsOfItsPropertiesAlsoInAProducerOnlyApplication() {
		this.contextRunner
			.withPropertyValues("sheppy.worker.enabled=false", "sheppy.crons[0].task=reports:daily",
					"sheppy.crons[0].expression=0 9 * * *", "sheppy.crons[0].args[0]=eu")
			.run((context) -> {
				assertThat(context).hasSingleBean(DeclaredCronRegistrar.class);
				assertThat(context.getBean(TaskQueue.class).getCrons()).singleElement().satisfies((cron) -> {
					assertThat(cron.spec().func()).isEqualTo("reports:daily");
					assertThat(cron.spec().args()).containsExactly("eu");
					assertThat(cron.expression()).isEqualTo("0 9 * * *");
					assertThat(cron.managedBy()).isEqualTo("spring:application");
				});
			});
	}

	@Test
	void runsNoWorkersInAProducerOnlyApplication() {
		this.contextRunner.withPropertyValues("sheppy.worker.enabled=false")
			.withBean(GreetingTasks.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(TaskQueue.class)
					.hasSingleBean(TaskFactory.class)
					.hasSingleBean(Backend.class)
					.doesNotHaveBean(TaskEndpointRegistry.class)
					.doesNotHaveBean(SheppyTaskAnnotationBeanPostProcessor.class)
					.doesNotHaveBean(TaskListenerContainerFactory.class)
					.doesNotHaveBean(TaskEndpointRegistrar.DEFAULT_CONTAINER_FACTORY_BEAN_NAME);
				TaskQueue taskQueue = context.getBean(TaskQueue.class);
				Task<String> task = taskQueue.task(GreetingTasks::hello, "Ada");
				assertThat(taskQueue.add(task)).isTrue();
				// a worker would have finished it long before this; here it stays queued
				await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
					assertThat(taskQueue.getTask(task)).hasValueSatisfying(
							(stored) -> assertThat(stored.getStatus()).isEqualTo(TaskStatus.NEW));
					assertThat(taskQueue.queue("greetings").size()).isOne();
				});
			});
	}

	@Test
	void runsTheWorkersWhenWorkersAreEnabledExplicitly() {
		this.contextRunner.withPropertyValues("sheppy.worker.enabled=true")
			.withBean(GreetingTasks.class)
			.run((context) -> {
				TaskQueue taskQueue = context.getBean(TaskQueue.class);
				Task<String> task = taskQueue.task(GreetingTasks::hello, "Ada");
				taskQueue.add(task);
				await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(taskQueue.getTask(task))
					.hasValueSatisfying((stored) -> assertThat(stored.getStatus()).isEqualTo(TaskStatus.COMPLETED)));
				assertThat(taskQueue.queue("greetings").size()).isZero();
			});
	}

	@Test
	void failsOnAnUnknownBackendType() {
		this.contextRunner.withPropertyValues("sheppy.backend=cassandra")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("Failed to bind properties under 'sheppy.backend'")
				.hasStackTraceContaining("cassandra"));
	}

	static class GreetingTasks {

		@SheppyTask(name = "greetings:hello", queue = "greetings")
		String hello(String name) {
			return "Hello, " + name;
		}

	}

	static class UnqueuedTasks {

		@SheppyTask
		int twice(int value) {
			return 2 * value;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TaskQueueConfiguration {

		@Bean
		TaskQueue myTaskQueue(Backend backend, TaskFactory taskFactory) {
			return new TaskQueue(backend, taskFactory, JsonMapper.builder().build()).queue("mine");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RecordingContainerFactoryConfiguration {

		@Bean(TaskEndpointRegistrar.DEFAULT_CONTAINER_FACTORY_BEAN_NAME)
		RecordingContainerFactory myContainerFactory(Backend backend) {
			return new RecordingContainerFactory(new DefaultTaskListenerContainerFactory(backend,
					JsonMapper.builder().build()));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PostProcessorConfiguration {

		@Bean(SheppyTaskAnnotationBeanPostProcessor.BEAN_NAME)
		static CustomPostProcessor customPostProcessor() {
			return new CustomPostProcessor();
		}

	}

	static class CustomPostProcessor extends SheppyTaskAnnotationBeanPostProcessor {

	}

	static class RecordingContainerFactory implements TaskListenerContainerFactory {

		private final TaskListenerContainerFactory delegate;

		final List<String> queues = new CopyOnWriteArrayList<>();

		RecordingContainerFactory(TaskListenerContainerFactory delegate) {
			this.delegate = delegate;
		}

		@Override
		public TaskListenerContainer createContainer(String queue, List<TaskEndpoint> endpoints) {
			this.queues.add(queue);
			return this.delegate.createContainer(queue, endpoints);
		}

	}

}
