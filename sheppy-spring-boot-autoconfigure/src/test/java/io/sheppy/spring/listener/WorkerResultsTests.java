package io.sheppy.spring.listener;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.sheppy.spring.test.redis.RedisServerTestConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskException;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.queue.TaskQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End-to-end tests of a worker on a real Redis: {@code @SheppyTask} beans of a Spring Boot application run the tasks
 * that its {@link TaskQueue} adds, and {@link TaskQueue#waitFor} returns their typed results or failures.
 *
 * @author Sheppy for Spring
 */
@SpringBootTest(classes = WorkerResultsTests.WorkerApplication.class, properties = "sheppy.queue=results")
@DirtiesContext
class WorkerResultsTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@Autowired
	private TaskQueue taskQueue;

	@BeforeEach
	void reset() {
		ResultTasks.remembered.clear();
		ResultTasks.explosions.set(0);
	}

	@Test
	void aTaskReturningAnIntCompletesWithItsResult() {
		Task<Integer> task = this.taskQueue.task(ResultTasks::add, 2, 3);

		assertThat(this.taskQueue.add(task)).isTrue();
		Task<Integer> done = this.taskQueue.waitFor(task, TIMEOUT);

		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(done.getResult()).isEqualTo(5);
		assertThat(done.getException()).isNull();
		assertThat(done.getFinishedAt()).isNotNull();
		assertThat(done.getId()).isEqualTo(task.getId());
	}

	@Test
	void aTaskReturningAStringCompletesWithItsResult() {
		Task<String> task = this.taskQueue.task(ResultTasks::greet, "Ada");

		this.taskQueue.add(task);

		assertThat(this.taskQueue.waitFor(task, TIMEOUT).getResult()).isEqualTo("Hello, Ada!");
	}

	@Test
	void aTaskReturningARecordCompletesWithTheRecord() {
		Task<Point> task = this.taskQueue.task(ResultTasks::midpoint, new Point(0, 0), new Point(4, 6));

		this.taskQueue.add(task);

		assertThat(this.taskQueue.waitFor(task, TIMEOUT).getResult()).isEqualTo(new Point(2, 3));
	}

	@Test
	void aTaskReturningAListOfRecordsCompletesWithTheRecords() {
		Task<List<Point>> task = this.taskQueue.task(ResultTasks::diagonal, 3);

		this.taskQueue.add(task);

		assertThat(this.taskQueue.waitFor(task, TIMEOUT).getResult()).containsExactly(new Point(0, 0),
				new Point(1, 1), new Point(2, 2));
	}

	@Test
	void aTaskReturningAMapCompletesWithTheMap() {
		Task<Map<String, Integer>> task = this.taskQueue.task(ResultTasks::lengths, List.of("a", "bb", "ccc"));

		this.taskQueue.add(task);

		assertThat(this.taskQueue.waitFor(task, TIMEOUT).getResult()).containsExactly(Map.entry("a", 1),
				Map.entry("bb", 2), Map.entry("ccc", 3));
	}

	@Test
	void aVoidTaskCompletesWithANullResult() {
		Task<Void> task = this.taskQueue.task(ResultTasks::remember, "milk");

		this.taskQueue.add(task);
		Task<Void> done = this.taskQueue.waitFor(task, TIMEOUT);

		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(done.getResult()).isNull();
		assertThat(ResultTasks.remembered).containsExactly("milk");
	}

	@Test
	void aTaskReturningACompletableFutureCompletesWithTheFuturesValue() {
		// the task is typed by the method's return type, but its stored and awaited result is the future's value
		Task<?> task = this.taskQueue.task(ResultTasks::shout, "hey");

		this.taskQueue.add(task);
		Task<?> done = this.taskQueue.waitFor(task, TIMEOUT);

		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(done.getResultType()).isEqualTo(String.class);
		Object result = done.getResult();
		assertThat(result).isEqualTo("HEY");
	}

	@Test
	void aTaskReturningACompletableFutureOfARecordCompletesWithTheRecord() {
		Task<?> task = this.taskQueue.task(ResultTasks::farthest, List.of(new Point(1, 1), new Point(5, 2)));

		this.taskQueue.add(task);
		Object result = this.taskQueue.waitFor(task, TIMEOUT).getResult();

		assertThat(result).isEqualTo(new Point(5, 2));
	}

	@Test
	void aFailingTaskIsFailedWithTheRecordOfItsExceptionAfterOneAttempt() {
		Task<Integer> task = this.taskQueue.task(ResultTasks::explode, "now");

		this.taskQueue.add(task);
		Task<Integer> done = this.taskQueue.waitFor(task, TIMEOUT);

		assertThat(done.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(done.getResult()).isNull();
		assertThat(done.getFinishedAt()).isNotNull();
		assertThat(done.getRetryCount()).isZero();
		TaskException exception = done.getException();
		assertThat(exception).isNotNull();
		assertThat(exception.type()).isEqualTo("IllegalArgumentException");
		assertThat(exception.module()).isEqualTo("java.lang");
		assertThat(exception.message()).isEqualTo("cannot explode now");
		assertThat(exception.args()).containsExactly("cannot explode now");
		assertThat(exception.traceback()).startsWith("java.lang.IllegalArgumentException: cannot explode now")
			.contains(ResultTasks.class.getName() + ".explode(");
		assertThat(ResultTasks.explosions).hasValue(1);
		assertThat(this.taskQueue.getStats().pending()).isZero();
		assertThat(this.taskQueue.getStats().scheduled()).isZero();
	}

	@Test
	void aFailingTaskWithACheckedExceptionRecordsItsPackage() {
		Task<String> task = this.taskQueue.task(ResultTasks::read, "missing.txt");

		this.taskQueue.add(task);
		TaskException exception = this.taskQueue.waitFor(task, TIMEOUT).getException();

		assertThat(exception).isNotNull();
		assertThat(exception.type()).isEqualTo("FileNotFoundException");
		assertThat(exception.module()).isEqualTo("java.io");
		assertThat(exception.message()).isEqualTo("missing.txt");
	}

	@Test
	void aTaskThatThrowsAnErrorIsFailedWithItsRecord() {
		Task<Integer> task = this.taskQueue.task(ResultTasks::assertPositive, -1);

		this.taskQueue.add(task);
		Task<Integer> done = this.taskQueue.waitFor(task, TIMEOUT);

		assertThat(done.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(done.getException()).isNotNull();
		assertThat(done.getException().type()).isEqualTo("AssertionError");
		assertThat(done.getException().module()).isEqualTo("java.lang");
		assertThat(done.getException().message()).isEqualTo("-1 is not positive");
	}

	@Test
	void aTaskWhoseResultCannotBeWrittenAsJsonIsFailedWithARecordThatSaysSo() {
		Task<Unwritable> task = this.taskQueue.task(ResultTasks::unwritable, "x");

		this.taskQueue.add(task);
		Task<Unwritable> done = this.taskQueue.waitFor(task, TIMEOUT);

		assertThat(done.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(done.getResult()).isNull();
		assertThat(done.getException()).isNotNull();
		assertThat(done.getException().type()).isEqualTo("ResultSerializationException");
		assertThat(done.getException().message()).contains("cannot be written as JSON").contains("no value for x");
	}

	@Test
	void aBatchOfAThousandTasksAddedAtOnceAllCompleteWithTheirResults() {
		List<Task<Long>> tasks = IntStream.range(0, 1000)
			.mapToObj((i) -> this.taskQueue.task(ResultTasks::square, (long) i))
			.toList();

		assertThat(this.taskQueue.add(tasks)).hasSize(1000).containsOnly(true);
		Map<UUID, Task<?>> done = this.taskQueue.waitFor(tasks, Duration.ofSeconds(30));

		assertThat(done).hasSize(1000);
		for (int i = 0; i < tasks.size(); i++) {
			Task<?> finished = done.get(tasks.get(i).getId());
			assertThat(finished.getStatus()).as("status of task %d", i).isEqualTo(TaskStatus.COMPLETED);
			assertThat(finished.getResult()).as("result of task %d", i).isEqualTo((long) i * i);
		}
		assertThat(this.taskQueue.size()).isZero();
	}

	record Point(int x, int y) {
	}

	static class Unwritable {

		private final String name;

		Unwritable(String name) {
			this.name = name;
		}

		public String getValue() {
			throw new IllegalStateException("no value for " + this.name);
		}

	}

	static class ResultTasks {

		static final List<String> remembered = new CopyOnWriteArrayList<>();

		static final AtomicInteger explosions = new AtomicInteger();

		@SheppyTask
		int add(int a, int b) {
			return a + b;
		}

		@SheppyTask
		String greet(String name) {
			return "Hello, " + name + "!";
		}

		@SheppyTask
		Point midpoint(Point a, Point b) {
			return new Point((a.x() + b.x()) / 2, (a.y() + b.y()) / 2);
		}

		@SheppyTask
		List<Point> diagonal(int length) {
			return IntStream.range(0, length).mapToObj((i) -> new Point(i, i)).toList();
		}

		@SheppyTask
		Map<String, Integer> lengths(List<String> words) {
			Map<String, Integer> lengths = new java.util.LinkedHashMap<>();
			words.forEach((word) -> lengths.put(word, word.length()));
			return lengths;
		}

		@SheppyTask
		void remember(String value) {
			remembered.add(value);
		}

		@SheppyTask
		CompletableFuture<String> shout(String text) {
			return CompletableFuture.supplyAsync(text::toUpperCase);
		}

		@SheppyTask
		CompletableFuture<Point> farthest(List<Point> points) {
			return CompletableFuture.supplyAsync(() -> points.stream()
				.max(java.util.Comparator.comparingInt((point) -> point.x() * point.x() + point.y() * point.y()))
				.orElseThrow());
		}

		@SheppyTask
		int explode(String when) {
			explosions.incrementAndGet();
			throw new IllegalArgumentException("cannot explode " + when);
		}

		@SheppyTask
		String read(String file) throws java.io.IOException {
			throw new java.io.FileNotFoundException(file);
		}

		@SheppyTask
		int assertPositive(int value) {
			if (value <= 0) {
				throw new AssertionError(value + " is not positive");
			}
			return value;
		}

		@SheppyTask
		Unwritable unwritable(String name) {
			return new Unwritable(name);
		}

		@SheppyTask
		long square(long value) {
			return value * value;
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ RedisServerTestConfiguration.class, ResultTasks.class })
	static class WorkerApplication {

	}

}
