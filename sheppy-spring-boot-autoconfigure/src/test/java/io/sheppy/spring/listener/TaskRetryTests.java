package io.sheppy.spring.listener;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.sheppy.spring.test.redis.RedisServerTestConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.test.annotation.DirtiesContext;

import io.sheppy.spring.annotation.Backoff;
import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.backend.WaitTimeoutException;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskException;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.queue.TaskQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end tests of retries on a real Redis: a failed run with retries left waits as {@code retrying} in the schedule
 * for the delay of its retry and runs again; {@code retry = N} gives {@code N + 1} attempts, the k-th retry waits the
 * k-th delay of the list, and which exceptions are retried is the method's choice.
 *
 * @author Sheppy for Spring
 */
@SpringBootTest(classes = TaskRetryTests.WorkerApplication.class,
		properties = { "sheppy.queue=" + TaskRetryTests.QUEUE, "sheppy.worker.poll-timeout=250ms" })
@DirtiesContext
class TaskRetryTests {

	static final String QUEUE = "retries";

	static final String HAND_OVER_QUEUE = "retries-hand-over";

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final JsonMapper mapper = JsonMapper.builder().build();

	/**
	 * Counts, in one atomic step, the tasks whose records have not finished and the places a task can be in: the
	 * entries of the pending stream and the members of the schedule.
	 */
	private static final RedisScript<List> PLACES = RedisScript.of("""
			local unfinished = 0
			for i = 3, #KEYS do
				local json = redis.call('GET', KEYS[i])
				if json then
					local finished = cjson.decode(json)['finished_at']
					if finished == nil or finished == cjson.null then
						unfinished = unfinished + 1
					end
				end
			end
			return { unfinished, redis.call('XLEN', KEYS[1]), redis.call('ZCARD', KEYS[2]) }
			""", List.class);

	@Autowired
	private TaskQueue taskQueue;

	@Autowired
	private StringRedisTemplate redis;

	@BeforeEach
	void reset() {
		this.taskQueue.clear();
		Flaky.attempts.clear();
	}

