package io.sheppy.spring.backend;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

import io.sheppy.spring.test.redis.RedisServer;
import io.sheppy.spring.test.redis.WithRedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.DataType;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations.TypedTuple;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

import io.sheppy.spring.core.SheppyFixtures;
import io.sheppy.spring.core.Task;
import io.sheppy.spring.core.TaskCron;
import io.sheppy.spring.core.TaskJson;
import io.sheppy.spring.core.TaskSpec;
import io.sheppy.spring.core.TaskStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that {@link RedisBackend} lays out its keys exactly as Python Sheppy 0.0.7 does, by replaying the scenario of
 * the golden fixture {@code redis-after-enqueue.json} and comparing every {@code sheppy:*} key with it.
 *
 * @author Sheppy for Spring
 */
@WithRedisServer
class RedisBackendKeyLayoutTests {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

	private static final String QUEUE = "fixtures";

	/** XINFO GROUPS with its nested reply, which Lettuce's generic command output cannot read. */
	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> XINFO_GROUPS = new DefaultRedisScript<>(
			"return redis.call('XINFO', 'GROUPS', KEYS[1])", List.class);

	private final TaskJson taskJson = new TaskJson();

	private LettuceConnectionFactory connectionFactory;

	private StringRedisTemplate redis;

	private RedisBackend backend;

	@BeforeEach
	void setUp(RedisServer server) {
		this.connectionFactory = RedisTestSupport.connectionFactory(server);
		this.redis = RedisTestSupport.redisTemplate(this.connectionFactory);
		this.backend = new RedisBackend(this.connectionFactory, this.taskJson);
	}

	@AfterEach
	void tearDown() {
		this.backend.close();
		this.connectionFactory.destroy();
	}

	@Test
	void keysAfterAddScheduleAndAddCronAreThoseOfPythonSheppy() {
		JsonNode created = SheppyFixtures.tree("tasks-created.json");
		List<Task<Object>> tasks = new ArrayList<>();
		for (String name : List.of("add", "add_kwargs", "fail", "limited")) {
			tasks.add(this.taskJson.read(MAPPER.writeValueAsString(created.get(name))));
		}
		Instant at = Instant.parse("2030-01-01T00:00:00Z");
		Task<Object> scheduled = tasks.get(0)
			.mutate()
			.id(UUID.fromString("35377e0d-a653-4881-a925-3d3f05816673"))
			.spec(TaskSpec.of("fxtasks:add", 10, 20))
			.createdAt(Instant.parse("2026-11-26T19:16:24.720030Z"))
			.status(TaskStatus.SCHEDULED)
			.scheduledAt(at)
			.build();
		TaskCron cron = this.taskJson
			.readCron(MAPPER.writeValueAsString(SheppyFixtures.tree("crons-stored.json").get(0)));

		assertThat(this.backend.append(QUEUE, tasks, true)).containsExactly(true, true, true, true);
		assertThat(this.backend.schedule(QUEUE, scheduled, at, true)).isTrue();
		assertThat(this.backend.addCron(QUEUE, cron)).isTrue();

		JsonNode expected = normalize(SheppyFixtures.tree("redis-after-enqueue.json"));
		JsonNode actual = normalize(dump());
		assertThat(names(actual.get("keys"))).containsExactlyElementsOf(names(expected.get("keys")));
		for (String key : names(expected.get("keys"))) {
			assertThat(actual.get("keys").get(key)).as(key).isEqualTo(expected.get("keys").get(key));
		}
		assertThat(actual.get("stream_groups")).isEqualTo(expected.get("stream_groups"));
	}

