package io.sheppy.spring.testing;

import java.lang.reflect.Method;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import tools.jackson.databind.json.JsonMapper;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.annotation.TaskMethodDefinition;
import io.sheppy.spring.annotation.TaskMethodDefinitionReader;
import io.sheppy.spring.backend.MemoryBackend;
import io.sheppy.spring.backend.TaskDelivery;
import io.sheppy.spring.backend.TtlPolicy;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.listener.MethodTaskHandler;
import io.sheppy.spring.listener.TaskHandler;
import io.sheppy.spring.listener.TaskProcessor;
import io.sheppy.spring.queue.TaskFactory;
import io.sheppy.spring.queue.TaskQueue;

import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;

/**
 * A task queue for unit tests: the full {@link TaskQueue} API on an in-memory backend, plus methods that run queued
 * tasks synchronously, in the calling thread, with the {@link SheppyTask @SheppyTask} methods of the given objects.
 * No Redis, no Spring context, no threads. As in Python Sheppy's {@code TestQueue}, a failed run that is retried is
 * queued again at once, without waiting for its delay; timeouts are not enforced.
 *
 * <pre class="code">
 * TestQueue queue = TestQueue.of(new EmailTasks());
 * Task&lt;String&gt; task = queue.task(EmailTasks::send, "ada@example.com", "Hello");
 * queue.add(task);
 * Task&lt;Object&gt; done = queue.processNext().orElseThrow();
 * assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
 * </pre>
 *
 * @author Sheppy for Spring
 */
public final class TestQueue extends TaskQueue {

	private static final String DEFAULT_QUEUE = "default";

	private final MemoryBackend backend;

	private final Map<String, TaskProcessor> processors;

	private final List<Task<Object>> processed = new ArrayList<>();

	private TestQueue(MemoryBackend backend, TaskFactory factory, JsonMapper mapper,
			Map<String, TaskProcessor> processors) {
		super(backend, factory, mapper);
		this.backend = backend;
		this.processors = processors;
	}

	/**
	 * Create a test queue that runs the {@code @SheppyTask} methods of the given objects, with a default
	 * {@link JsonMapper}. Placeholders in annotation attributes are not resolved.
	 * @param taskBeans objects with {@code @SheppyTask} methods
	 * @return the test queue
	 */
	public static TestQueue of(Object... taskBeans) {
		return of(JsonMapper.builder().build(), taskBeans);
	}

	/**
	 * Create a test queue that runs the {@code @SheppyTask} methods of the given objects.
	 * @param mapper the mapper of task arguments and results
	 * @param taskBeans objects with {@code @SheppyTask} methods
	 * @return the test queue
	 */
	public static TestQueue of(JsonMapper mapper, Object... taskBeans) {
		Assert.notNull(mapper, "'mapper' must not be null");
		TaskMethodDefinitionReader reader = new TaskMethodDefinitionReader(null);
		Map<String, Map<String, TaskHandler>> handlersByQueue = new LinkedHashMap<>();
		Map<String, String> declaredBy = new LinkedHashMap<>();
		handlersByQueue.put(DEFAULT_QUEUE, new LinkedHashMap<>());
		for (Object bean : taskBeans) {
			Assert.notNull(bean, "'taskBeans' must not contain null");
			Class<?> type = ClassUtils.getUserClass(bean);
			Set<Method> methods = MethodIntrospector.selectMethods(type,
					(MethodIntrospector.MetadataLookup<SheppyTask>) (method) -> AnnotatedElementUtils
						.findMergedAnnotation(method, SheppyTask.class))
				.keySet();
			for (Method method : methods) {
				TaskMethodDefinition definition = reader.read(method, type);
				String previous = declaredBy.putIfAbsent(definition.name(), definition.describeMethod());
				Assert.state(previous == null, () -> "Two tasks are named '" + definition.name() + "': " + previous
						+ " and " + definition.describeMethod());
				String queue = (definition.queue() != null) ? definition.queue() : DEFAULT_QUEUE;
				handlersByQueue.computeIfAbsent(queue, (key) -> new LinkedHashMap<>())
					.put(definition.name(), new MethodTaskHandler(bean, method, type, mapper, definition.retryable()));
			}
		}
		Map<String, TaskProcessor> processors = new LinkedHashMap<>();
		handlersByQueue.forEach((queue, handlers) -> processors.put(queue, new TaskProcessor(queue, handlers)));
		MemoryBackend backend = new MemoryBackend(new TaskJson(mapper), TtlPolicy.DEFAULT);
		TaskFactory factory = new TaskFactory(reader, mapper, DEFAULT_QUEUE, null);
		return new TestQueue(backend, factory, mapper, Collections.unmodifiableMap(processors));
	}

