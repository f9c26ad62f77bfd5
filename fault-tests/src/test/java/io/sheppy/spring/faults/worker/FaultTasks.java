package io.sheppy.spring.faults.worker;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.core.Task;

import org.springframework.stereotype.Component;

/**
 * The tasks of the fault-injection tests: each records that it started (see {@link RunRecorder}), works for the
 * given number of milliseconds and returns its value. The two differ only in what happens when their worker is lost.
 *
 * @author Sheppy for Spring
 */
@Component
public class FaultTasks {

	/** A task that runs again when its worker is lost (retry on crash, up to 3 retries). */
	public static final String WORK = "faults:work";

	/** A task that is recorded as crashed when its worker is lost (no retry on crash). */
	public static final String WORK_ONCE = "faults:work-once";

	private final RunRecorder recorder;

	FaultTasks(RunRecorder recorder) {
		this.recorder = recorder;
	}

	@SheppyTask(name = WORK, retry = 3, retryOnCrash = true)
	public int work(int value, int millis, Task<?> task) throws InterruptedException {
		return run(value, millis, task);
	}

	@SheppyTask(name = WORK_ONCE, retry = 3)
	public int workOnce(int value, int millis, Task<?> task) throws InterruptedException {
		return run(value, millis, task);
	}

	private int run(int value, int millis, Task<?> task) throws InterruptedException {
		this.recorder.record(task);
		// stands for the task's work
		Thread.sleep(millis);
		return value;
	}

}
