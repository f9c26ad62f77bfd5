package io.sheppy.spring.listener;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.convert.DurationStyle;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskConfig;
import io.sheppy.spring.core.TaskSpec;
import io.sheppy.spring.core.TaskStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the outcome that {@link TaskProcessor} gives a run that exceeded its timeout.
 *
 * @author Sheppy for Spring
 */
class TaskProcessorTimeoutTests {

	private final TaskProcessor processor = new TaskProcessor("timeouts", Map.of());

	@ParameterizedTest
	@CsvSource({ "300ms, 0.3 seconds", "1s, 1 second", "1500ms, 1.5 seconds", "30s, 30 seconds", "2m, 120 seconds" })
	void theTimeoutRecordSaysHowLongTheTimeoutWasAsAPersonWouldWriteIt(String timeout, String said) {
		Task<Object> task = Task.builder(TaskSpec.of("timeouts:slow"))
			.config(TaskConfig.DEFAULT.withTimeout(DurationStyle.detectAndParse(timeout)))
			.build();

		Task<Object> outcome = this.processor.timedOut(task);

		assertThat(outcome.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(outcome.getException().type()).isEqualTo("TaskTimeoutException");
		assertThat(outcome.getException().message()).isEqualTo("Task exceeded timeout of " + said);
	}

}
