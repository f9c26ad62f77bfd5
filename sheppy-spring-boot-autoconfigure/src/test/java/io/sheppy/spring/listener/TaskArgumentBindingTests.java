package io.sheppy.spring.listener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;

import io.sheppy.spring.test.redis.RedisServerTestConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.annotation.DirtiesContext;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.config.TaskEndpointRegistry;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskException;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.listener.TaskArgumentBindingTests.BindingTasks.Offset;
import io.sheppy.spring.queue.TaskBuilder;
import io.sheppy.spring.queue.TaskQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End-to-end tests of how a worker binds a task's arguments to the parameters of its {@code @SheppyTask} method, as
 * Python binds a call: positional arguments, keyword arguments by parameter name, JSON values converted to the
 * parameter types. Arguments that do not bind fail the task with a specific record and never stop the worker.
 *
 * @author Sheppy for Spring
 */
@SpringBootTest(classes = TaskArgumentBindingTests.WorkerApplication.class, properties = "sheppy.queue=binding")
@DirtiesContext
class TaskArgumentBindingTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@Autowired
	private TaskQueue taskQueue;

	@Autowired
	private TaskEndpointRegistry registry;

	@Autowired
	private StringRedisTemplate redisTemplate;

	@Test
	void theTestTasksAreCompiledWithParameterNames() throws NoSuchMethodException {
		assertThat(BindingTasks.class.getDeclaredMethod("subtract", int.class, int.class).getParameters())
			.allMatch(java.lang.reflect.Parameter::isNamePresent);
	}

	@Test
	void positionalArgumentsBindInOrder() {
		assertThat(run(byName("bind:subtract").args(10, 4).resultType(Integer.class)).getResult()).isEqualTo(6);
	}

	@Test
	void keywordArgumentsBindByParameterName() {
		Task<Integer> done = run(byName("bind:subtract").kwarg("y", 4).kwarg("x", 10).resultType(Integer.class));

		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(done.getResult()).isEqualTo(6);
	}

	@Test
	void positionalAndKeywordArgumentsBindTogether() {
		assertThat(run(byName("bind:subtract").args(10).kwarg("y", 4).resultType(Integer.class)).getResult())
			.isEqualTo(6);
	}

	@Test
	void primitivesAndStringsBind() {
		Task<String> done = run(byName("bind:describe").args(7, 2.5, true, "box").resultType(String.class));

		assertThat(done.getResult()).isEqualTo("long 7, double 2.5, boolean true, String box");
	}

	@Test
	void recordsAndPojosBind() {
		Offset offset = new Offset();
		offset.setDx(10);
		offset.setDy(20);
		Task<Point> task = this.taskQueue.task(BindingTasks::shift, new Point(1, 2), offset);

		assertThat(run(task).getResult()).isEqualTo(new Point(11, 22));
	}

	@Test
	void genericCollectionsBindWithTheirElementTypes() {
		Task<String> task = this.taskQueue.task(BindingTasks::collections, List.of(new Point(1, 2), new Point(3, 4)),
				Map.of("odd", List.of(1, 3), "even", List.of(2)), Set.of("a"));

		assertThat(run(task).getResult()).isEqualTo("points 4, numbers 6, tags [a]");
	}

	@Test
	void aParameterWhoseTypeIsAVariableOfTheBeanClassBindsToTheResolvedType() {
		Task<String> done = run(byName("bind:echo-point").args(Map.of("x", 1, "y", 2)).resultType(String.class));

		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(done.getResult()).isEqualTo("Point[x=1, y=2]");
	}

	@Test
	void aResultWhoseTypeIsAVariableOfTheBeanClassIsReadAsTheResolvedType() {
		Task<Point> task = this.taskQueue.task(PointEchoTasks::identity, new Point(3, 4));

		assertThat(run(task).getResult()).isEqualTo(new Point(3, 4));
	}

	@Test
	void anAbsentOptionalKeywordArgumentIsEmpty() {
		assertThat(run(byName("bind:greet").kwarg("name", "Ada").resultType(String.class)).getResult())
			.isEqualTo("Ada");
		assertThat(run(byName("bind:greet").kwarg("name", "Ada").kwarg("title", "Dr").resultType(String.class))
			.getResult()).isEqualTo("Dr Ada");
		assertThat(run(byName("bind:greet").args("Ada", null).resultType(String.class)).getResult()).isEqualTo("Ada");
	}

	@Test
	void nullBindsToAReferenceType() {
		Task<String> done = run(byName("bind:nullable").args(null, null).resultType(String.class));

		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(done.getResult()).isEqualTo("text null, point null");
	}

	@Test
	void theRunningTaskIsInjectedIntoATaskParameter() {
		Task<String> task = this.taskQueue.task(BindingTasks::self, null, "!");

		assertThat(run(task).getResult()).isEqualTo(task.getId() + " bind:self !");
	}

	@Test
	void nullForAPrimitiveFailsTheTask() {
		TaskException exception = failed(byName("bind:subtract").args(null, 1));

		assertThat(exception.message()).isEqualTo("Task 'bind:subtract' got null for argument 'x' of type int");
	}

	@Test
	void aValueThatDoesNotBindFailsTheTask() {
		TaskException exception = failed(byName("bind:subtract").args("abc", 1));

		assertThat(exception.message()).startsWith("Task 'bind:subtract' got an argument 'x' that cannot be read as int")
			.contains("abc");
	}

	@Test
	void anObjectThatDoesNotBindToARecordFailsTheTask() {
		TaskException exception = failed(byName("bind:shift").args(Map.of("x", "left", "y", 2), Map.of()));

		assertThat(exception.message()).startsWith("Task 'bind:shift' got an argument 'point' that cannot be read as "
				+ Point.class.getName());
	}

	@Test
	void tooManyPositionalArgumentsFailTheTask() {
		TaskException exception = failed(byName("bind:subtract").args(1, 2, 3));

		assertThat(exception.message())
			.isEqualTo("Task 'bind:subtract' takes 2 arguments but 3 positional arguments were given");
	}

	@Test
	void aMissingArgumentFailsTheTask() {
		TaskException exception = failed(byName("bind:subtract").args(1));

		assertThat(exception.message())
			.isEqualTo("Task 'bind:subtract' is missing argument 'y' of subtract(int x, int y)");
	}

	@Test
	void anUnknownKeywordArgumentFailsTheTask() {
		TaskException exception = failed(byName("bind:subtract").args(1, 2).kwarg("z", 3));

		assertThat(exception.message())
			.isEqualTo("Task 'bind:subtract' got unexpected keyword argument [z] for subtract(int x, int y)");
	}

	@Test
	void aKeywordArgumentForAPositionalArgumentFailsTheTask() {
		TaskException exception = failed(byName("bind:subtract").args(1, 2).kwarg("x", 3));

		assertThat(exception.message()).isEqualTo("Task 'bind:subtract' got multiple values for argument 'x'");
	}

	@Test
	void anUnknownTaskNameFailsTheTaskWithARecordNamingIt() {
		Task<Object> done = run(byName("bind:nobody-knows").args(1));

		assertThat(done.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(done.getFinishedAt()).isNotNull();
		assertThat(done.getException()).isNotNull();
		assertThat(done.getException().message()).startsWith("No task named 'bind:nobody-knows'")
			.contains("queue 'binding'")
			.contains("bind:subtract");
	}

	@Test
	void aHundredBadTasksDoNotStopTheWorker() {
		List<Task<?>> bad = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			TaskBuilder<Object> builder = switch (i % 5) {
				case 0 -> byName("bind:nobody-knows");
				case 1 -> byName("bind:subtract").args(1, 2, 3);
				case 2 -> byName("bind:subtract").args(1).kwarg("z", 2);
				case 3 -> byName("bind:subtract").args("abc", 1);
				default -> byName("bind:subtract").args(null, 1);
			};
			bad.add(builder.build());
		}
		assertThat(this.taskQueue.add(bad)).containsOnly(true);
		// and an entry that holds no task at all
		this.redisTemplate.opsForStream()
			.add(StreamRecords.string(Map.of("data", "{not json")).withStreamKey("sheppy:pending:binding"));
		List<Task<Integer>> good = IntStream.range(0, 20)
			.mapToObj((i) -> this.taskQueue.task(BindingTasks::subtract, i, 1))
			.toList();
		this.taskQueue.add(good);

		Map<UUID, Task<?>> badDone = this.taskQueue.waitFor(bad, TIMEOUT);
		Map<UUID, Task<?>> goodDone = this.taskQueue.waitFor(good, TIMEOUT);

		assertThat(badDone.values()).hasSize(100).allSatisfy((task) -> {
			assertThat(task.getStatus()).isEqualTo(TaskStatus.FAILED);
			assertThat(task.getException()).isNotNull();
		});
		for (int i = 0; i < good.size(); i++) {
			Task<?> done = goodDone.get(good.get(i).getId());
			assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(done.getResult()).isEqualTo(i - 1);
		}
		assertThat(this.registry.getContainer("binding").isRunning()).isTrue();
		assertThat(Thread.getAllStackTraces().keySet())
			.anyMatch((thread) -> thread.getName().equals("sheppy-binding-reader") && thread.isAlive());
		assertThat(this.taskQueue.size()).isZero();
	}

	private TaskBuilder<Object> byName(String name) {
		return this.taskQueue.task(name);
	}

	private <R> Task<R> run(TaskBuilder<R> builder) {
		return run(builder.build());
	}

	private <R> Task<R> run(Task<R> task) {
		assertThat(this.taskQueue.add(task)).isTrue();
		return this.taskQueue.waitFor(task, TIMEOUT);
	}

	private TaskException failed(TaskBuilder<?> builder) {
		Task<?> done = run(builder.build());
		assertThat(done.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(done.getFinishedAt()).isNotNull();
		assertThat(done.getResult()).isNull();
		TaskException exception = done.getException();
		assertThat(exception).isNotNull();
		assertThat(exception.type()).isEqualTo(TaskArgumentException.class.getSimpleName());
		assertThat(exception.module()).isEqualTo(TaskArgumentException.class.getPackageName());
		assertThat(exception.args()).containsExactly(exception.message());
		return exception;
	}

	record Point(int x, int y) {
	}

	static class BindingTasks {

		@SheppyTask("bind:subtract")
		int subtract(int x, int y) {
			return x - y;
		}

		@SheppyTask("bind:describe")
		String describe(long count, double ratio, boolean flag, String label) {
			return "long " + count + ", double " + ratio + ", boolean " + flag + ", String " + label;
		}

		@SheppyTask("bind:shift")
		Point shift(Point point, Offset offset) {
			return new Point(point.x() + offset.getDx(), point.y() + offset.getDy());
		}

		@SheppyTask("bind:collections")
		String collections(List<Point> points, Map<String, List<Integer>> numbers, Set<String> tags) {
			int x = points.stream().mapToInt(Point::x).sum();
			int sum = numbers.values().stream().flatMap(List::stream).mapToInt(Integer::intValue).sum();
			return "points " + x + ", numbers " + sum + ", tags " + tags;
		}

		@SheppyTask("bind:greet")
		String greet(String name, Optional<String> title) {
			return title.map((value) -> value + " " + name).orElse(name);
		}

		@SheppyTask("bind:nullable")
		String nullable(String text, Point point) {
			return "text " + text + ", point " + point;
		}

		@SheppyTask("bind:self")
		String self(Task<?> task, String suffix) {
			return task.getId() + " " + task.getName() + " " + suffix;
		}

		/**
		 * A plain bean with a no-argument constructor and setters.
		 */
		static class Offset {

			private int dx;

			private int dy;

			public int getDx() {
				return this.dx;
			}

			public void setDx(int dx) {
				this.dx = dx;
			}

			public int getDy() {
				return this.dy;
			}

			public void setDy(int dy) {
				this.dy = dy;
			}

		}

	}

	abstract static class EchoTasks<T> {

		@SheppyTask("bind:echo-point")
		String echo(T value) {
			return value.toString();
		}

		@SheppyTask("bind:identity-point")
		T identity(T value) {
			return value;
		}

	}

	static class PointEchoTasks extends EchoTasks<Point> {

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ RedisServerTestConfiguration.class, BindingTasks.class, PointEchoTasks.class })
	static class WorkerApplication {

	}

}