	@Test
	void aTaskWithOneRetryThatAlwaysFailsRunsTwiceAndFailsWithTheLastException() {
		Task<Void> task = this.taskQueue.task(Flaky::alwaysFails, null, "no luck");

		this.taskQueue.add(task);
		Task<Void> failed = this.taskQueue.waitFor(task, TIMEOUT);

		assertThat(failed.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(failed.getRetryCount()).isEqualTo(1);
		assertThat(failed.getFinishedAt()).isNotNull();
		TaskException exception = failed.getException();
		assertThat(exception).isNotNull();
		assertThat(exception.type()).isEqualTo("IllegalStateException");
		assertThat(exception.module()).isEqualTo("java.lang");
		assertThat(exception.message()).isEqualTo("no luck (attempt 2)");
		assertThat(attempts(task)).hasSize(2);
		assertThat(this.taskQueue.getScheduled()).isEmpty();
		assertThat(this.taskQueue.size()).isZero();
	}

	@Test
	void aTaskThatFailsOnceWaitsAsRetryingInTheScheduleAndThenCompletesWithTheExceptionCleared() {
		Task<String> task = this.taskQueue.task(Flaky::failsOnce, null, "second time lucky");
		CompletableFuture<Task<String>> waiter = this.taskQueue.waitForAsync(task);

		this.taskQueue.add(task);

		Task<String> retrying = await().atMost(TIMEOUT)
			.until(() -> this.taskQueue.getTask(task).orElseThrow(),
					(state) -> state.getStatus() == TaskStatus.RETRYING);
		assertThat(retrying.getRetryCount()).isEqualTo(1);
		assertThat(retrying.getFinishedAt()).isNull();
		assertThat(retrying.getLastRetryAt()).isNotNull();
		assertThat(retrying.getNextRetryAt()).isEqualTo(retrying.getLastRetryAt().plusMillis(800));
		assertThat(retrying.getException()).isNotNull();
		assertThat(retrying.getException().type()).isEqualTo("IllegalStateException");
		assertThat(retrying.getException().message()).isEqualTo("first attempt of second time lucky");
		assertThat(this.taskQueue.getScheduled()).extracting(Task::getId).containsExactly(task.getId());
		Double score = this.redis.opsForZSet().score("sheppy:scheduled:" + QUEUE, task.getId().toString());
		assertThat(score).isCloseTo(seconds(retrying.getNextRetryAt()), offset(1e-5));
		assertThat(this.redis.opsForStream().size("sheppy:pending:" + QUEUE)).as("entries in the stream").isZero();
		assertThat(this.taskQueue.size()).isZero();
		assertThatExceptionOfType(WaitTimeoutException.class)
			.isThrownBy(() -> this.taskQueue.waitFor(task, Duration.ofMillis(200)));
		assertThat(this.taskQueue.waitFor(task, null)).isNull();
		assertThat(waiter).isNotDone();

		Task<String> done = this.taskQueue.waitFor(task, TIMEOUT);

		assertThat(done.getStatus()).isEqualTo(TaskStatus.COMPLETED);
		assertThat(done.getResult()).isEqualTo("second time lucky");
		assertThat(done.getRetryCount()).isEqualTo(1);
		assertThat(done.getException()).isNull();
		assertThat(waiter).succeedsWithin(TIMEOUT).satisfies((finished) -> {
			assertThat(finished.getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(finished.getResult()).isEqualTo("second time lucky");
		});
		List<Instant> attempts = attempts(task);
		assertThat(attempts).hasSize(2);
		assertThat(Duration.between(attempts.get(0), attempts.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(800));
		assertThat(Duration.between(retrying.getNextRetryAt(), attempts.get(1))).isBetween(Duration.ZERO,
				Duration.ofSeconds(1));
		assertThat(this.taskQueue.getScheduled()).isEmpty();
	}

	@Test
	void theRetriesWaitTheDelaysOfTheListFirstElementFirstAndTheLastOneRepeats() {
		Task<Void> task = this.taskQueue.task(Flaky::delayList, null);

		this.taskQueue.add(task);
		Task<Void> failed = this.taskQueue.waitFor(task, TIMEOUT);

		assertThat(failed.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(failed.getRetryCount()).isEqualTo(3);
		List<Duration> gaps = gaps(attempts(task));
		assertThat(gaps).hasSize(3);
		assertThat(gaps.get(0)).isBetween(Duration.ofMillis(200), Duration.ofMillis(550));
		assertThat(gaps.get(1)).isBetween(Duration.ofMillis(600), Duration.ofMillis(1200));
		assertThat(gaps.get(2)).isBetween(Duration.ofMillis(600), Duration.ofMillis(1200));
		assertThat(gaps.get(0)).isLessThan(gaps.get(1)).isLessThan(gaps.get(2));
	}

	@Test
	void anExponentialBackoffWritesAJitteredListOfDelaysOfItsOwnToEachTaskAndTheRetriesWaitThem() {
		Task<Void> first = this.taskQueue.task(Flaky::backoff, null);
		Task<Void> second = this.taskQueue.task(Flaky::backoff, null);

		this.taskQueue.add(List.of(first, second));

		List<Double> firstDelays = wireRetryDelays(first);
		List<Double> secondDelays = wireRetryDelays(second);
		// 100 ms doubled and capped at 300 ms, each spread by up to half of it, and never longer than 300 ms
		double[] bases = { 0.1, 0.2, 0.3, 0.3 };
		for (List<Double> delays : List.of(firstDelays, secondDelays)) {
			assertThat(delays).hasSize(4);
			for (int k = 0; k < 4; k++) {
				assertThat(delays.get(k)).as("delay before retry %d of %s", k + 1, delays)
					.isBetween(bases[k] * 0.5, Math.min(bases[k] * 1.5, 0.3));
			}
		}
		assertThat(firstDelays).isNotEqualTo(secondDelays);

		for (Task<Void> task : List.of(first, second)) {
			Task<Void> failed = this.taskQueue.waitFor(task, TIMEOUT);
			assertThat(failed.getStatus()).isEqualTo(TaskStatus.FAILED);
			assertThat(failed.getRetryCount()).isEqualTo(4);
			List<Double> delays = failed.getConfig().retryDelay().seconds();
			List<Duration> gaps = gaps(attempts(task));
			assertThat(gaps).hasSize(4);
			for (int k = 0; k < 4; k++) {
				assertThat(gaps.get(k)).as("gap before retry %d", k + 1)
					.isBetween(Duration.ofMillis(Math.round(delays.get(k) * 1000)),
							Duration.ofMillis(Math.round(delays.get(k) * 1000) + 500));
			}
		}
	}

	@Test
	void aPythonReaderSeesTheBackoffDelaysAsAListOfFloats() throws Exception {
		assumeThat(pythonAvailable()).as("python3 on the PATH").isTrue();
		Task<Void> task = this.taskQueue.task(Flaky::backoff, null);
		this.taskQueue.add(task);
		String json = this.redis.opsForValue().get("sheppy:tasks:" + QUEUE + ":" + task.getId());

		String read = python("""
				import json, sys
				delay = json.load(sys.stdin)['config']['retry_delay']
				assert isinstance(delay, list), type(delay)
				assert all(type(value) is float for value in delay), delay
				print(len(delay), ' '.join(repr(value) for value in delay))
				""", json);

		List<Double> delays = wireRetryDelays(task);
		assertThat(read.trim()).isEqualTo(
				"4 " + String.join(" ", delays.stream().map(TaskRetryTests::pythonRepr).toList()));
	}

	@Test
	void anExceptionListedInNoRetryOnIsNotRetriedAndOthersAre() {
		Task<Void> invalid = this.taskQueue.task(Flaky::noRetryOn, null, true);
		Task<Void> broken = this.taskQueue.task(Flaky::noRetryOn, null, false);

		this.taskQueue.add(List.of(invalid, broken));

		Task<Void> notRetried = this.taskQueue.waitFor(invalid, TIMEOUT);
		assertThat(notRetried.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(notRetried.getRetryCount()).isZero();
		assertThat(notRetried.getException().type()).isEqualTo("IllegalArgumentException");
		Task<Void> retried = this.taskQueue.waitFor(broken, TIMEOUT);
		assertThat(retried.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(retried.getRetryCount()).isEqualTo(2);
		assertThat(attempts(invalid)).hasSize(1);
		assertThat(attempts(broken)).hasSize(3);
	}

	@Test
	void anExceptionOutsideRetryOnIsNotRetriedAndOneListedThereOrASubclassIs() {
		Task<Void> other = this.taskQueue.task(Flaky::retryOn, null, false);
		Task<Void> io = this.taskQueue.task(Flaky::retryOn, null, true);

		this.taskQueue.add(List.of(other, io));

		Task<Void> notRetried = this.taskQueue.waitFor(other, TIMEOUT);
		assertThat(notRetried.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(notRetried.getRetryCount()).isZero();
		assertThat(notRetried.getException().type()).isEqualTo("IllegalStateException");
		Task<Void> retried = this.taskQueue.waitFor(io, TIMEOUT);
		assertThat(retried.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(retried.getRetryCount()).isEqualTo(2);
		assertThat(retried.getException().type()).isEqualTo("FileNotFoundException");
		assertThat(attempts(other)).hasSize(1);
		assertThat(attempts(io)).hasSize(3);
	}

	@Test
	void aFailedAttemptIsHandedOverToTheScheduleInOneStepSoTheTaskIsAlwaysQueuedOrScheduled() throws Exception {
		TaskQueue queue = this.taskQueue.queue(HAND_OVER_QUEUE);
		queue.clear();
		List<Task<Void>> tasks = IntStream.range(0, 30).mapToObj((i) -> queue.task(Flaky::handOver, null)).toList();
		List<String> keys = new ArrayList<>();
		keys.add("sheppy:pending:" + HAND_OVER_QUEUE);
		keys.add("sheppy:scheduled:" + HAND_OVER_QUEUE);
		tasks.forEach((task) -> keys.add("sheppy:tasks:" + HAND_OVER_QUEUE + ":" + task.getId()));
		AtomicBoolean watching = new AtomicBoolean(true);
		AtomicInteger snapshots = new AtomicInteger();
		List<String> violations = new CopyOnWriteArrayList<>();
		CompletableFuture<Void> watcher = CompletableFuture.runAsync(() -> {
			while (watching.get()) {
				List<?> places = this.redis.execute(PLACES, keys);
				long unfinished = (Long) places.get(0);
				long inStream = (Long) places.get(1);
				long inSchedule = (Long) places.get(2);
				snapshots.incrementAndGet();
				if (unfinished != inStream + inSchedule) {
					violations.add(unfinished + " unfinished tasks, " + inStream + " in the stream, " + inSchedule
							+ " in the schedule");
				}
			}
		});
		try {
			queue.add(tasks);
			Map<UUID, Task<?>> done = queue.waitFor(tasks, TIMEOUT);
			assertThat(done.values()).allSatisfy((task) -> {
				assertThat(task.getStatus()).isEqualTo(TaskStatus.FAILED);
				assertThat(task.getRetryCount()).isEqualTo(3);
			});
		}
		finally {
			watching.set(false);
			watcher.get(10, TimeUnit.SECONDS);
		}
		assertThat(tasks).allSatisfy((task) -> assertThat(attempts(task)).hasSize(4));
		assertThat(snapshots.get()).isGreaterThan(20);
		assertThat(violations).isEmpty();
	}

	private List<Double> wireRetryDelays(Task<?> task) {
		String json = this.redis.opsForValue().get("sheppy:tasks:" + QUEUE + ":" + task.getId());
		JsonNode delay = mapper.readTree(json).get("config").get("retry_delay");
		assertThat(delay.isArray()).as("retry_delay of %s is a list", json).isTrue();
		List<Double> delays = new ArrayList<>();
		for (JsonNode value : delay) {
			assertThat(value.isFloatingPointNumber()).as("%s is written as a float", value).isTrue();
			delays.add(value.doubleValue());
		}
		return delays;
	}

	private static List<Instant> attempts(Task<?> task) {
		return Flaky.attempts.getOrDefault(task.getId(), List.of());
	}

	private static List<Duration> gaps(List<Instant> attempts) {
		List<Duration> gaps = new ArrayList<>();
		for (int i = 1; i < attempts.size(); i++) {
			gaps.add(Duration.between(attempts.get(i - 1), attempts.get(i)));
		}
		return gaps;
	}

	private static double seconds(Instant instant) {
		return instant.getEpochSecond() + instant.getNano() / 1e9;
	}

	private static String pythonRepr(double value) {
		return Double.toString(value);
	}

	private static boolean pythonAvailable() {
		try {
			return new ProcessBuilder("python3", "--version").start().waitFor() == 0;
		}
		catch (IOException | InterruptedException ex) {
			return false;
		}
	}

	private static String python(String script, String input) throws Exception {
		Process process = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
		try (OutputStream stdin = process.getOutputStream()) {
			stdin.write(input.getBytes(StandardCharsets.UTF_8));
		}
		String output;
		try (InputStream stdout = process.getInputStream()) {
			output = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
		}
		assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as("python3 said: %s", output).isZero();
		return output;
	}

	static class Flaky {

		static final Map<UUID, List<Instant>> attempts = new ConcurrentHashMap<>();

		private static int attempt(Task<?> task) {
			List<Instant> times = attempts.computeIfAbsent(task.getId(), (id) -> new CopyOnWriteArrayList<>());
			times.add(Instant.now());
			return times.size();
		}

		@SheppyTask(name = "retries:always-fails", retry = 1, retryDelay = "0.2")
		void alwaysFails(Task<?> task, String reason) {
			int attempt = attempt(task);
			throw new IllegalStateException(reason + " (attempt " + attempt + ")");
		}

		@SheppyTask(name = "retries:fails-once", retry = 2, retryDelay = "800ms")
		String failsOnce(Task<?> task, String value) {
			if (attempt(task) == 1) {
				throw new IllegalStateException("first attempt of " + value);
			}
			return value;
		}

		@SheppyTask(name = "retries:delay-list", retry = 3, retryDelay = { "0.2", "0.6" })
		void delayList(Task<?> task) {
			throw new IllegalStateException("attempt " + attempt(task));
		}

		@SheppyTask(name = "retries:backoff", retry = 4,
				backoff = @Backoff(delay = "100ms", multiplier = 2, maxDelay = "300ms", jitter = 0.5))
		void backoff(Task<?> task) {
			throw new IllegalStateException("attempt " + attempt(task));
		}

		@SheppyTask(name = "retries:no-retry-on", retry = 2, retryDelay = "0.1",
				noRetryOn = IllegalArgumentException.class)
		void noRetryOn(Task<?> task, boolean invalid) {
			attempt(task);
			if (invalid) {
				throw new IllegalArgumentException("not worth a retry");
			}
			throw new IllegalStateException("worth a retry");
		}

		@SheppyTask(name = "retries:retry-on", retry = 2, retryDelay = "0.1", retryOn = IOException.class)
		void retryOn(Task<?> task, boolean io) throws IOException {
			attempt(task);
			if (io) {
				throw new FileNotFoundException("worth a retry");
			}
			throw new IllegalStateException("not worth a retry");
		}

		@SheppyTask(name = "retries:hand-over", queue = HAND_OVER_QUEUE, retry = 3, retryDelay = "0.1")
		void handOver(Task<?> task) {
			throw new IllegalStateException("attempt " + attempt(task));
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ RedisServerTestConfiguration.class, Flaky.class })
	static class WorkerApplication {

	}

}
