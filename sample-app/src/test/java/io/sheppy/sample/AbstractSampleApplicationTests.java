package io.sheppy.sample;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests of the sample application over HTTP, as a user would call it: the same tests for each backend, which the
 * subclasses choose.
 */
abstract class AbstractSampleApplicationTests {

	@LocalServerPort
	int port;

	private RestClient client;

	@BeforeEach
	void createClient() {
		this.client = RestClient.builder()
			.baseUrl("http://localhost:" + this.port)
			.defaultStatusHandler((status) -> true, (request, response) -> {
			})
			.build();
	}

	@Test
	void addTaskCompletesWithTheSum() {
		Answer submitted = post("/tasks/add?x=1&y=2");
		assertThat(submitted.status()).isEqualTo(HttpStatus.ACCEPTED);
		assertThat(submitted.body().path("name").asString()).isEqualTo("demo:add");
		assertThat(submitted.body().path("queue").asString()).isEqualTo("demo");
		assertThat(submitted.body().path("status").asString()).isEqualTo("new");
		assertThat(submitted.body().path("args")).hasToString("[1,2]");
		String id = submitted.body().path("id").asString();
		assertThat(submitted.body().path("links").path("self").asString()).isEqualTo("/tasks/" + id);
		assertThat(submitted.headers().getLocation()).hasToString("/tasks/" + id);

		JsonNode task = awaitFinished(id);
		assertThat(task.path("status").asString()).isEqualTo("completed");
		assertThat(task.path("result").asInt()).isEqualTo(3);
		assertThat(task.path("exception").isNull()).isTrue();
		assertThat(task.path("retryCount").asInt()).isZero();
		assertThat(Instant.parse(task.path("finishedAt").asString()))
			.isAfterOrEqualTo(Instant.parse(task.path("createdAt").asString()));
	}

	@Test
	void failTaskFailsWithTheMessage() {
		String id = submit("/tasks/fail?message=boom");
		JsonNode task = awaitFinished(id);
		assertThat(task.path("status").asString()).isEqualTo("failed");
		assertThat(task.path("result").isNull()).isTrue();
		assertThat(task.path("exception").path("type").asString()).isEqualTo("IllegalStateException");
		assertThat(task.path("exception").path("message").asString()).isEqualTo("boom");
	}

	@Test
	void addTaskThatOverflowsFails() {
		JsonNode task = awaitFinished(submit("/tasks/add?x=2147483647&y=1"));
		assertThat(task.path("status").asString()).isEqualTo("failed");
		assertThat(task.path("exception").path("type").asString()).isEqualTo("ArithmeticException");
	}

