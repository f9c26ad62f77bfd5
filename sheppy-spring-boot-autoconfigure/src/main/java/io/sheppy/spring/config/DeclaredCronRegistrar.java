package io.sheppy.spring.config;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sheppy.spring.backend.Backend;
import io.sheppy.spring.core.CronSchedule;
import io.sheppy.spring.core.TaskConfig;
import io.sheppy.spring.core.TaskCron;
import io.sheppy.spring.core.TaskSpec;

import org.springframework.context.SmartLifecycle;
import org.springframework.util.Assert;

/**
 * Registers the crons an application declares ({@code @SheppyTask(cron = ...)} and {@code sheppy.crons}) when it
 * starts, before its workers, and removes the crons it declared on an earlier start and declares no more, with their
 * scheduled runs, from the queues it uses and every known queue. Crons are marked as managed by the application; crons
 * added through the API are left alone.
 *
 * @author Sheppy for Spring
 */
public class DeclaredCronRegistrar implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(DeclaredCronRegistrar.class);

	private final Backend backend;

	private final Supplier<@Nullable TaskEndpointRegistry> registry;

	private final String defaultQueue;

	private final String owner;

	private final List<Declaration> declarations = new ArrayList<>();

	private volatile boolean running;

	/**
	 * Create a registrar.
	 * @param backend the backend that stores the crons
	 * @param registry the registry of the application's tasks, for their queues and configs, or a supplier of
	 * {@code null} in an application without workers; looked up when the
	 * registrar starts (a bean that this one depended on would be stopped with it, which Spring's lifecycle processor
	 * does not wait for correctly)
	 * @param owner what the application's crons are marked as managed by
	 */
	public DeclaredCronRegistrar(Backend backend, Supplier<@Nullable TaskEndpointRegistry> registry,
			String defaultQueue, String owner) {
		Assert.notNull(backend, "'backend' must not be null");
		Assert.notNull(registry, "'registry' must not be null");
		Assert.hasText(owner, "'owner' must not be empty");
		this.backend = backend;
		this.registry = registry;
		this.defaultQueue = defaultQueue;
		this.owner = owner;
	}

	/**
	 * Declare a cron.
	 * @param queue the queue, or {@code null} for the queue of the task when this application runs it, else the
	 * default queue
	 * @param task the task name
	 * @param args the positional arguments of each run
	 * @param kwargs the keyword arguments of each run
	 * @param config the config of each run, or {@code null} for the config of the task when this application runs it
	 * @param expression the cron expression
	 * @param zone the time zone, or {@code null} for UTC
	 * @throws IllegalArgumentException if the expression is invalid
	 */
	public synchronized void declare(@Nullable String queue, String task, List<@Nullable Object> args,
			Map<String, @Nullable Object> kwargs, @Nullable TaskConfig config, String expression,
			@Nullable ZoneId zone) {
		Assert.hasText(task, "'task' must not be empty");
		Assert.hasText(expression, "'expression' must not be empty");
		try {
			CronSchedule.parse(expression);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("Invalid cron of task '" + task + "': " + ex.getMessage(), ex);
		}
		this.declarations.add(new Declaration(queue, new TaskSpec(task, args, kwargs), config, expression.trim(), zone));
	}

	/**
	 * Return the phase: just before the workers start.
	 */
	@Override
	public int getPhase() {
		return TaskEndpointRegistry.DEFAULT_PHASE - 1;
	}

	@Override
	public synchronized void start() {
		TaskEndpointRegistry registry = this.registry.get();
		Map<String, Map<UUID, TaskCron>> declared = new LinkedHashMap<>();
		for (Declaration declaration : this.declarations) {
			TaskEndpoint endpoint = (registry != null) ? registry.getEndpoint(declaration.spec().func()) : null;
			String queue = queueOf(declaration, endpoint);
			TaskConfig config = (declaration.config() != null) ? declaration.config()
					: (endpoint instanceof MethodTaskEndpoint method) ? method.getConfig() : TaskConfig.DEFAULT;
			TaskCron cron = TaskCron.of(declaration.expression(), declaration.spec(), config)
				.withZone(declaration.zone())
				.withManagedBy(this.owner);
			declared.computeIfAbsent(queue, (key) -> new LinkedHashMap<>()).put(cron.deterministicId(), cron);
		}
		Set<String> queues = new LinkedHashSet<>(declared.keySet());
		if (registry != null) {
			registry.getContainers().forEach((container) -> queues.add(container.getQueue()));
		}
		// a cron declared on a queue that the application no longer declares on nor works on is found there: the
		// runs that were scheduled on that queue registered it
		queues.addAll(this.backend.listQueues().keySet());
		for (String queue : queues) {
			reconcile(queue, declared.getOrDefault(queue, Map.of()));
		}
		this.running = true;
	}

	private String queueOf(Declaration declaration, @Nullable TaskEndpoint endpoint) {
		if (declaration.queue() != null) {
			return declaration.queue();
		}
		if (endpoint != null && endpoint.getQueue() != null) {
			return endpoint.getQueue();
		}
		return this.defaultQueue;
	}

	private void reconcile(String queue, Map<UUID, TaskCron> declared) {
		Map<UUID, TaskCron> stored = new LinkedHashMap<>();
		this.backend.getCrons(queue).forEach((cron) -> stored.put(cron.deterministicId(), cron));
		declared.forEach((id, cron) -> {
			if (!stored.containsKey(id) && this.backend.addCron(queue, cron)) {
				logger.info("Registered cron '{}'{} of task '{}' on queue '{}'", cron.expression(),
						(cron.zone() != null) ? " (" + cron.zone() + ")" : "", cron.spec().func(), queue);
			}
		});
		stored.forEach((id, cron) -> {
			if (this.owner.equals(cron.managedBy()) && !declared.containsKey(id)) {
				this.backend.deleteCron(queue, id);
				int runs = this.backend.removeScheduledRuns(queue, id);
				logger.info("Removed cron '{}' of task '{}' from queue '{}' and {} scheduled run(s): this application "
						+ "no longer declares it", cron.expression(), cron.spec().func(), queue, runs);
			}
		});
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	private record Declaration(@Nullable String queue, TaskSpec spec, @Nullable TaskConfig config, String expression,
			@Nullable ZoneId zone) {
	}

}
