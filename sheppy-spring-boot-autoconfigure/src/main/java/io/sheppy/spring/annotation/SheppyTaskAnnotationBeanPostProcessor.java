package io.sheppy.spring.annotation;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sheppy.spring.config.DeclaredCronRegistrar;
import io.sheppy.spring.config.MethodTaskEndpoint;
import io.sheppy.spring.config.TaskEndpointRegistrar;
import io.sheppy.spring.config.TaskEndpointRegistry;
import io.sheppy.spring.config.TaskListenerContainerFactory;
import io.sheppy.spring.core.TaskConfig;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.config.EmbeddedValueResolver;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.Assert;

/**
 * Finds the {@link SheppyTask @SheppyTask} methods of beans (also behind proxies), creates an endpoint for each and,
 * once all singletons exist, registers them with the {@link TaskEndpointRegistry}: one listener container per queue.
 * Two tasks of the same name fail the startup with a message naming both methods.
 *
 * @author Sheppy for Spring
 */
public class SheppyTaskAnnotationBeanPostProcessor
		implements BeanPostProcessor, BeanFactoryAware, SmartInitializingSingleton, Ordered {

	/** The bean name under which the auto-configuration registers this post-processor. */
	public static final String BEAN_NAME = "io.sheppy.spring.annotation.internalSheppyTaskAnnotationProcessor";

	private static final Logger logger = LoggerFactory.getLogger(SheppyTaskAnnotationBeanPostProcessor.class);

	private final TaskEndpointRegistrar registrar = new TaskEndpointRegistrar();

	private final List<TaskMethodDefinition> crons = new ArrayList<>();

	private final Set<Class<?>> classesWithoutTasks = ConcurrentHashMap.newKeySet();

	private @Nullable BeanFactory beanFactory;

	private TaskMethodDefinitionReader reader = new TaskMethodDefinitionReader(null);

	@Override
	public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
		this.beanFactory = beanFactory;
		if (beanFactory instanceof ConfigurableBeanFactory configurable) {
			this.reader = new TaskMethodDefinitionReader(new EmbeddedValueResolver(configurable));
		}
	}

	@Override
	public int getOrder() {
		return LOWEST_PRECEDENCE;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		Class<?> targetClass = AopUtils.getTargetClass(bean);
		if (this.classesWithoutTasks.contains(targetClass)) {
			return bean;
		}
		Map<Method, SheppyTask> methods = MethodIntrospector.selectMethods(targetClass,
				(MethodIntrospector.MetadataLookup<SheppyTask>) (method) -> AnnotatedElementUtils
					.findMergedAnnotation(method, SheppyTask.class));
		if (methods.isEmpty()) {
			this.classesWithoutTasks.add(targetClass);
			return bean;
		}
		for (Method method : methods.keySet()) {
			TaskMethodDefinition definition = this.reader.read(method, targetClass);
			Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
			this.registrar.register(new MethodTaskEndpoint(bean, invocable, targetClass, definition.name(),
					definition.queue(), definition.containerFactory(), definition.config(), definition.retryable(),
					definition.describeMethod()));
			if (definition.cron() != null) {
				this.crons.add(definition);
			}
			logger.debug("Found task '{}' on bean '{}': {}", definition.name(), beanName, definition.describeMethod());
		}
		return bean;
	}

	@Override
	public void afterSingletonsInstantiated() {
		Assert.state(this.beanFactory != null, "BeanFactory must be set");
		BeanFactory factory = this.beanFactory;
		TaskEndpointRegistry registry = factory.getBean(TaskEndpointRegistry.class);
		this.registrar.registerAll(registry, registry.getDefaultQueue(), (name) -> containerFactory(factory, name));
		declareCrons(factory);
	}

	private void declareCrons(BeanFactory factory) {
		if (this.crons.isEmpty()) {
			return;
		}
		DeclaredCronRegistrar cronRegistrar = factory.getBeanProvider(DeclaredCronRegistrar.class).getIfAvailable();
		Assert.state(cronRegistrar != null, () -> "Tasks with a cron need a DeclaredCronRegistrar bean: "
				+ this.crons.stream().map(TaskMethodDefinition::describeMethod).toList());
		for (TaskMethodDefinition definition : this.crons) {
			TaskConfig config = definition.config();
			if (definition.backoff() != null) {
				config = config.withRetryDelay(definition.backoff().delaysWithoutJitter(config.retry()));
			}
			cronRegistrar.declare(definition.queue(), definition.name(), List.of(), Map.of(), config,
					definition.cron(), definition.zone());
		}
		this.crons.clear();
	}

	private static TaskListenerContainerFactory containerFactory(BeanFactory factory, @Nullable String name) {
		String beanName = (name != null) ? name : TaskEndpointRegistrar.DEFAULT_CONTAINER_FACTORY_BEAN_NAME;
		try {
			return factory.getBean(beanName, TaskListenerContainerFactory.class);
		}
		catch (NoSuchBeanDefinitionException ex) {
			throw new IllegalStateException("No TaskListenerContainerFactory bean named '" + beanName
					+ "' for the tasks of a queue; define one or remove containerFactory from their @SheppyTask", ex);
		}
	}

}
