package io.sheppy.spring.listener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

import io.sheppy.spring.annotation.SheppyTask;
import io.sheppy.spring.backend.RedisTestSupport;
import io.sheppy.spring.config.TaskEndpointRegistry;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskException;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.queue.TaskQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end tests of a worker on a real Redis that finds entries in its queue that hold no task, or a task it cannot
 * read: they are moved aside (to the dead-letter stream {@code sheppy:dead:{q}}, or recorded as failed when they name
 * a task id) with the reason, logged once, and the worker keeps running the good tasks around them at a throughput
 * that does not collapse. Tasks with an unknown name or arguments that do not bind are covered by
 * {@link TaskArgumentBindingTests}, results that cannot be written as JSON by {@link WorkerResultsTests}.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
@ExtendWith(OutputCaptureExtension.class)
class WorkerBadInputTests {

	private static final String QUEUE = "badinput";

	private static final String STREAM = "sheppy:pending:" + QUEUE;

	private static final String DEAD = "sheppy:dead:" + QUEUE;

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	// KEYS[1] the pending stream, KEYS[2] the index of unclaimed entries; ARGV[1] the prefix of task records, then per
	// entry three values: the task id ('' for an entry that names none: no record is stored), its field and its value
	private static final RedisScript<List> QUEUE_ENTRIES = RedisScript.of("""
			if redis.call('EXISTS', KEYS[1]) == 0 then
				redis.call('XGROUP', 'CREATE', KEYS[1], 'workers', '0', 'MKSTREAM')
			end
			local entries = {}
			for i = 2, #ARGV, 3 do
				if ARGV[i] ~= '' then
					redis.call('SET', ARGV[1] .. ARGV[i], ARGV[i + 2])
				end
				local entry = redis.call('XADD', KEYS[1], '*', ARGV[i + 1], ARGV[i + 2])
				if ARGV[i] ~= '' then
					redis.call('HSET', KEYS[2], ARGV[i], entry)
				end
				entries[#entries + 1] = entry
			end
			return entries
			""", List.class);

	private ConfigurableApplicationContext worker;

	private TaskQueue taskQueue;

	private TaskJson taskJson;

	private StringRedisTemplate redis;

	@BeforeEach
	void startWorker(RedisServer server) {
		this.worker = WorkerApplications.start(server, WorkerApplication.class, "sheppy.queue=" + QUEUE,
				"sheppy.redis.consumer-name=worker-a", "sheppy.worker.poll-timeout=250ms");
		this.taskQueue = this.worker.getBean(TaskQueue.class);
		this.taskJson = this.worker.getBean(TaskJson.class);
		this.redis = this.worker.getBean(StringRedisTemplate.class);
	}

	@AfterEach
	void stopWorker() {
		this.worker.close();
	}

	@Test
	void anEntryOfMalformedJsonIsMovedToTheDeadLetterStreamWithTheReasonAndLoggedOnce(CapturedOutput output) {
		String entry = queue(List.of(Entry.of(null, "data", "{\"id\": \"1\", not json"))).get(0);
		Task<Integer> after = this.taskQueue.task(BadInputTasks::add, 1, 2);
		this.taskQueue.add(after);

		assertThat(this.taskQueue.waitFor(after, TIMEOUT).getResult()).isEqualTo(3);
		List<MapRecord<String, Object, Object>> dead = deadLetters();
		assertThat(dead).singleElement().satisfies((letter) -> {
			assertThat(letter.getValue()).containsEntry("entry", entry)
				.containsEntry("data", "{\"id\": \"1\", not json")
				.hasEntrySatisfying("reason",
						(reason) -> assertThat(reason.toString()).startsWith("Malformed task JSON"));
		});
		assertThat(output.getOut()).containsOnlyOnce("Moved entry " + entry)
			.containsOnlyOnce("Malformed task JSON");
		assertThat(this.redis.opsForStream().size(STREAM)).isZero();
		assertThat(pendingEntries()).isZero();
	}

	@Test
	void anEntryWithoutADataFieldIsMovedToTheDeadLetterStream(CapturedOutput output) {
		String entry = queue(List.of(Entry.of(null, "payload", "{}"))).get(0);

		await().atMost(TIMEOUT).until(() -> this.redis.opsForStream().size(DEAD) == 1);
		assertThat(deadLetters().get(0).getValue()).containsEntry("entry", entry)
			.containsEntry("data", "")
			.containsEntry("reason", "it has no 'data' field");
		assertThat(output.getOut()).containsOnlyOnce("Moved entry " + entry);
		assertThat(this.redis.opsForStream().size(STREAM)).isZero();
		assertThat(pendingEntries()).isZero();
	}

