package io.sheppy.spring.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.core.annotation.AliasFor;

/**
 * Marks a bean method as a task: workers of its queue run it when a task of its name is taken from the queue, binding
 * the task's arguments to the method's parameters; producers create tasks of it with
 * {@link io.sheppy.spring.queue.TaskQueue}. String attributes accept {@code ${...}} placeholders.
 *
 * <pre class="code">
 * &#064;SheppyTask(name = "emails:send", queue = "emails", retry = 3, retryDelay = {"1s", "10s", "60s"}, timeout = "30s")
 * String send(String to, String subject) { ... }
 * </pre>
 *
 * @author Sheppy for Spring
 */
@Target({ ElementType.METHOD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface SheppyTask {

	/**
	 * Alias for {@link #name()}.
	 * @return the task name
	 */
	@AliasFor("name")
	String value() default "";

	/**
	 * The task's name, written to {@code spec.func}. Defaults to the name of the class that declares the annotated
	 * method and the method's name, {@code com.example.EmailTasks:send}. A Python task's name is
	 * {@code module:function}.
	 * @return the task name
	 */
	@AliasFor("value")
	String name() default "";

	/**
	 * The queue the task runs on. Defaults to {@code sheppy.queue}.
	 * @return the queue name
	 */
	String queue() default "";

	/**
	 * How many times a failed run is tried again: {@code retry = N} gives up to {@code N + 1} attempts.
	 * @return the number of retries
	 */
	int retry() default 0;

	/**
	 * The delays before retries: the k-th retry waits the k-th delay, later retries the last one. Durations such as
	 * {@code 10s}, {@code 500ms} or {@code PT1M}; a plain number is seconds. Defaults to one second.
	 * @return the retry delays
	 */
	String[] retryDelay() default {};

	/**
	 * Exponential backoff between retries, instead of {@link #retryDelay()}.
	 * @return the backoff
	 */
	Backoff backoff() default @Backoff;

	/**
	 * Exceptions after which a run is retried (also their subclasses). Empty for every exception not listed in
	 * {@link #noRetryOn()}. A Java-side setting: it is not part of the task's wire config.
	 * @return the exceptions to retry on
	 */
	Class<? extends Throwable>[] retryOn() default {};

	/**
	 * Exceptions after which a run is not retried (also their subclasses), even when retries are left.
	 * @return the exceptions not to retry on
	 */
	Class<? extends Throwable>[] noRetryOn() default {};

	/**
	 * The time one run may take (for example {@code 30s}); a plain number is seconds. Empty for no limit.
	 * @return the timeout
	 */
	String timeout() default "";

	/**
	 * Whether a run that exceeded its timeout is retried.
	 * @return whether to retry on timeout
	 */
	boolean retryOnTimeout() default false;

	/**
	 * Whether a run whose worker was lost is retried.
	 * @return whether to retry on crash
	 */
	boolean retryOnCrash() default false;

	/**
	 * How long the record of a completed run is kept: a duration, {@code never}, or {@code inherit} (the default: the
	 * backend's setting).
	 * @return the time to live
	 */
	String ttl() default "";

	/**
	 * How long the record of a failed, crashed or cancelled run is kept: a duration, {@code never}, or
	 * {@code inherit} (the default: the task's {@link #ttl()}, then the backend's settings).
	 * @return the time to live of unsuccessful runs
	 */
	String errorTtl() default "";

	/**
	 * A cron expression on which the task runs by itself, with no arguments (the method may take none but a
	 * {@link io.sheppy.spring.core.Task} or {@link java.util.Optional} parameters): 5-field Unix cron such as
	 * {@code 0 9 * * mon-fri}, an optional 6th field of seconds, or a macro such as {@code @hourly}. Each fire time runs
	 * once however many workers run. The cron is registered when the application starts and removed, with its
	 * scheduled runs, when an application that declared it starts without it.
	 * @return the cron expression, empty for none
	 */
	String cron() default "";

	/**
	 * The time zone whose wall clock the {@link #cron()} follows, such as {@code Europe/Berlin}. Defaults to UTC, the
	 * only zone Python Sheppy knows: do not share a queue whose crons have a zone with Python workers.
	 * @return the zone id
	 */
	String zone() default "";

	/**
	 * The bean name of the {@link io.sheppy.spring.config.TaskListenerContainerFactory} that creates the container of
	 * this task's queue. Defaults to the factory named {@code sheppyListenerContainerFactory}.
	 * @return the container factory bean name
	 */
	String containerFactory() default "";

}