	/**
	 * Dump every {@code sheppy:*} key in the layout of the fixture.
	 */
	private JsonNode dump() {
		Map<String, Object> keys = new HashMap<>();
		Map<String, Object> groups = new HashMap<>();
		List<String> names = new ArrayList<>();
		try (Cursor<String> cursor = this.redis.scan(ScanOptions.scanOptions().match("sheppy:*").count(1000).build())) {
			cursor.forEachRemaining(names::add);
		}
		for (String name : names) {
			DataType type = this.redis.type(name);
			Object value = switch (type) {
				case STRING -> this.redis.opsForValue().get(name);
				case HASH -> this.redis.opsForHash().entries(name);
				case ZSET -> zset(name);
				case STREAM -> stream(name);
				default -> throw new IllegalStateException("Unexpected type " + type + " of " + name);
			};
			keys.put(name, Map.of("type", type.code(), "value", value));
			if (type == DataType.STREAM) {
				groups.put(name, groups(name));
			}
		}
		// through JSON text, so that numbers compare as the fixture's do
		return MAPPER.readTree(MAPPER.writeValueAsString(Map.of("keys", keys, "stream_groups", groups)));
	}

	private List<List<Object>> zset(String name) {
		List<List<Object>> members = new ArrayList<>();
		for (TypedTuple<String> tuple : this.redis.opsForZSet().rangeWithScores(name, 0, -1)) {
			members.add(List.of(tuple.getValue(), tuple.getScore()));
		}
		return members;
	}

	private List<List<Object>> stream(String name) {
		List<List<Object>> entries = new ArrayList<>();
		for (MapRecord<String, Object, Object> record : this.redis.opsForStream().range(name, Range.unbounded())) {
			entries.add(List.of(record.getId().getValue(), record.getValue()));
		}
		return entries;
	}

	@SuppressWarnings("unchecked")
	private List<Map<String, Object>> groups(String name) {
		List<Object> raw = this.redis.execute(XINFO_GROUPS, List.of(name));
		List<Map<String, Object>> groups = new ArrayList<>();
		for (Object group : raw) {
			List<Object> fields = (List<Object>) group;
			Map<String, Object> info = new HashMap<>();
			for (int i = 0; i < fields.size(); i += 2) {
				info.put((String) fields.get(i), fields.get(i + 1));
			}
			groups.add(info);
		}
		return groups;
	}

	/**
	 * Return a copy of a dump in which JSON held in strings is parsed (so that JSON compares as trees, not text) and
	 * stream entry ids, which depend on the time of the recording, are replaced by their key and position.
	 */
	private static JsonNode normalize(JsonNode dump) {
		ObjectNode copy = (ObjectNode) dump.deepCopy();
		ObjectNode keys = (ObjectNode) copy.get("keys");
		Map<String, String> entryIds = new HashMap<>();
		for (String name : names(keys)) {
			JsonNode key = keys.get(name);
			if ("stream".equals(key.get("type").asString())) {
				ArrayNode entries = (ArrayNode) key.get("value");
				for (int i = 0; i < entries.size(); i++) {
					ArrayNode entry = (ArrayNode) entries.get(i);
					String placeholder = name + "#" + i;
					entryIds.put(entry.get(0).asString(), placeholder);
					entry.set(0, NODES.stringNode(placeholder));
					entry.set(1, parseStrings(entry.get(1), entryIds));
				}
			}
		}
		for (String name : names(keys)) {
			ObjectNode key = (ObjectNode) keys.get(name);
			if (!"stream".equals(key.get("type").asString())) {
				key.set("value", parseStrings(key.get("value"), entryIds));
			}
		}
		return copy;
	}

	private static JsonNode parseStrings(JsonNode node, Map<String, String> entryIds) {
		if (node.isString()) {
			String text = node.asString();
			if (entryIds.containsKey(text)) {
				return NODES.stringNode(entryIds.get(text));
			}
			if (text.startsWith("{")) {
				try {
					return MAPPER.readTree(text);
				}
				catch (JacksonException ex) {
					return node;
				}
			}
			return node;
		}
		if (node.isObject()) {
			ObjectNode object = NODES.objectNode();
			node.properties().forEach((entry) -> object.set(entry.getKey(), parseStrings(entry.getValue(), entryIds)));
			return object;
		}
		if (node.isArray()) {
			ArrayNode array = NODES.arrayNode();
			node.forEach((element) -> array.add(parseStrings(element, entryIds)));
			return array;
		}
		return node;
	}

	private static List<String> names(JsonNode object) {
		return new ArrayList<>(new TreeSet<>(object.propertyNames()));
	}

}