	@Test
	void aTaskWithAFieldOfTheWrongTypeThatNamesItsIdEndsFailedWithARecordNamingTheField() {
		Task<Integer> task = this.taskQueue.task(BadInputTasks::add, -1, 2);
		queue(List.of(Entry.wrongType(task, this.taskJson)));

		Task<Integer> failed = awaitFinished(task);

		assertThat(failed.getStatus()).isEqualTo(TaskStatus.FAILED);
		assertThat(failed.getFinishedAt()).isNotNull();
		assertThat(failed.getResult()).isNull();
		assertThat(failed.getName()).isEqualTo("badinput:add");
		TaskException exception = failed.getException();
		assertThat(exception).isNotNull();
		assertThat(exception.type()).isEqualTo("InvalidTaskException");
		assertThat(exception.message()).startsWith("The task cannot be read (Field 'config.retry' must be an integer")
			.contains("\"x\"");
		assertThat(BadInputTasks.calls(-1)).isZero();
		assertThat(this.redis.opsForStream().size(DEAD)).isZero();
		assertThat(this.redis.opsForStream().size(STREAM)).isZero();
		assertThat(pendingEntries()).isZero();
	}

	@Test
	void aThousandBadEntriesAmongAThousandGoodTasksAreMovedAsideAndTheWorkerKeepsItsPace() {
		run(500, 500);
		Run allGood = run(2000, 0);
		Run mixed = run(1000, 1000);

		System.out.printf("%d good tasks: %d script calls in %d ms; %d good tasks and %d bad entries: %d script calls in "
				+ "%d ms%n", allGood.good(), allGood.scriptCalls(), allGood.millis(), mixed.good(), mixed.bad(),
				mixed.scriptCalls(), mixed.millis());
		// its pace, counted in the work Redis does rather than in time (the benchmark measures speed): bad entries are
		// dealt with in the reads and batches of the good ones (a read that holds some costs one more call to move
		// them aside, and the fewer good tasks per read make for more reads), and a task that cannot be read costs
		// one call to record it as failed: in all, three to four times the calls per entry of good tasks alone, when
		// one more call per bad entry (a retry, a read of its own) would add a thousand
		double perEntry = (double) allGood.scriptCalls() / allGood.good();
		int unreadable = mixed.bad() / 4;
		assertThat(mixed.scriptCalls()).as("script calls with %d bad entries, against %d for %d good tasks",
				mixed.bad(), allGood.scriptCalls(), allGood.good())
			.isLessThanOrEqualTo(Math.round(5 * perEntry * (mixed.good() + mixed.bad())) + unreadable + 10);
		Task<Integer> after = this.taskQueue.task(BadInputTasks::add, 40, 2);
		this.taskQueue.add(after);
		assertThat(this.taskQueue.waitFor(after, TIMEOUT).getResult()).isEqualTo(42);
		assertThat(this.worker.getBean(TaskEndpointRegistry.class).getContainer(QUEUE).isRunning()).isTrue();
		assertThat(WorkerApplications.isThreadAlive("sheppy-" + QUEUE + "-reader")).isTrue();
	}

	/**
	 * Queue good tasks and bad entries interleaved, all in one step, and wait until the worker has dealt with all of
	 * them.
	 */
	private Run run(int goodCount, int badCount) {
		List<Task<Integer>> good = new ArrayList<>();
		List<Task<Integer>> wrongTyped = new ArrayList<>();
		List<Entry> entries = new ArrayList<>();
		int dead = 0;
		for (int i = 0; i < Math.max(goodCount, badCount); i++) {
			if (i < goodCount) {
				Task<Integer> task = this.taskQueue.task(BadInputTasks::add, i, 1);
				good.add(task);
				String json = this.taskJson.write(task);
				entries.add(Entry.of(task.getId(), "data", json));
			}
			if (i < badCount) {
				switch (i % 4) {
					case 0 -> entries.add(Entry.of(null, "data", "{not json " + i));
					case 1 -> entries.add(Entry.of(null, "payload", "x"));
					case 2 -> entries.add(Entry.of(null, "data", "[" + i + "]"));
					default -> {
						Task<Integer> task = this.taskQueue.task(BadInputTasks::add, -i, 1);
						wrongTyped.add(task);
						entries.add(Entry.wrongType(task, this.taskJson));
					}
				}
				dead += (i % 4 < 3) ? 1 : 0;
			}
		}
		long deadBefore = this.redis.opsForStream().size(DEAD);
		long finishedBefore = finishedCount();
		long expectedDead = deadBefore + dead;
		long expectedFinished = finishedBefore + good.size() + wrongTyped.size();

		long scriptCallsBefore = scriptCalls();
		long start = System.nanoTime();
		queue(entries);
		// measured on the worker's side: its counter of finished tasks and its dead-letter stream
		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(10))
			.until(() -> finishedCount() == expectedFinished && this.redis.opsForStream().size(DEAD) == expectedDead);
		long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
		long scriptCalls = scriptCalls() - scriptCallsBefore;

