package io.sheppy.spring.listener;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Hands the runs a container starts to the threads of its executor, waking as few of them as the runs need. Runs
 * wait in a queue; a runner (one task on the executor) takes them one after the other, and before each run it starts
 * one more runner if runs still wait, as long as no other runner is being started. Short runs are thus taken by the
 * threads that are already awake, and long runs get a thread each, one thread wake-up after the other: a batch of
 * runs costs as many wake-ups as it needs threads, not one per run. A thread that finds no more runs goes back to the
 * executor.
 * <p>
 * Every run holds a slot of the container, so runs never wait for a runner that cannot get a thread: a runner is
 * running a run or taking the next, and at most one more runner is being started.
 *
 * @author Sheppy for Spring
 */
final class RunDispatcher {

	private final Queue<RunningTask> ready = new ConcurrentLinkedQueue<>();

	/** Whether a runner was handed to the executor and has not yet begun to take runs. */
	private final AtomicBoolean starting = new AtomicBoolean();

	private final Consumer<RunningTask> runner;

	private final BiConsumer<RunningTask, RuntimeException> rejected;

	private volatile Executor executor = Runnable::run;

	/**
	 * Create an instance.
	 * @param runner what runs a task, on the thread of a runner
	 * @param rejected what becomes of a run that no runner can take, with the executor's refusal of a runner
	 */
	RunDispatcher(Consumer<RunningTask> runner, BiConsumer<RunningTask, RuntimeException> rejected) {
		this.runner = runner;
		this.rejected = rejected;
	}

	void setExecutor(Executor executor) {
		this.executor = executor;
	}

	/**
	 * Run a task on a thread of the executor, as soon as a runner takes it.
	 * @param run the run, which holds a slot
	 */
	void dispatch(RunningTask run) {
		this.ready.add(run);
		startRunner();
	}

	private void startRunner() {
		if (this.ready.isEmpty() || !this.starting.compareAndSet(false, true)) {
			// none waits, or the runner being started takes them
			return;
		}
		try {
			this.executor.execute(this::takeRuns);
		}
		catch (RuntimeException ex) {
			this.starting.set(false);
			RunningTask run;
			while ((run = this.ready.poll()) != null) {
				this.rejected.accept(run, ex);
			}
		}
	}

	private void takeRuns() {
		// from here on, a run added is seen by the poll below, or starts a runner of its own
		this.starting.set(false);
		RunningTask run;
		while ((run = this.ready.poll()) != null) {
			if (!this.ready.isEmpty()) {
				startRunner();
			}
			// an interrupt meant for an earlier run of this thread must not reach this one
			Thread.interrupted();
			this.runner.accept(run);
		}
	}

}
