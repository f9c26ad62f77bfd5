package io.sheppy.spring.listener;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.sheppy.spring.backend.TaskDelivery;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskSpec;

import org.springframework.core.task.TaskRejectedException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests of {@link RunDispatcher}: every run dispatched runs once, short runs share the threads that are awake, long
 * runs get a thread each, and runs that the executor refuses are handed over as rejected.
 *
 * @author Sheppy for Spring
 */
class RunDispatcherTests {

	@Test
	void runsOfABatchThatEndAtOnceAreTakenByOneRunnerAndOneSpare() {
		ManualExecutor executor = new ManualExecutor();
		List<RunningTask> ran = new ArrayList<>();
		RunDispatcher dispatcher = new RunDispatcher(ran::add, RunDispatcherTests::unexpected);
		dispatcher.setExecutor(executor);
		List<RunningTask> runs = runs(100);

		runs.forEach(dispatcher::dispatch);
		assertThat(executor.submitted()).as("runners handed to the executor while the first one did not start")
			.isEqualTo(1);
		executor.runNext();

		assertThat(ran).containsExactlyElementsOf(runs);
		// the first runner started a second one when it took its first run; that one finds nothing left
		assertThat(executor.submitted()).isEqualTo(2);
		executor.runNext();
		assertThat(ran).hasSize(100);
	}

	@Test
	void runsThatLastGetAThreadEach() throws InterruptedException {
		ExecutorService threads = Executors.newCachedThreadPool();
		CountDownLatch release = new CountDownLatch(1);
		Set<Thread> running = ConcurrentHashMap.newKeySet();
		RunDispatcher dispatcher = new RunDispatcher((run) -> {
			running.add(Thread.currentThread());
			awaitQuietly(release);
		}, RunDispatcherTests::unexpected);
		dispatcher.setExecutor(threads);
		try {
			runs(20).forEach(dispatcher::dispatch);

			await().atMost(Duration.ofSeconds(10)).until(() -> running.size() == 20);
		}
		finally {
			release.countDown();
			threads.shutdown();
			assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		}
	}

	@Test
	void everyRunDispatchedFromManyThreadsRunsOnce() throws InterruptedException {
		ExecutorService threads = Executors.newFixedThreadPool(8);
		Map<RunningTask, AtomicInteger> ran = new ConcurrentHashMap<>();
		RunDispatcher dispatcher = new RunDispatcher(
				(run) -> ran.computeIfAbsent(run, (key) -> new AtomicInteger()).incrementAndGet(),
				RunDispatcherTests::unexpected);
		dispatcher.setExecutor(threads);
		List<RunningTask> runs = runs(40_000);
		List<Thread> dispatching = new ArrayList<>();
		for (int t = 0; t < 4; t++) {
			List<RunningTask> share = runs.subList(t * 10_000, (t + 1) * 10_000);
			Thread thread = new Thread(() -> share.forEach(dispatcher::dispatch));
			dispatching.add(thread);
			thread.start();
		}
		try {
			for (Thread thread : dispatching) {
				thread.join();
			}

			await().atMost(Duration.ofSeconds(20)).until(() -> ran.size() == runs.size());
			assertThat(ran.values()).allSatisfy((count) -> assertThat(count).hasValue(1));
		}
		finally {
			threads.shutdown();
		}
	}

	@Test
	void aRunDoesNotInheritTheInterruptOfTheRunBeforeItOnTheSameThread() {
		ManualExecutor executor = new ManualExecutor();
		List<Boolean> interrupted = new ArrayList<>();
		RunDispatcher dispatcher = new RunDispatcher((run) -> {
			interrupted.add(Thread.currentThread().isInterrupted());
			Thread.currentThread().interrupt();
		}, RunDispatcherTests::unexpected);
		dispatcher.setExecutor(executor);
		runs(3).forEach(dispatcher::dispatch);

		executor.runNext();
		boolean left = Thread.interrupted();

		assertThat(interrupted).containsExactly(false, false, false);
		assertThat(left).as("interrupt left by the last run").isTrue();
	}

	@Test
	void runsThatTheExecutorRefusesAreRejectedAndLaterRunsStartAgain() {
		List<RunningTask> rejected = new ArrayList<>();
		List<Exception> reasons = new ArrayList<>();
		List<RunningTask> ran = new ArrayList<>();
		RunDispatcher dispatcher = new RunDispatcher(ran::add, (run, ex) -> {
			rejected.add(run);
			reasons.add(ex);
		});
		dispatcher.setExecutor((runnable) -> {
			throw new TaskRejectedException("Executor is shut down");
		});
		List<RunningTask> refused = runs(2);
		refused.forEach(dispatcher::dispatch);
		ManualExecutor executor = new ManualExecutor();
		dispatcher.setExecutor(executor);
		RunningTask later = runs(1).get(0);

		dispatcher.dispatch(later);
		executor.runNext();

		assertThat(rejected).containsExactlyElementsOf(refused);
		assertThat(reasons).hasSize(2).allSatisfy((ex) -> assertThat(ex).hasMessage("Executor is shut down"));
		assertThat(ran).containsExactly(later);
	}

	private static List<RunningTask> runs(int count) {
		List<RunningTask> runs = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			Task<Object> task = Task.builder(TaskSpec.of("tests:run", i)).build();
			runs.add(new RunningTask(new TaskDelivery(task, "1-" + i)));
		}
		return runs;
	}

	private static void unexpected(RunningTask run, RuntimeException ex) {
		throw new AssertionError("Run " + run.task().getId() + " was rejected", ex);
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * An executor that keeps what it is given until the test runs it, on the test's thread.
	 */
	private static final class ManualExecutor implements Executor {

		private final Queue<Runnable> queued = new ArrayDeque<>();

		private int submitted;

		@Override
		public void execute(Runnable command) {
			this.submitted++;
			this.queued.add(command);
		}

		int submitted() {
			return this.submitted;
		}

		void runNext() {
			this.queued.remove().run();
		}

	}

}