	@Test
	void slowTaskCompletesAfterItsWork() {
		String id = submit("/tasks/slow?seconds=1");
		JsonNode task = awaitFinished(id);
		assertThat(task.path("status").asString()).isEqualTo("completed");
		assertThat(task.path("result").asString()).isEqualTo("Worked for 1 s");
		Duration took = Duration.between(Instant.parse(task.path("createdAt").asString()),
				Instant.parse(task.path("finishedAt").asString()));
		assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void waitAnswersTheFinishedTask() {
		String id = submit("/tasks/add?x=20&y=22");
		Answer answer = get("/tasks/" + id + "/wait?timeout=10s");
		assertThat(answer.status()).isEqualTo(HttpStatus.OK);
		assertThat(answer.body().path("status").asString()).isEqualTo("completed");
		assertThat(answer.body().path("result").asInt()).isEqualTo(42);
	}

	@Test
	void waitAnswersTheCurrentStateWhenTheTimeoutPassesFirst() {
		String id = submit("/tasks/slow?seconds=3");
		Answer answer = get("/tasks/" + id + "/wait?timeout=200ms");
		assertThat(answer.status()).isEqualTo(HttpStatus.ACCEPTED);
		assertThat(answer.body().path("id").asString()).isEqualTo(id);
		assertThat(answer.body().path("finished").asBoolean()).isFalse();
		assertThat(answer.body().path("status").asString()).isIn("new", "pending", "processing");
	}

	@Test
	void unknownTaskIsNotFound() {
		Answer answer = get("/tasks/00000000-0000-0000-0000-000000000000");
		assertThat(answer.status()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(answer.body().path("detail").asString())
			.isEqualTo("No task 00000000-0000-0000-0000-000000000000 in queue 'demo'");
	}

	@Test
	void badNumbersAreRejectedWithAClearMessage() {
		assertBadRequest(post("/tasks/add?x=abc&y=2"),
				"'x' must be a whole number between -2147483648 and 2147483647, but was 'abc'");
		assertBadRequest(post("/tasks/add?x=1&y=99999999999"),
				"'y' must be a whole number between -2147483648 and 2147483647, but was '99999999999'");
		assertBadRequest(post("/tasks/add?x=1"), "Required parameter 'y' is not present.");
		assertBadRequest(post("/tasks/slow?seconds=99"), "'seconds' must be between 0 and 10, but was 99");
		assertBadRequest(post("/tasks/slow?seconds=-1"), "'seconds' must be between 0 and 10, but was -1");
	}

	@Test
	void otherBadInputIsRejectedWithAClearMessage() {
		assertBadRequest(post("/tasks/fail?message="), "'message' must have 1 to 200 characters, but had 0");
		assertBadRequest(get("/tasks/not-a-task-id"), "'id' must be a task id (a UUID), but was 'not-a-task-id'");
		assertBadRequest(get("/tasks/00000000-0000-0000-0000-000000000000/wait?timeout=soon"),
				"'timeout' must be a duration such as 5s or 500ms, but was 'soon'");
		assertBadRequest(get("/tasks/00000000-0000-0000-0000-000000000000/wait?timeout=1h"),
				"'timeout' must be more than 0 and at most 30s, but was 1h");
	}

	@Test
	void submittingWithGetSaysToUsePost() {
		Answer answer = get("/tasks/add?x=1&y=2");
		assertThat(answer.status()).isEqualTo(HttpStatus.METHOD_NOT_ALLOWED);
		assertThat(answer.headers().getAllow()).extracting(Object::toString).containsExactly("POST");
		assertThat(answer.body().path("detail").asString()).isEqualTo(
				"Tasks are submitted with POST: curl -X POST 'http://localhost:" + this.port + "/tasks/add?x=1&y=2'");
	}

	@Test
	void queuesListTheDemoQueueWithItsCounts() {
		awaitFinished(submit("/tasks/add?x=1&y=1"));
		Answer answer = get("/queues");
		assertThat(answer.status()).isEqualTo(HttpStatus.OK);
		JsonNode demo = null;
		for (JsonNode queue : answer.body()) {
			if (queue.path("name").asString().equals("demo")) {
				demo = queue;
			}
		}
		assertThat(demo).as("queue 'demo' in %s", answer.body()).isNotNull();
		assertThat(demo.path("completed").asLong()).isPositive();
		assertThat(demo.has("pending")).isTrue();
		assertThat(demo.has("scheduled")).isTrue();
	}

	@Test
	void indexPageOffersTheThreeTasks() {
		String page = this.client.get().uri("/").retrieve().body(String.class);
		assertThat(page).contains("<title>Sheppy sample</title>", "add?x=1&y=2", "fail?message=boom",
				"slow?seconds=3");
	}

	String submit(String uri) {
		Answer answer = post(uri);
		assertThat(answer.status()).as("POST %s: %s", uri, answer.body()).isEqualTo(HttpStatus.ACCEPTED);
		return answer.body().path("id").asString();
	}

	JsonNode awaitFinished(String id) {
		return await().atMost(Duration.ofSeconds(20)).until(() -> get("/tasks/" + id), (answer) -> {
			assertThat(answer.status()).as("GET /tasks/%s: %s", id, answer.body()).isEqualTo(HttpStatus.OK);
			return answer.body().path("finished").asBoolean();
		}).body();
	}

	Answer post(String uri) {
		return this.client.post().uri(uri).exchange((request, response) -> new Answer(response.getStatusCode(),
				response.getHeaders(), response.bodyTo(JsonNode.class)));
	}

	Answer get(String uri) {
		return this.client.get().uri(uri).exchange((request, response) -> new Answer(response.getStatusCode(),
				response.getHeaders(), response.bodyTo(JsonNode.class)));
	}

	private static void assertBadRequest(Answer answer, String detail) {
		assertThat(answer.status()).as("%s", answer.body()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(answer.headers().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(answer.body().path("detail").asString()).isEqualTo(detail);
	}

	/**
	 * An HTTP answer with a JSON body.
	 */
	record Answer(HttpStatusCode status, HttpHeaders headers, JsonNode body) {

	}

}
