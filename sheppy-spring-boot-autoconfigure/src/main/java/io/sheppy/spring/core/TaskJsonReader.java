package io.sheppy.spring.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a valid task from JSON in one pass over its tokens, without building a tree: the way tasks are read as a
 * worker takes them. It reads only what is valid by the rules of {@link TaskJson}, and gives up (returns
 * {@code null}) at anything else: an error, an exception record, anything it is not sure of. The caller then reads
 * the JSON as a tree, which gives the same task or the error that names the field, so that both ways always agree.
 *
 * @author Sheppy for Spring
 */
final class TaskJsonReader {

	private final JsonMapper mapper;

	TaskJsonReader(JsonMapper mapper) {
		this.mapper = mapper;
	}

	/**
	 * Read a task.
	 * @param json the JSON in UTF-8
	 * @return the task, or {@code null} when the JSON is to be read as a tree
	 */
	@Nullable Task<Object> read(byte[] json) {
		try (JsonParser parser = this.mapper.createParser(json)) {
			Task<Object> task = (parser.nextToken() == JsonToken.START_OBJECT) ? readTask(parser) : null;
			return (task != null && parser.nextToken() == null) ? task : null;
		}
		catch (RuntimeException ex) {
			// given up, or not valid (a UUID, a datetime, a config): the tree reader says what
			return null;
		}
	}

