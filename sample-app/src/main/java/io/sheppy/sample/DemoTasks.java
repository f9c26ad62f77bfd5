package io.sheppy.sample;

import java.util.concurrent.TimeUnit;

import io.sheppy.spring.annotation.SheppyTask;

import org.springframework.stereotype.Component;

/**
 * The demo tasks: one that succeeds, one that fails and one that takes its time. Workers of the {@code demo} queue
 * (the application's {@code sheppy.queue}) run them.
 */
@Component
public class DemoTasks {

	/**
	 * The longest that {@link #slow(int)} works, so that a stray task cannot hold a worker for long.
	 */
	public static final int MAX_SLOW_SECONDS = 10;

	/**
	 * Add two numbers.
	 * @param x the first number
	 * @param y the second number
	 * @return the sum
	 * @throws ArithmeticException if the sum does not fit in an {@code int}
	 */
	@SheppyTask(name = "demo:add")
	public int add(int x, int y) {
		return Math.addExact(x, y);
	}

	/**
	 * Fail with the given message, to show how a failure is recorded.
	 * @param message the message of the exception
	 */
	@SheppyTask(name = "demo:fail")
	public void fail(String message) {
		throw new IllegalStateException(message);
	}

	/**
	 * Work for a while, at most {@value #MAX_SLOW_SECONDS} seconds.
	 * @param seconds how long to work
	 * @return what was done
	 * @throws InterruptedException if the worker stops while the task runs
	 */
	@SheppyTask(name = "demo:slow")
	public String slow(int seconds) throws InterruptedException {
		int capped = Math.max(0, Math.min(seconds, MAX_SLOW_SECONDS));
		TimeUnit.SECONDS.sleep(capped);
		return "Worked for " + capped + " s";
	}

}
