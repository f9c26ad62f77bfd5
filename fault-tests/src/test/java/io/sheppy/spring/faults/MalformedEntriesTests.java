package io.sheppy.spring.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskStatus;
import io.sheppy.spring.test.redis.RedisServerOptions;

import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 4: 1,000 malformed entries, written with raw {@code XADD} (and {@code SET} where a broken producer would
 * have stored a record too), interleaved with 1,000 good tasks. Every good task completes; every malformed entry is
 * moved aside with a reason: to the dead-letter stream when no task id can be read from it, else recorded as failed
 * with an {@code InvalidTaskException}. Nothing stays in the queue.
 *
 * @author Sheppy for Spring
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MalformedEntriesTests {

	private static final int GOOD = 1000;

	private static final int BAD = 1000;

	@Test
	void goodTasksCompleteAndEveryMalformedEntryIsMovedAsideWithAReason() {
		long started = System.nanoTime();
		try (FaultRig rig = FaultRig.start("4-malformed-entries", RedisServerOptions.defaults())) {
			WorkerProcess first = rig.launchWorker("worker-1", FaultRig.FAST_RECOVERY);
			WorkerProcess second = rig.launchWorker("worker-2", FaultRig.FAST_RECOVERY);
			first.awaitReady();
			second.awaitReady();
			Producer producer = rig.producer();
			StringRedisTemplate redis = producer.redis();

			List<UUID> good = new ArrayList<>();
			Map<String, Malformed> deadLettered = new LinkedHashMap<>();
			Map<UUID, Malformed> recordedFailed = new LinkedHashMap<>();
			for (int i = 0; i < GOOD + BAD; i++) {
				if (i % 2 == 0) {
					Task<Object> task = producer.work(i / 2, 1 + i % 5);
					assertThat(producer.queue().add(task)).isTrue();
					good.add(task.getId());
					continue;
				}
				Kind kind = Kind.values()[(i / 2) % Kind.values().length];
				UUID id = UUID.randomUUID();
				Map<String, String> fields = kind.fields(i, id);
				if (kind.readableId) {
					redis.opsForValue().set("sheppy:tasks:" + FaultRig.QUEUE + ":" + id, fields.get("data"));
				}
				RecordId entry = redis.opsForStream().add(StreamRecords.string(fields).withStreamKey(FaultRig.STREAM));
				Malformed malformed = new Malformed(kind, entry.getValue(), fields.get("data"));
				if (kind.readableId) {
					recordedFailed.put(id, malformed);
				}
				else {
					deadLettered.put(entry.getValue(), malformed);
				}
			}

			List<UUID> finishing = new ArrayList<>(good);
			finishing.addAll(recordedFailed.keySet());
			Map<UUID, Task<Object>> states = producer.awaitFinished(finishing, Duration.ofSeconds(60));
			Map<String, MapRecord<String, Object, Object>> dead = new HashMap<>();
			try {
				await("dead letters").atMost(Duration.ofSeconds(30)).until(() -> {
					readDeadLetters(redis, dead);
					return dead.size() >= deadLettered.size();
				});
			}
			catch (ConditionTimeoutException ex) {
				// the assertions below say what is missing
			}
			RunLog runs = RunLog.read(rig.directory());
			List<UUID> lost = Producer.lostOrStuck(good, states);
			Set<UUID> duplicates = runs.duplicates(good);
			long failed = recordedFailed.keySet()
				.stream()
				.filter((id) -> states.get(id) != null && states.get(id).getStatus() == TaskStatus.FAILED)
				.count();
			FaultSummary.add(new FaultSummary.Row("4. malformed entries", good.size(),
					BAD + " malformed entries interleaved", lost.size(), duplicates.size(), null,
					Duration.ofNanos(System.nanoTime() - started),
					"dead-lettered " + dead.size() + "/" + deadLettered.size() + ", recorded failed " + failed + "/"
							+ recordedFailed.size()));

			assertThat(lost).as("good tasks lost or stuck").isEmpty();
			for (UUID id : good) {
				Task<Object> task = states.get(id);
				assertThat(task.getStatus()).as("status of %s", task).isEqualTo(TaskStatus.COMPLETED);
				assertThat(task.getResult()).as("result of %s", task).isEqualTo(task.getSpec().args().get(0));
			}
			assertThat(dead.keySet()).as("entries in the dead-letter stream")
				.containsExactlyInAnyOrderElementsOf(deadLettered.keySet());
			deadLettered.forEach((entry, malformed) -> {
				Map<Object, Object> letter = dead.get(entry).getValue();
				assertThat(letter.get("data")).as("data of dead letter %s", entry)
					.isEqualTo((malformed.data() != null) ? malformed.data() : "");
				assertThat((String) letter.get("reason")).as("reason of dead letter %s (%s)", entry, malformed.kind())
					.contains(malformed.kind().reason);
			});
			recordedFailed.forEach((id, malformed) -> {
				Task<Object> task = states.get(id);
				assertThat(task).as("record of malformed task %s (%s)", id, malformed.kind()).isNotNull();
				assertThat(task.getStatus()).as("status of malformed task %s", id).isEqualTo(TaskStatus.FAILED);
				assertThat(task.getException().type()).isEqualTo("InvalidTaskException");
				assertThat(task.getException().message()).contains("The task cannot be read", malformed.kind().reason);
			});
			assertThat(redis.opsForStream().size(FaultRig.STREAM)).as("entries left in the queue").isZero();
			assertThat(redis.opsForStream().pending(FaultRig.STREAM, FaultRig.GROUP).getTotalPendingMessages())
				.as("entries left claimed")
				.isZero();
			assertThat(first.isAlive()).isTrue();
			assertThat(second.isAlive()).isTrue();
		}
	}

	private static void readDeadLetters(StringRedisTemplate redis, Map<String, MapRecord<String, Object, Object>> dead) {
		List<MapRecord<String, Object, Object>> letters = redis.opsForStream().range(FaultRig.DEAD, Range.unbounded());
		dead.clear();
		if (letters != null) {
			letters.forEach((letter) -> dead.put((String) letter.getValue().get("entry"), letter));
		}
	}

	/**
	 * The kinds of malformed entries, and what the reason for moving them aside says.
	 */
	private enum Kind {

		NOT_JSON(false, "Malformed task JSON"),

		NO_DATA(false, "it has no 'data' field"),

		NOT_AN_OBJECT(false, "must be a JSON object"),

		ID_NOT_A_STRING(false, "id"),

		WRONG_TYPES(true, "args"),

		NO_SPEC(true, "spec");

		private final boolean readableId;

		private final String reason;

		Kind(boolean readableId, String reason) {
			this.readableId = readableId;
			this.reason = reason;
		}

		Map<String, String> fields(int i, UUID id) {
			return switch (this) {
				case NOT_JSON -> Map.of("data", "not json {" + i);
				case NO_DATA -> Map.of("payload", "task " + i);
				case NOT_AN_OBJECT -> Map.of("data", "[" + i + ", \"faults:work\"]");
				case ID_NOT_A_STRING -> Map.of("data", "{\"id\": " + i
						+ ", \"status\": \"new\", \"spec\": {\"func\": \"faults:work\", \"args\": [1, 1], \"kwargs\": {}}}");
				case WRONG_TYPES -> Map.of("data", "{\"id\": \"" + id + "\", \"status\": \"new\", \"spec\": {\"func\": "
						+ "\"faults:work\", \"args\": \"not a list\", \"kwargs\": []}, \"config\": {\"retry\": \"three\"}}");
				case NO_SPEC -> Map.of("data", "{\"id\": \"" + id + "\", \"status\": \"new\", \"config\": {}}");
			};
		}

	}

	/**
	 * A malformed entry written to the queue.
	 *
	 * @param kind its kind
	 * @param entry its stream entry id
	 * @param data its data field, or {@code null} when it has none
	 */
	private record Malformed(Kind kind, String entry, String data) {

	}

}