	/**
	 * Run the oldest queued task, of any queue that has one, and store its outcome. A run that failed and is retried
	 * is queued again at once.
	 * @return the task's outcome (completed, failed, or retrying when it is queued again), or empty when no task is
	 * queued
	 */
	public Optional<Task<Object>> processNext() {
		for (String queue : queues()) {
			List<TaskDelivery> deliveries = this.backend.pop(queue, 1, null);
			if (!deliveries.isEmpty()) {
				return Optional.of(process(queue, deliveries.get(0)));
			}
		}
		return Optional.empty();
	}

	/**
	 * Run queued tasks until none is left, also those that running tasks add.
	 * @return the outcomes, in the order the tasks ran
	 */
	public List<Task<Object>> processAll() {
		List<Task<Object>> outcomes = new ArrayList<>();
		Optional<Task<Object>> outcome = processNext();
		while (outcome.isPresent()) {
			outcomes.add(outcome.get());
			outcome = processNext();
		}
		return outcomes;
	}

	/**
	 * Queue the scheduled tasks that are due at the given time (also retries waiting for their delay) and run them.
	 * @param at the time to compare due times with, for example a time in the future to run tasks scheduled for it
	 * @return the outcomes of the tasks that ran
	 */
	public List<Task<Object>> processScheduled(Instant at) {
		Assert.notNull(at, "'at' must not be null");
		for (String queue : queues()) {
			List<Task<Object>> promoted;
			do {
				promoted = this.backend.popScheduled(queue, at, 1000);
			}
			while (!promoted.isEmpty());
		}
		return processAll();
	}

	/**
	 * Return the outcomes of all tasks run so far.
	 * @return the outcomes, in the order the tasks ran
	 */
	public List<Task<Object>> getProcessed() {
		return Collections.unmodifiableList(this.processed);
	}

	/**
	 * Return the outcomes of the tasks run so far that did not complete.
	 * @return the outcomes that are not {@code completed}
	 */
	public List<Task<Object>> getFailed() {
		return this.processed.stream().filter((task) -> task.getException() != null).toList();
	}

	private Set<String> queues() {
		Set<String> queues = new LinkedHashSet<>(this.processors.keySet());
		queues.add(getName());
		queues.addAll(this.backend.listQueues().keySet());
		return queues;
	}

	private Task<Object> process(String queue, TaskDelivery delivery) {
		TaskProcessor processor = this.processors.get(queue);
		if (processor == null) {
			processor = new TaskProcessor(queue, Map.of());
		}
		Task<Object> outcome = processor.process(delivery.task());
		this.backend.storeResult(queue, outcome, delivery.deliveryId());
		// the state this run left, before a retry is queued
		Task<Object> stored = this.backend.getTasks(queue, List.of(outcome.getId())).get(outcome.getId());
		if (outcome.getStatus() == TaskStatus.RETRYING && outcome.getNextRetryAt() != null) {
			// as Python Sheppy's TestQueue: a retry runs without waiting for its delay
			this.backend.popScheduled(queue, outcome.getNextRetryAt(), 1000);
		}
		Task<Object> result = ((stored != null) ? stored : outcome).mutate().queue(queue).build();
		this.processed.add(result);
		return result;
	}

}
