package io.sheppy.sample;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;

import io.sheppy.spring.backend.WaitTimeoutException;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.queue.TaskQueue;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.util.Assert;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Submits the {@link DemoTasks demo tasks} and shows their state. A submission answers {@code 202 Accepted} at once;
 * a worker runs the task in the background.
 */
@RestController
@RequestMapping("/tasks")
public class TaskController {

	static final int MAX_MESSAGE_LENGTH = 200;

	static final Duration MAX_WAIT = Duration.ofSeconds(30);

	private final TaskQueue taskQueue;

	TaskController(TaskQueue taskQueue) {
		this.taskQueue = taskQueue;
	}

	@PostMapping("/add")
	ResponseEntity<TaskView> add(@RequestParam int x, @RequestParam int y) {
		return submit(this.taskQueue.task(DemoTasks::add, x, y));
	}

	@PostMapping("/fail")
	ResponseEntity<TaskView> fail(@RequestParam String message) {
		if (message.isBlank() || message.length() > MAX_MESSAGE_LENGTH) {
			throw badRequest("'message' must have 1 to " + MAX_MESSAGE_LENGTH + " characters, but had "
					+ message.length());
		}
		return submit(this.taskQueue.task(DemoTasks::fail, message));
	}

	@PostMapping("/slow")
	ResponseEntity<TaskView> slow(@RequestParam int seconds) {
		if (seconds < 0 || seconds > DemoTasks.MAX_SLOW_SECONDS) {
			throw badRequest("'seconds' must be between 0 and " + DemoTasks.MAX_SLOW_SECONDS + ", but was " + seconds);
		}
		return submit(this.taskQueue.task(DemoTasks::slow, seconds));
	}

	/**
	 * Answer {@code 405} with a hint, rather than take {@code add} for a task id, when a submission comes as a GET.
	 */
	@GetMapping({ "/add", "/fail", "/slow" })
	void submitWithGet(HttpServletRequest request) throws HttpRequestMethodNotSupportedException {
		String query = request.getQueryString();
		String url = request.getRequestURL() + ((query != null) ? "?" + query : "");
		HttpRequestMethodNotSupportedException ex = new HttpRequestMethodNotSupportedException("GET", List.of("POST"));
		ex.getBody().setDetail("Tasks are submitted with POST: curl -X POST '" + url + "'");
		throw ex;
	}

	@GetMapping("/{id}")
	TaskView get(@PathVariable UUID id) {
		return TaskView.of(find(id));
	}

	/**
	 * Answer the task once it has finished ({@code 200}), or its current state when the timeout passed first
	 * ({@code 202}).
	 */
	@GetMapping("/{id}/wait")
	ResponseEntity<TaskView> waitFor(@PathVariable UUID id, @RequestParam(defaultValue = "5s") String timeout) {
		Duration wait = parseTimeout(timeout);
		Task<Object> task = find(id);
		try {
			Task<Object> finished = this.taskQueue.waitFor(task, wait);
			Assert.state(finished != null, "A wait with a timeout returns a finished task or fails");
			return ResponseEntity.ok(TaskView.of(finished));
		}
		catch (WaitTimeoutException ex) {
			return ResponseEntity.accepted().body(TaskView.of(find(id)));
		}
	}

	private ResponseEntity<TaskView> submit(Task<?> task) {
		this.taskQueue.add(task);
		return ResponseEntity.accepted().location(URI.create("/tasks/" + task.getId())).body(TaskView.of(task));
	}

	private Task<Object> find(UUID id) {
		return this.taskQueue.getTask(id)
			.orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
					"No task " + id + " in queue '" + this.taskQueue.getName() + "'"));
	}

	private static Duration parseTimeout(String timeout) {
		Duration wait;
		try {
			wait = DurationStyle.detectAndParse(timeout);
		}
		catch (IllegalArgumentException ex) {
			throw badRequest("'timeout' must be a duration such as 5s or 500ms, but was '" + timeout + "'");
		}
		if (wait.isNegative() || wait.isZero() || wait.compareTo(MAX_WAIT) > 0) {
			throw badRequest("'timeout' must be more than 0 and at most " + MAX_WAIT.toSeconds() + "s, but was "
					+ timeout);
		}
		return wait;
	}

	private static ResponseStatusException badRequest(String message) {
		return new ResponseStatusException(HttpStatus.BAD_REQUEST, message);
	}

}