	private Task<Object> readTask(JsonParser parser) {
		UUID id = null;
		TaskStatus status = null;
		Object result = null;
		TaskSpec spec = null;
		TaskConfig config = TaskConfig.DEFAULT;
		Instant createdAt = null;
		Instant finishedAt = null;
		Instant scheduledAt = null;
		int retryCount = 0;
		Instant lastRetryAt = null;
		Instant nextRetryAt = null;
		UUID workflowId = null;
		UUID cronId = null;
		while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
			String name = parser.currentName();
			JsonToken token = parser.nextToken();
			switch (name) {
				case "id" -> id = uuid(parser, token);
				case "status" -> status = status(parser, token);
				case "exception" -> requireNull(token);
				case "result" -> result = value(parser, token);
				case "spec" -> spec = spec(parser, token);
				case "config" -> config = config(parser, token);
				case "created_at" -> createdAt = time(parser, token);
				case "finished_at" -> finishedAt = time(parser, token);
				case "scheduled_at" -> scheduledAt = time(parser, token);
				case "retry_count" -> retryCount = integer(parser, token, 0);
				case "last_retry_at" -> lastRetryAt = time(parser, token);
				case "next_retry_at" -> nextRetryAt = time(parser, token);
				case "workflow_id" -> workflowId = uuid(parser, token);
				case "cron_id" -> cronId = uuid(parser, token);
				default -> parser.skipChildren();
			}
		}
		if (id == null || spec == null) {
			throw new GiveUp();
		}
		Task.Builder<Object> builder = Task.builder(spec).id(id).result(result).config(config);
		if (status != null) {
			builder.status(status);
		}
		if (createdAt != null) {
			builder.createdAt(createdAt);
		}
		return builder.finishedAt(finishedAt)
			.scheduledAt(scheduledAt)
			.retryCount(retryCount)
			.lastRetryAt(lastRetryAt)
			.nextRetryAt(nextRetryAt)
			.workflowId(workflowId)
			.cronId(cronId)
			.build();
	}

	private TaskSpec spec(JsonParser parser, JsonToken token) {
		require(token == JsonToken.START_OBJECT);
		String func = null;
		List<@Nullable Object> args = new ArrayList<>();
		Map<String, @Nullable Object> kwargs = new LinkedHashMap<>();
		while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
			String name = parser.currentName();
			JsonToken value = parser.nextToken();
			switch (name) {
				case "func" -> func = string(parser, value);
				case "args" -> {
					args = new ArrayList<>();
					if (value != JsonToken.VALUE_NULL) {
						require(value == JsonToken.START_ARRAY);
						for (JsonToken element = parser.nextToken(); element != JsonToken.END_ARRAY; element = parser
							.nextToken()) {
							args.add(value(parser, element));
						}
					}
				}
				case "kwargs" -> {
					kwargs = new LinkedHashMap<>();
					if (value != JsonToken.VALUE_NULL) {
						require(value == JsonToken.START_OBJECT);
						readObject(parser, kwargs);
					}
				}
				default -> parser.skipChildren();
			}
		}
		require(func != null && !func.isEmpty());
		return new TaskSpec(func, args, kwargs);
	}

	private TaskConfig config(JsonParser parser, JsonToken token) {
		if (token == JsonToken.VALUE_NULL) {
			return TaskConfig.DEFAULT;
		}
		require(token == JsonToken.START_OBJECT);
		int retry = 0;
		RetryDelay retryDelay = RetryDelay.DEFAULT;
		Double timeout = null;
		boolean retryOnTimeout = false;
		boolean retryOnCrash = false;
		RateLimit rateLimit = null;
		Ttl ttl = Ttl.INHERIT;
		Ttl errorTtl = Ttl.INHERIT;
		while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
			String name = parser.currentName();
			JsonToken value = parser.nextToken();
			switch (name) {
				case "retry" -> retry = integer(parser, value, 0);
				case "retry_delay" -> retryDelay = retryDelay(parser, value);
				case "timeout" -> timeout = number(parser, value);
				case "retry_on_timeout" -> retryOnTimeout = bool(value, false);
				case "retry_on_crash" -> retryOnCrash = bool(value, false);
				case "rate_limit" -> rateLimit = rateLimit(parser, value);
				case "ttl" -> ttl = ttl(parser, value);
				case "error_ttl" -> errorTtl = ttl(parser, value);
				default -> parser.skipChildren();
			}
		}
		return new TaskConfig(retry, retryDelay, timeout, retryOnTimeout, retryOnCrash, rateLimit, ttl, errorTtl);
	}

	private RetryDelay retryDelay(JsonParser parser, JsonToken token) {
		if (token == JsonToken.VALUE_NULL) {
			return RetryDelay.DEFAULT;
		}
		if (token.isNumeric()) {
			return RetryDelay.of(parser.getDoubleValue());
		}
		require(token == JsonToken.START_ARRAY);
		List<Double> values = new ArrayList<>();
		for (JsonToken element = parser.nextToken(); element != JsonToken.END_ARRAY; element = parser.nextToken()) {
			require(element.isNumeric());
			values.add(parser.getDoubleValue());
		}
		require(!values.isEmpty());
		return RetryDelay.of(values);
	}

	private @Nullable RateLimit rateLimit(JsonParser parser, JsonToken token) {
		if (token == JsonToken.VALUE_NULL) {
			return null;
		}
		require(token == JsonToken.START_OBJECT);
		Integer maxRate = null;
		Double period = null;
		while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
			String name = parser.currentName();
			JsonToken value = parser.nextToken();
			switch (name) {
				case "max_rate" -> maxRate = (value != JsonToken.VALUE_NULL) ? integer(parser, value, 0) : null;
				case "rate_period" -> period = number(parser, value);
				default -> parser.skipChildren();
			}
		}
		require(maxRate != null && period != null);
		return new RateLimit(maxRate, period);
	}

	/**
	 * Read the fields of an object, its start token already read, into the map, as {@link TaskJson} reads argument
	 * values.
	 */
	private void readObject(JsonParser parser, Map<String, @Nullable Object> map) {
		while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
			String name = parser.currentName();
			map.put(name, value(parser, parser.nextToken()));
		}
	}

	private @Nullable Object value(JsonParser parser, JsonToken token) {
		switch (token) {
			case VALUE_NULL:
				return null;
			case VALUE_STRING:
				return parser.getString();
			case VALUE_TRUE:
				return Boolean.TRUE;
			case VALUE_FALSE:
				return Boolean.FALSE;
			case VALUE_NUMBER_INT:
			case VALUE_NUMBER_FLOAT:
				return parser.getNumberValue();
			case START_ARRAY:
				List<@Nullable Object> list = new ArrayList<>();
				for (JsonToken element = parser.nextToken(); element != JsonToken.END_ARRAY; element = parser
					.nextToken()) {
					list.add(value(parser, element));
				}
				return list;
			case START_OBJECT:
				Map<String, @Nullable Object> map = new LinkedHashMap<>();
				readObject(parser, map);
				return map;
			default:
				throw new GiveUp();
		}
	}

	private static @Nullable String string(JsonParser parser, JsonToken token) {
		if (token == JsonToken.VALUE_NULL) {
			return null;
		}
		require(token == JsonToken.VALUE_STRING);
		return parser.getString();
	}

	private static @Nullable UUID uuid(JsonParser parser, JsonToken token) {
		String value = string(parser, token);
		return (value != null) ? UUID.fromString(value) : null;
	}

	private static @Nullable TaskStatus status(JsonParser parser, JsonToken token) {
		String value = string(parser, token);
		if (value == null) {
			return null;
		}
		TaskStatus status = TaskStatus.fromWireValue(value);
		require(status != null);
		return status;
	}

	private static @Nullable Instant time(JsonParser parser, JsonToken token) {
		String value = string(parser, token);
		return (value != null) ? WireTimes.parse(value) : null;
	}

	private static int integer(JsonParser parser, JsonToken token, int defaultValue) {
		if (token == JsonToken.VALUE_NULL) {
			return defaultValue;
		}
		require(token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() == JsonParser.NumberType.INT);
		return parser.getIntValue();
	}

	private static @Nullable Double number(JsonParser parser, JsonToken token) {
		if (token == JsonToken.VALUE_NULL) {
			return null;
		}
		require(token.isNumeric());
		return parser.getDoubleValue();
	}

	private static boolean bool(JsonToken token, boolean defaultValue) {
		if (token == JsonToken.VALUE_NULL) {
			return defaultValue;
		}
		require(token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE);
		return token == JsonToken.VALUE_TRUE;
	}

	private static Ttl ttl(JsonParser parser, JsonToken token) {
		if (token == JsonToken.VALUE_NULL) {
			return Ttl.NEVER;
		}
		if (token == JsonToken.VALUE_STRING && Ttl.INHERIT_VALUE.equals(parser.getString())) {
			return Ttl.INHERIT;
		}
		require(token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER);
		long seconds = parser.getLongValue();
		require(seconds >= 1);
		return Ttl.ofSeconds(seconds);
	}

	private static void requireNull(JsonToken token) {
		require(token == JsonToken.VALUE_NULL);
	}

	private static void require(boolean condition) {
		if (!condition) {
			throw new GiveUp();
		}
	}

	/**
	 * Thrown to give the JSON up to the tree reader.
	 */
	private static final class GiveUp extends RuntimeException {

		GiveUp() {
			super(null, null, false, false);
		}

	}

}
