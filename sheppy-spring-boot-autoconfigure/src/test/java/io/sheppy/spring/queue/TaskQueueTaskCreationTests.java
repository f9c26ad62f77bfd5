package io.sheppy.spring.queue;

import java.lang.reflect.ParameterizedType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.junit.jupiter.api.Test;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.autoconfigure.SheppyAutoConfiguration;
import io.sheppy.spring.core.InvalidTaskException;
import io.sheppy.spring.core.RetryDelay;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskConfig;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.core.Ttl;
import io.sheppy.spring.queue.ShopTasks.Item;
import io.sheppy.spring.queue.ShopTasks.Reservation;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.core.ParameterizedTypeReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for how {@link TaskQueue} creates tasks: from method references (typed) and by name, with the application's
 * validator when it has one. Nothing here is run by a worker.
 *
 * @author Sheppy for Spring
 */
class TaskQueueTaskCreationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class,
				JacksonAutoConfiguration.class, SheppyAutoConfiguration.class))
		.withPropertyValues("sheppy.backend=memory", "sheppy.worker.enabled=false")
		.withBean(ShopTasks.class)
		.withBean(SignupTasks.class);

	@Test
	void createsATaskOfAMethodWithoutParameters() {
		withTaskQueue((taskQueue) -> {
			Task<String> task = taskQueue.task(ShopTasks::ping);
			assertThat(task.getName()).isEqualTo("shop:ping");
			assertThat(task.getQueue()).isEqualTo("default");
			assertThat(task.getSpec().args()).isEmpty();
			assertThat(task.getSpec().kwargs()).isEmpty();
			assertThat(task.getConfig()).isEqualTo(TaskConfig.DEFAULT);
			assertThat(task.getResultType()).isEqualTo(String.class);
			assertThat(task.getStatus()).isEqualTo(TaskStatus.NEW);
			assertThat(task.isFinished()).isFalse();
			assertThat(task.getId()).isNotEqualTo(taskQueue.task(ShopTasks::ping).getId());
		});
	}

	@Test
	void createsTasksOfVoidMethodsWithAVoidResult() {
		withTaskQueue((taskQueue) -> {
			Task<Void> none = taskQueue.task(ShopTasks::refresh);
			Task<Void> one = taskQueue.task(ShopTasks::log, "hello");
			Task<Void> two = taskQueue.task(ShopTasks::announce, "ada@example.com", "Hi");
			Task<Void> three = taskQueue.task(ShopTasks::audit, "ada", 3, new Item("apple", 4));
			assertThat(List.of(none, one, two, three)).extracting(Task::getName)
				.containsExactly("shop:refresh", "shop:log", "shop:announce", "shop:audit");
			assertThat(List.of(none, one, two, three)).allSatisfy((task) -> {
				assertThat(task.getResultType()).isEqualTo(Void.class);
				assertThat(task.getQueue()).isEqualTo("default");
			});
			assertThat(one.getSpec().args()).containsExactly("hello");
			assertThat(two.getSpec().args()).containsExactly("ada@example.com", "Hi");
			assertThat(three.getSpec().args()).containsExactly("ada", 3, Map.of("sku", "apple", "quantity", 4));
		});
	}

	@Test
	void createsATaskWithTheQueueAndConfigOfItsAnnotationAndARecordArgumentAsAMap() {
		withTaskQueue((taskQueue) -> {
			Task<Double> task = taskQueue.task(ShopTasks::price, new Item("apple", 4));
			assertThat(task.getName()).isEqualTo("shop:price");
			assertThat(task.getQueue()).isEqualTo("pricing");
			assertThat(task.getSpec().args()).containsExactly(Map.of("sku", "apple", "quantity", 4));
			assertThat(task.getConfig()).isEqualTo(TaskConfig.DEFAULT.withRetry(3)
				.withRetryDelay(RetryDelay.of(List.of(1.0, 10.0)))
				.withTimeout(Duration.ofSeconds(30))
				.withTtl(Ttl.ofSeconds(3600)));
			assertThat(task.getResultType()).isEqualTo(double.class);
		});
	}

	@Test
	void createsATaskOfAMethodWithTwoParametersAndARecordResult() {
		withTaskQueue((taskQueue) -> {
			Task<Reservation> task = taskQueue.task(ShopTasks::reserve, "apple", 2);
			assertThat(task.getName()).isEqualTo("shop:reserve");
			assertThat(task.getQueue()).isEqualTo("stock");
			assertThat(task.getSpec().args()).containsExactly("apple", 2);
			assertThat(task.getResultType()).isEqualTo(Reservation.class);
		});
	}

	@Test
	void createsATaskOfAMethodWithThreeParametersAndAGenericResult() {
		withTaskQueue((taskQueue) -> {
			Task<List<Item>> task = taskQueue.task(ShopTasks::split, new Item("apple", 6), 3, true);
			assertThat(task.getSpec().args()).containsExactly(Map.of("sku", "apple", "quantity", 6), 3, true);
			assertThat(task.getResultType()).isInstanceOfSatisfying(ParameterizedType.class, (type) -> {
				assertThat(type.getRawType()).isEqualTo(List.class);
				assertThat(type.getActualTypeArguments()).containsExactly(Item.class);
			});
		});
	}

	@Test
	void resolvesPlaceholdersInTheAnnotationOfATaskItCreates() {
		this.contextRunner.withBean(PlaceholderTasks.class)
			.withPropertyValues("reports.queue=reports", "reports.timeout=2m")
			.run((context) -> {
				Task<Void> task = context.getBean(TaskQueue.class).task(PlaceholderTasks::build, "monthly");
				assertThat(task.getName()).isEqualTo("reports:build");
				assertThat(task.getQueue()).isEqualTo("reports");
				assertThat(task.getConfig().timeoutDuration()).isEqualTo(Duration.ofMinutes(2));
			});
	}

	@Test
	void refusesALambda() {
		withTaskQueue((taskQueue) -> assertThatIllegalArgumentException()
			.isThrownBy(() -> taskQueue.task((TaskMethod.Of0<ShopTasks, String>) (tasks) -> tasks.ping()))
			.withMessageContaining("must be given as a reference to a bean method, such as EmailTasks::send")
			.withMessageContaining("not as a lambda"));
	}

	@Test
	void refusesAStaticMethod() {
		withTaskQueue((taskQueue) -> assertThatIllegalArgumentException()
			.isThrownBy(() -> taskQueue.task(ShopTasks::shout))
			.withMessageContaining("not as a lambda or a static method")
			.withMessageContaining(ShopTasks.class.getName() + ".shout"));
	}

	@Test
	void refusesAMethodReferenceBoundToAnInstance() {
		withTaskQueue((taskQueue) -> {
			ShopTasks shop = new ShopTasks();
			assertThatIllegalArgumentException().isThrownBy(() -> taskQueue.task(shop::reserve, 2))
				.withMessageContaining("ShopTasks::reserve")
				.withMessageContaining("not of an instance");
		});
	}

	@Test
	void refusesAMethodWithoutSheppyTaskNamingIt() {
		withTaskQueue((taskQueue) -> assertThatIllegalStateException()
			.isThrownBy(() -> taskQueue.task(ShopTasks::notATask, "value"))
			.withMessage("Method " + ShopTasks.class.getName()
					+ ".notATask(String) is not annotated with @SheppyTask"));
	}

	@Test
	void refusesAnArgumentThatCannotBeWrittenAsJson() {
		withTaskQueue((taskQueue) -> assertThatExceptionOfType(InvalidTaskException.class)
			.isThrownBy(() -> taskQueue.task("remote:job").args("fine", new Unwritable()))
			.withMessageContaining("Argument 1 of task 'remote:job' (a " + Unwritable.class.getName()
					+ ") cannot be written as JSON")
			.withMessageContaining("no value"));
	}

	@Test
	void refusesArgumentsThatViolateTheConstraintsOfTheParametersAndQueuesNothing() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
			.run((context) -> {
				TaskQueue taskQueue = context.getBean(TaskQueue.class);
				assertThatExceptionOfType(ConstraintViolationException.class)
					.isThrownBy(() -> taskQueue.add(taskQueue.task(SignupTasks::welcome, " ", 12)))
					.satisfies((ex) -> assertThat(ex.getConstraintViolations())
						.extracting((violation) -> violation.getPropertyPath().toString())
						.containsExactlyInAnyOrder("welcome.email", "welcome.age"));
				assertThatExceptionOfType(ConstraintViolationException.class)
					.isThrownBy(() -> taskQueue.add(taskQueue.task(SignupTasks::order, new Order("", 0))))
					.satisfies((ex) -> assertThat(ex.getConstraintViolations())
						.extracting((violation) -> violation.getPropertyPath().toString())
						.containsExactlyInAnyOrder("order.order.sku", "order.order.quantity"));
				assertThat(taskQueue.queue("signups").size()).isZero();
				assertThat(taskQueue.listQueues()).isEmpty();
				Task<String> valid = taskQueue.task(SignupTasks::welcome, "ada@example.com", 36);
				assertThat(taskQueue.add(valid)).isTrue();
				assertThat(taskQueue.queue("signups").size()).isOne();
			});
	}

	@Test
	void doesNotCheckConstraintsWithoutAValidator() {
		withTaskQueue((taskQueue) -> {
			Task<String> task = taskQueue.task(SignupTasks::welcome, " ", 12);
			assertThat(task.getSpec().args()).containsExactly(" ", 12);
			assertThat(taskQueue.add(task)).isTrue();
			assertThat(taskQueue.queue("signups").size()).isOne();
		});
	}

	@Test
	void buildsATaskByNameWithPositionalAndKeywordArguments() {
		withTaskQueue((taskQueue) -> {
			Task<Integer> task = taskQueue.task("fxtasks:add")
				.args(1, 2)
				.kwarg("round", true)
				.kwargs(Map.of("item", new Item("apple", 4)))
				.resultType(Integer.class)
				.build();
			assertThat(task.getName()).isEqualTo("fxtasks:add");
			assertThat(task.getSpec().args()).containsExactly(1, 2);
			assertThat(task.getSpec().kwargs()).containsExactly(Map.entry("round", true),
					Map.entry("item", Map.of("sku", "apple", "quantity", 4)));
			assertThat(task.getQueue()).isEqualTo("default");
			assertThat(task.getConfig()).isEqualTo(TaskConfig.DEFAULT);
			assertThat(task.getResultType()).isEqualTo(Integer.class);
			assertThat(task.getStatus()).isEqualTo(TaskStatus.NEW);
		});
	}

	@Test
	void buildsATaskByNameWithAConfigAGenericResultTypeAndAnotherQueue() {
		withTaskQueue((taskQueue) -> {
			TaskConfig config = TaskConfig.DEFAULT.withRetry(2).withTimeout(Duration.ofSeconds(5));
			Task<List<Item>> task = taskQueue.task("fxtasks:split")
				.config(config)
				.queue("python")
				.resultType(new ParameterizedTypeReference<List<Item>>() {
				})
				.build();
			assertThat(task.getConfig()).isEqualTo(config);
			assertThat(task.getQueue()).isEqualTo("python");
			assertThat(task.getResultType()).isEqualTo(new ParameterizedTypeReference<List<Item>>() {
			}.getType());
		});
	}

	@Test
	void buildsTasksByNameOnTheQueueOfTheView() {
		withTaskQueue((taskQueue) -> {
			TaskQueue other = taskQueue.queue("other");
			assertThat(other.getName()).isEqualTo("other");
			assertThat(other.task("remote:job").build().getQueue()).isEqualTo("other");
			assertThat(taskQueue.queue("other")).isSameAs(other);
			assertThat(other.queue("default")).isSameAs(taskQueue);
			assertThat(other.queue("third")).isSameAs(taskQueue.queue("third"));
		});
	}

	@Test
	void createsTasksOfAMethodInTheMethodsQueueWhicheverViewCreatesThem() {
		withTaskQueue((taskQueue) -> {
			assertThat(taskQueue.queue("other").task(ShopTasks::ping).getQueue()).isEqualTo("default");
			assertThat(taskQueue.queue("other").task(ShopTasks::reserve, "apple", 1).getQueue()).isEqualTo("stock");
		});
	}

	private void withTaskQueue(Consumer<TaskQueue> action) {
		this.contextRunner.run((context) -> action.accept(context.getBean(TaskQueue.class)));
	}

	static class SignupTasks {

		@SheppyTask(name = "signup:welcome", queue = "signups")
		String welcome(@NotBlank String email, @Min(18) int age) {
			return "Welcome, " + email;
		}

		@SheppyTask(name = "signup:order", queue = "signups")
		void order(@Valid Order order) {
		}

	}

	record Order(@NotBlank String sku, @Min(1) int quantity) {
	}

	static class Unwritable {

		public String getValue() {
			throw new IllegalStateException("no value");
		}

	}

	static class PlaceholderTasks {

		@SheppyTask(name = "reports:build", queue = "${reports.queue}", timeout = "${reports.timeout}")
		void build(String period) {
		}

	}

}
