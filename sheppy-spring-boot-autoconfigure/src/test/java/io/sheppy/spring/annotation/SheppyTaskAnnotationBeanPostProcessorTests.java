package io.sheppy.spring.annotation;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

import io.sheppy.spring.autoconfigure.SheppyAutoConfiguration;
import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.config.DefaultTaskListenerContainerFactory;
import io.sheppy.spring.config.MethodTaskEndpoint;
import io.sheppy.spring.config.TaskEndpoint;
import io.sheppy.spring.config.TaskEndpointRegistry;
import io.sheppy.spring.config.TaskListenerContainerFactory;
import io.sheppy.spring.core.RetryDelay;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskConfig;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.core.Ttl;
import io.sheppy.spring.listener.TaskListenerContainer;
import io.sheppy.spring.queue.TaskQueue;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AliasFor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SheppyTaskAnnotationBeanPostProcessor}: how {@link SheppyTask @SheppyTask} methods are found
 * (also behind proxies), read and registered, and how a wrong declaration fails the startup. Tasks run on the
 * in-memory backend.
 *
 * @author Sheppy for Spring
 */
class SheppyTaskAnnotationBeanPostProcessorTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class,
				JacksonAutoConfiguration.class, SheppyAutoConfiguration.class))
		.withPropertyValues("sheppy.backend=memory", "sheppy.worker.poll-timeout=100ms");

	@Test
	void runsTheTaskMethodsOfAPlainBean() {
		this.contextRunner.withBean(PlainTasks.class).run((context) -> {
			assertThat(registry(context).getEndpoint("plain:shout")).isNotNull();
			TaskQueue taskQueue = context.getBean(TaskQueue.class);
			Task<String> task = taskQueue.task(PlainTasks::shout, "hello");
			taskQueue.add(task);
			assertThat(taskQueue.waitFor(task, Duration.ofSeconds(10)).getResult()).isEqualTo("HELLO");
		});
	}

	@Test
	void runsTheTaskMethodsOfABeanBehindAJdkProxyThroughTheProxy() {
		this.contextRunner.withUserConfiguration(JdkProxyConfiguration.class).run((context) -> {
			assertThat(AopUtils.isJdkDynamicProxy(context.getBean("greeter"))).isTrue();
			TaskQueue taskQueue = context.getBean(TaskQueue.class);
			Task<String> task = taskQueue.task(InterfaceGreeter::greet, "Ada");
			assertThat(task.getName()).isEqualTo("proxied:greet");
			taskQueue.add(task);
			Task<String> finished = taskQueue.waitFor(task, Duration.ofSeconds(10));
			assertThat(finished.getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(finished.getResult()).isEqualTo("[proxy] Hello, Ada");
			assertThat(context.getBean(ProxyingPostProcessor.class).calls).containsExactly("greet");
		});
	}

	@Test
	void runsTheTaskMethodsOfABeanBehindACglibProxyThroughTheProxy() {
		this.contextRunner.withUserConfiguration(CglibProxyConfiguration.class).run((context) -> {
			assertThat(AopUtils.isCglibProxy(context.getBean("greeter"))).isTrue();
			TaskQueue taskQueue = context.getBean(TaskQueue.class);
			Task<String> task = taskQueue.task(ClassGreeter::greet, "Ada");
			assertThat(task.getName()).isEqualTo(ClassGreeter.class.getName() + ":greet");
			assertThat(registry(context).getEndpoint(task.getName())).isNotNull();
			taskQueue.add(task);
			Task<String> finished = taskQueue.waitFor(task, Duration.ofSeconds(10));
			assertThat(finished.getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(finished.getResult()).isEqualTo("[proxy] Hello, Ada");
			assertThat(context.getBean(ProxyingPostProcessor.class).calls).containsExactly("greet");
		});
	}

	@Test
	void failsClearlyWhenAJdkProxyDoesNotExposeTheTaskMethod() {
		this.contextRunner.withUserConfiguration(HiddenMethodJdkProxyConfiguration.class)
			.run((context) -> assertThat(startupFailure(context))
				.hasMessageContaining("Need to invoke method 'hidden' declared on target class 'HiddenTaskGreeter'")
				.hasMessageContaining("CGLIB"));
	}

	@Test
	void namesATaskAfterItsBeanClassAndMethodByDefault() {
		this.contextRunner.withBean(DefaultNamedTasks.class).run((context) -> {
			String name = DefaultNamedTasks.class.getName() + ":count";
			assertThat(registry(context).getEndpoint(name)).isNotNull();
			TaskQueue taskQueue = context.getBean(TaskQueue.class);
			Task<Integer> task = taskQueue.task(DefaultNamedTasks::count, "three");
			assertThat(task.getName()).isEqualTo(name);
			taskQueue.add(task);
			assertThat(taskQueue.waitFor(task, Duration.ofSeconds(10)).getResult()).isEqualTo(5);
		});
	}

	@Test
	void namesATaskDeclaredOnAnInterfaceAfterTheInterfaceSoProducersAndWorkersAgree() {
		this.contextRunner.withBean(DefaultNamedGreeterImpl.class).run((context) -> {
			String name = DefaultNamedGreeter.class.getName() + ":greet";
			assertThat(registry(context).getEndpoint(name)).isNotNull();
			TaskQueue taskQueue = context.getBean(TaskQueue.class);
			Task<String> byInterface = taskQueue.task(DefaultNamedGreeter::greet, "Ada");
			Task<String> byImplementation = taskQueue.task(DefaultNamedGreeterImpl::greet, "Grace");
			assertThat(byInterface.getName()).isEqualTo(name);
			assertThat(byImplementation.getName()).isEqualTo(name);
			taskQueue.add(List.of(byInterface, byImplementation));
			assertThat(taskQueue.waitFor(byInterface, Duration.ofSeconds(10)).getResult()).isEqualTo("Hi Ada");
			assertThat(taskQueue.waitFor(byImplementation, Duration.ofSeconds(10)).getResult()).isEqualTo("Hi Grace");
		});
	}

	@Test
	void findsTaskMethodsThroughAComposedAnnotation() {
		this.contextRunner.withBean(ComposedAnnotationTasks.class).run((context) -> {
			TaskEndpoint endpoint = registry(context).getEndpoint("reports:monthly");
			assertThat(endpoint).isNotNull();
			assertThat(endpoint.getQueue()).isEqualTo("reports");
			assertThat(registry(context).getContainer("reports")).isNotNull();
		});
	}

	@Test
	void failsOnTwoTasksOfTheSameNameNamingBothMethods() {
		this.contextRunner.withBean(FirstDuplicate.class)
			.withBean(SecondDuplicate.class)
			.run((context) -> assertThat(startupFailure(context))
				.hasMessageContaining("Two tasks are named 'duplicate:run'")
				.hasMessageContaining(FirstDuplicate.class.getName() + ".run()")
				.hasMessageContaining(SecondDuplicate.class.getName() + ".run(String)"));
	}

	@Test
	void failsOnOverloadedTaskMethodsWithTheSameDefaultName() {
		this.contextRunner.withBean(OverloadedTasks.class)
			.run((context) -> assertThat(startupFailure(context))
				.hasMessageContaining("Two tasks are named '" + OverloadedTasks.class.getName() + ":send'")
				.hasMessageContaining(OverloadedTasks.class.getName() + ".send(String)")
				.hasMessageContaining(OverloadedTasks.class.getName() + ".send(String, String)"));
	}

	@Test
	void resolvesPlaceholdersInTheAttributes() {
		this.contextRunner.withBean(PlaceholderTasks.class)
			.withPropertyValues("tasks.name=reports:build", "tasks.queue=reports", "tasks.timeout=45s",
					"tasks.first-delay=500ms", "tasks.ttl=1h")
			.run((context) -> {
				TaskEndpoint endpoint = registry(context).getEndpoint("reports:build");
				assertThat(endpoint).isInstanceOf(MethodTaskEndpoint.class);
				assertThat(endpoint.getQueue()).isEqualTo("reports");
				TaskConfig expected = TaskConfig.DEFAULT.withRetry(2)
					.withTimeout(Duration.ofSeconds(45))
					.withRetryDelay(RetryDelay.of(List.of(0.5, 5.0)))
					.withTtl(Ttl.ofSeconds(3600))
					.withErrorTtl(Ttl.NEVER);
				assertThat(((MethodTaskEndpoint) endpoint).getConfig()).isEqualTo(expected);
				assertThat(registry(context).getContainer("reports")).isNotNull()
					.satisfies((container) -> assertThat(container.getTaskNames()).containsExactly("reports:build"));
				Task<Void> task = context.getBean(TaskQueue.class).task(PlaceholderTasks::build);
				assertThat(task.getName()).isEqualTo("reports:build");
				assertThat(task.getQueue()).isEqualTo("reports");
				assertThat(task.getConfig()).isEqualTo(expected);
			});
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("invalidDeclarations")
	void failsOnAnInvalidAttributeNamingTheMethodAndTheAttribute(Class<?> tasks, String method, String problem) {
		this.contextRunner.withBean(tasks)
			.run((context) -> assertThat(startupFailure(context))
				.hasMessageContaining("Invalid @SheppyTask on " + tasks.getName() + "." + method)
				.hasMessageContaining(problem));
	}

	static Stream<Arguments> invalidDeclarations() {
		return Stream.of(Arguments.of(SoonRetryDelayTasks.class, "run()", "retryDelay 'soon' is not a duration"),
				Arguments.of(EmptyRetryDelayTasks.class, "run()", "retryDelay must not contain an empty value"),
				Arguments.of(ForeverTtlTasks.class, "run()", "ttl 'forever' is not a duration"),
				Arguments.of(NegativeTimeoutTasks.class, "run()", "'timeout' must be a positive number"),
				Arguments.of(NegativeRetryTasks.class, "run()", "'retry' must not be negative"),
				Arguments.of(UnresolvableNameTasks.class, "run()", "Could not resolve placeholder 'tasks.missing'"),
				Arguments.of(UnresolvableQueueTasks.class, "run()", "Could not resolve placeholder 'tasks.missing'"));
	}

	@Test
	void runsTheTasksOfTwoQueuesInTwoContainers() {
		this.contextRunner.withBean(AlphaTasks.class).withBean(BetaTasks.class).run((context) -> {
			TaskEndpointRegistry registry = registry(context);
			assertThat(registry.getContainers()).extracting(TaskListenerContainer::getQueue)
				.containsExactlyInAnyOrder("alpha", "beta");
			assertThat(registry.getContainer("alpha").getTaskNames()).containsExactlyInAnyOrder("alpha:one",
					"alpha:two");
			assertThat(registry.getContainer("beta").getTaskNames()).containsExactly("beta:one");
			assertThat(registry.getContainers()).allSatisfy((container) -> assertThat(container.isRunning()).isTrue());
			TaskQueue taskQueue = context.getBean(TaskQueue.class);
			Task<String> alpha = taskQueue.task(AlphaTasks::two);
			Task<String> beta = taskQueue.task(BetaTasks::one);
			assertThat(taskQueue.add(List.of(alpha, beta))).containsExactly(true, true);
			assertThat(taskQueue.waitFor(alpha, Duration.ofSeconds(10)).getResult()).isEqualTo("alpha two");
			assertThat(taskQueue.waitFor(beta, Duration.ofSeconds(10)).getResult()).isEqualTo("beta one");
		});
	}

	@Test
	void createsTheContainerOfAQueueWithTheFactoryItsTasksName() {
		this.contextRunner.withUserConfiguration(CustomContainerFactoryConfiguration.class)
			.withBean(CustomFactoryTasks.class)
			.withBean(AlphaTasks.class)
			.run((context) -> {
				assertThat(context.getBean(RecordingContainerFactory.class).queues).containsExactly("special");
				assertThat(registry(context).getContainer("special")).isNotNull();
				assertThat(registry(context).getContainer("alpha")).isNotNull();
			});
	}

	@Test
	void failsClearlyOnAContainerFactoryThatDoesNotExist() {
		this.contextRunner.withBean(UnknownFactoryTasks.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining("No TaskListenerContainerFactory bean named 'noSuchFactory'"));
	}

	@Test
	void failsOnTasksOfOneQueueThatAskForDifferentContainerFactories() {
		this.contextRunner.withUserConfiguration(CustomContainerFactoryConfiguration.class)
			.withBean(CustomFactoryTasks.class)
			.withBean(OtherFactoryTasks.class)
			.run((context) -> assertThat(startupFailure(context))
				.hasMessageContaining("Tasks of queue 'special' ask for different container factories")
				.hasMessageContaining(CustomFactoryTasks.class.getName() + ".run()")
				.hasMessageContaining(OtherFactoryTasks.class.getName() + ".run()"));
	}

	/**
	 * Return the exception that explains why the context failed to start: the innermost one.
	 */
	private static Throwable startupFailure(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		return NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure());
	}

	private static TaskEndpointRegistry registry(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		return context.getBean(TaskEndpointRegistry.class);
	}

	static class PlainTasks {

		@SheppyTask(name = "plain:shout")
		String shout(String text) {
			return text.toUpperCase();
		}

	}

	interface Greeter {

		String greet(String name);

	}

	static class InterfaceGreeter implements Greeter {

		@Override
		@SheppyTask(name = "proxied:greet")
		public String greet(String name) {
			return "Hello, " + name;
		}

	}

	static class ClassGreeter {

		@SheppyTask
		public String greet(String name) {
			return "Hello, " + name;
		}

	}

	static class HiddenTaskGreeter implements Greeter {

		@Override
		public String greet(String name) {
			return "Hello, " + name;
		}

		@SheppyTask(name = "proxied:hidden")
		public String hidden() {
			return "hidden";
		}

	}

	/**
	 * Wraps the bean named {@code greeter} in a proxy that marks the results, as an aspect would. Ordered, so that it
	 * runs before the post-processor under test, like Spring's auto-proxy creators.
	 */
	static class ProxyingPostProcessor implements BeanPostProcessor, Ordered {

		private final boolean proxyTargetClass;

		final List<String> calls = new CopyOnWriteArrayList<>();

		ProxyingPostProcessor(boolean proxyTargetClass) {
			this.proxyTargetClass = proxyTargetClass;
		}

		@Override
		public Object postProcessAfterInitialization(Object bean, String beanName) {
			if (!"greeter".equals(beanName)) {
				return bean;
			}
			ProxyFactory proxyFactory = new ProxyFactory(bean);
			proxyFactory.setProxyTargetClass(this.proxyTargetClass);
			proxyFactory.addAdvice((MethodInterceptor) (invocation) -> {
				this.calls.add(invocation.getMethod().getName());
				return "[proxy] " + invocation.proceed();
			});
			return proxyFactory.getProxy();
		}

		@Override
		public int getOrder() {
			return 0;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class JdkProxyConfiguration {

		@Bean
		static ProxyingPostProcessor proxyingPostProcessor() {
			return new ProxyingPostProcessor(false);
		}

		@Bean
		InterfaceGreeter greeter() {
			return new InterfaceGreeter();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CglibProxyConfiguration {

		@Bean
		static ProxyingPostProcessor proxyingPostProcessor() {
			return new ProxyingPostProcessor(true);
		}

		@Bean
		ClassGreeter greeter() {
			return new ClassGreeter();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class HiddenMethodJdkProxyConfiguration {

		@Bean
		static ProxyingPostProcessor proxyingPostProcessor() {
			return new ProxyingPostProcessor(false);
		}

		@Bean
		HiddenTaskGreeter greeter() {
			return new HiddenTaskGreeter();
		}

	}

	interface DefaultNamedGreeter {

		@SheppyTask
		String greet(String name);

	}

	static class DefaultNamedGreeterImpl implements DefaultNamedGreeter {

		@Override
		public String greet(String name) {
			return "Hi " + name;
		}

	}

	static class DefaultNamedTasks {

		@SheppyTask
		int count(String word) {
			return word.length();
		}

	}

	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@SheppyTask(queue = "reports")
	@interface ReportTask {

		@AliasFor(annotation = SheppyTask.class, attribute = "name")
		String value();

	}

	static class ComposedAnnotationTasks {

		@ReportTask("reports:monthly")
		void monthly() {
		}

	}

	static class FirstDuplicate {

		@SheppyTask(name = "duplicate:run")
		void run() {
		}

	}

	static class SecondDuplicate {

		@SheppyTask(name = "duplicate:run")
		void run(String value) {
		}

	}

	static class OverloadedTasks {

		@SheppyTask
		void send(String to) {
		}

		@SheppyTask
		void send(String to, String subject) {
		}

	}

	static class PlaceholderTasks {

		@SheppyTask(name = "${tasks.name}", queue = "${tasks.queue}", timeout = "${tasks.timeout}", retry = 2,
				retryDelay = { "${tasks.first-delay}", "5" }, ttl = "${tasks.ttl}",
				errorTtl = "${tasks.error-ttl:never}")
		void build() {
		}

	}

	static class SoonRetryDelayTasks {

		@SheppyTask(name = "invalid:run", retryDelay = "soon")
		void run() {
		}

	}

	static class EmptyRetryDelayTasks {

		@SheppyTask(name = "invalid:run", retryDelay = { "1s", "" })
		void run() {
		}

	}

	static class ForeverTtlTasks {

		@SheppyTask(name = "invalid:run", ttl = "forever")
		void run() {
		}

	}

	static class NegativeTimeoutTasks {

		@SheppyTask(name = "invalid:run", timeout = "-5s")
		void run() {
		}

	}

	static class NegativeRetryTasks {

		@SheppyTask(name = "invalid:run", retry = -1)
		void run() {
		}

	}

	static class UnresolvableNameTasks {

		@SheppyTask(name = "${tasks.missing}")
		void run() {
		}

	}

	static class UnresolvableQueueTasks {

		@SheppyTask(name = "invalid:run", queue = "${tasks.missing}")
		void run() {
		}

	}

	static class AlphaTasks {

		@SheppyTask(name = "alpha:one", queue = "alpha")
		String one() {
			return "alpha one";
		}

		@SheppyTask(name = "alpha:two", queue = "alpha")
		String two() {
			return "alpha two";
		}

	}

	static class BetaTasks {

		@SheppyTask(name = "beta:one", queue = "beta")
		String one() {
			return "beta one";
		}

	}

	static class CustomFactoryTasks {

		@SheppyTask(name = "special:run", queue = "special", containerFactory = "specialFactory")
		void run() {
		}

	}

	static class OtherFactoryTasks {

		@SheppyTask(name = "special:other", queue = "special", containerFactory = "sheppyListenerContainerFactory")
		void run() {
		}

	}

	static class UnknownFactoryTasks {

		@SheppyTask(name = "unknown:run", containerFactory = "noSuchFactory")
		void run() {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomContainerFactoryConfiguration {

		@Bean
		RecordingContainerFactory specialFactory(Backend backend) {
			return new RecordingContainerFactory(
					new DefaultTaskListenerContainerFactory(backend, JsonMapper.builder().build()));
		}

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