		Map<UUID, Task<?>> done = this.taskQueue.waitFor(good, TIMEOUT);
		for (int i = 0; i < good.size(); i++) {
			Task<?> task = done.get(good.get(i).getId());
			assertThat(task.getStatus()).isEqualTo(TaskStatus.COMPLETED);
			assertThat(task.getResult()).isEqualTo(i + 1);
		}
		for (Task<Integer> task : wrongTyped) {
			assertThat(BadInputTasks.calls(task.getSpec().args().get(0))).isZero();
			Task<Integer> failed = this.taskQueue.getTask(task).orElseThrow();
			assertThat(failed.getStatus()).isEqualTo(TaskStatus.FAILED);
			assertThat(failed.getException().message()).contains("'config.retry'");
		}
		assertThat(this.redis.opsForStream().size(STREAM)).isZero();
		assertThat(pendingEntries()).isZero();
		return new Run(goodCount, badCount, scriptCalls, millis);
	}

	/**
	 * Return how many script calls Redis has run (the worker's reads, claims and stores are scripts).
	 */
	private long scriptCalls() {
		return RedisTestSupport.commandStat(this.redis, "evalsha", "calls")
				+ RedisTestSupport.commandStat(this.redis, "eval", "calls");
	}

	private long finishedCount() {
		String count = this.redis.opsForValue().get("sheppy:completed:" + QUEUE);
		return (count != null) ? Long.parseLong(count) : 0;
	}

	private Task<Integer> awaitFinished(Task<Integer> task) {
		await().atMost(TIMEOUT)
			.ignoreExceptions()
			.until(() -> this.taskQueue.getTask(task).map(Task::isFinished).orElse(false));
		return this.taskQueue.getTask(task).orElseThrow();
	}

	@SuppressWarnings("unchecked")
	private List<String> queue(List<Entry> entries) {
		List<String> args = new ArrayList<>(3 * entries.size() + 1);
		args.add("sheppy:tasks:" + QUEUE + ":");
		for (Entry entry : entries) {
			args.add((entry.id() != null) ? entry.id().toString() : "");
			args.add(entry.field());
			args.add(entry.value());
		}
		return this.redis.execute(QUEUE_ENTRIES, List.of(STREAM, "sheppy:pending_ids:" + QUEUE), args.toArray());
	}

	private List<MapRecord<String, Object, Object>> deadLetters() {
		return this.redis.opsForStream().range(DEAD, Range.unbounded());
	}

	private long pendingEntries() {
		return this.redis.opsForStream().pending(STREAM, "workers").getTotalPendingMessages();
	}

	/**
	 * An entry of the pending stream: a task id it names (stored as its record too), its only field and the value.
	 */
	record Entry(@Nullable UUID id, String field, String value) {

		static Entry of(@Nullable UUID id, String field, String value) {
			return new Entry(id, field, value);
		}

		/**
		 * Return the entry of a task whose config has a retry count that is not a number.
		 */
		static Entry wrongType(Task<?> task, TaskJson taskJson) {
			String json = taskJson.write(task);
			String wrong = json.replace("\"retry\":0,", "\"retry\":\"x\",");
			assertThat(wrong).isNotEqualTo(json);
			return new Entry(task.getId(), "data", wrong);
		}

	}

	record Run(int good, int bad, long scriptCalls, long millis) {

	}

	static class BadInputTasks {

		private static final Map<Object, Integer> calls = new ConcurrentHashMap<>();

		static int calls(Object x) {
			return calls.getOrDefault(x, 0);
		}

		@SheppyTask("badinput:add")
		int add(int x, int y) {
			calls.merge(x, 1, Integer::sum);
			return x + y;
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(BadInputTasks.class)
	static class WorkerApplication {

	}

}
