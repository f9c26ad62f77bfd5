package io.sheppy.spring.core;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.util.ByteArrayBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.Assert;

/**
 * Reads and writes tasks and crons in Python Sheppy's JSON. The layout of the task itself is fixed here, independent
 * of any application setting; argument and result values are written with the value mapper given at construction
 * (the application's {@link JsonMapper}), so that users' types serialize as the application configured them.
 * <p>
 * Reading is lenient where Python Sheppy is (unknown fields are ignored, absent optional fields take their defaults,
 * datetimes with any offset) and strict where the data would be wrong: a missing {@code id} or {@code spec.func} or a
 * value of the wrong type fails with an {@link InvalidTaskException} that names the field.
 *
 * @author Sheppy for Spring
 */
public final class TaskJson {

	private static final JsonMapper TREE_MAPPER = JsonMapper.builder().build();

	private static final TaskJsonReader READER = new TaskJsonReader(TREE_MAPPER);

	private final JsonMapper valueMapper;

	/**
	 * Create an instance that writes values with a default {@link JsonMapper}.
	 */
	public TaskJson() {
		this(TREE_MAPPER);
	}

	/**
	 * Create an instance that writes argument and result values with the given mapper.
	 * @param valueMapper the mapper for argument and result values
	 */
	public TaskJson(JsonMapper valueMapper) {
		Assert.notNull(valueMapper, "'valueMapper' must not be null");
		this.valueMapper = valueMapper;
	}

	/**
	 * Write a task as JSON.
	 * @param task the task
	 * @return the JSON
	 * @throws InvalidTaskException if an argument or the result cannot be serialized
	 */
	public String write(Task<?> task) {
		return new String(writeBytes(task), StandardCharsets.UTF_8);
	}

	/**
	 * Write a task as JSON in UTF-8, as it is sent to Redis.
	 * @param task the task
	 * @return the JSON
	 * @throws InvalidTaskException if an argument or the result cannot be serialized
	 */
	public byte[] writeBytes(Task<?> task) {
		Assert.notNull(task, "'task' must not be null");
		ByteArrayBuilder out = new ByteArrayBuilder(512);
		try (JsonGenerator json = this.valueMapper.createGenerator(out, JsonEncoding.UTF8)) {
			json.writeStartObject();
			json.writeStringProperty("id", task.getId().toString());
			json.writeStringProperty("status", task.getStatus().wireValue());
			json.writeName("exception");
			writeException(json, task.getException());
			writeValue(json, "result", task.getResult());
			json.writeName("spec");
			writeSpec(json, task.getSpec());
			json.writeName("config");
			writeConfig(json, task.getConfig());
			writeTime(json, "created_at", task.getCreatedAt());
			writeTime(json, "finished_at", task.getFinishedAt());
			writeTime(json, "scheduled_at", task.getScheduledAt());
			json.writeNumberProperty("retry_count", task.getRetryCount());
			writeTime(json, "last_retry_at", task.getLastRetryAt());
			writeTime(json, "next_retry_at", task.getNextRetryAt());
			writeUuid(json, "workflow_id", task.getWorkflowId());
			writeUuid(json, "cron_id", task.getCronId());
			json.writeEndObject();
		}
		catch (JacksonException ex) {
			throw new InvalidTaskException(null,
					"Task " + task.getId() + " (" + task.getName() + ") cannot be written as JSON: "
							+ ex.getOriginalMessage(),
					ex);
		}
		return out.toByteArray();
	}

	/**
	 * Read a task from JSON.
	 * @param json the JSON
	 * @return the task, with its result and arguments as JSON values
	 * @throws InvalidTaskException if the JSON is malformed or does not describe a task
	 */
	public Task<Object> read(String json) {
		Assert.notNull(json, "'json' must not be null");
		return readTask(parse(json, "task"));
	}

	/**
	 * Read a task from JSON in UTF-8, as it is read from Redis.
	 * @param json the JSON
	 * @return the task, with its result and arguments as JSON values
	 * @throws InvalidTaskException if the JSON is malformed or does not describe a task
	 */
	public Task<Object> read(byte[] json) {
		Assert.notNull(json, "'json' must not be null");
		Task<Object> task = READER.read(json);
		if (task != null) {
			return task;
		}
		JsonNode node;
		try {
			node = TREE_MAPPER.readTree(json);
		}
		catch (JacksonException ex) {
			// read as text: bytes that are not UTF-8 become replacement characters, or the error says what is wrong
			return read(new String(json, StandardCharsets.UTF_8));
		}
		if (node == null || !node.isObject()) {
			return read(new String(json, StandardCharsets.UTF_8));
		}
		return readTask(node);
	}

	/**
	 * Write a cron definition as JSON.
	 * @param cron the cron
	 * @return the JSON
	 */
	public String writeCron(TaskCron cron) {
		Assert.notNull(cron, "'cron' must not be null");
		StringWriter out = new StringWriter(512);
		try (JsonGenerator json = this.valueMapper.createGenerator(out)) {
			json.writeStartObject();
			json.writeStringProperty("id", cron.id().toString());
			json.writeStringProperty("expression", cron.expression());
			json.writeName("spec");
			writeSpec(json, cron.spec());
			json.writeName("config");
			writeConfig(json, cron.config());
			json.writeName("managed_by");
			if (cron.managedBy() != null) {
				json.writeString(cron.managedBy());
			}
			else {
				json.writeNull();
			}
			if (cron.zone() != null) {
				json.writeStringProperty("zone", cron.zone().getId());
			}
			json.writeEndObject();
		}
		catch (JacksonException ex) {
			throw new InvalidTaskException(null, "Cron " + cron.id() + " cannot be written as JSON: "
					+ ex.getOriginalMessage(), ex);
		}
		return out.toString();
	}

	/**
	 * Read a cron definition from JSON.
	 * @param json the JSON
	 * @return the cron
	 * @throws InvalidTaskException if the JSON is malformed or does not describe a cron
	 */
	public TaskCron readCron(String json) {
		Assert.notNull(json, "'json' must not be null");
		JsonNode node = parse(json, "cron");
		Fields fields = new Fields(node, "");
		return new TaskCron(fields.requiredUuid("id"), fields.requiredString("expression"),
				readSpec(fields.node("spec"), "spec."), readConfig(fields.node("config"), "config."),
				fields.string("managed_by"), fields.zone("zone"));
	}

	private JsonNode parse(String json, String what) {
		JsonNode node;
		try {
			node = TREE_MAPPER.readTree(json);
		}
		catch (JacksonException ex) {
			throw new InvalidTaskException(null, "Malformed " + what + " JSON: " + ex.getOriginalMessage(), ex);
		}
		if (node == null || !node.isObject()) {
			throw new InvalidTaskException(null, "A " + what + " must be a JSON object but was: " + abbreviate(json));
		}
		return node;
	}

	private Task<Object> readTask(JsonNode node) {
		Fields fields = new Fields(node, "");
		UUID id = fields.requiredUuid("id");
		TaskSpec spec = readSpec(fields.node("spec"), "spec.");
		Task.Builder<Object> builder = Task.builder(spec).id(id);
		String status = fields.string("status");
		if (status != null) {
			TaskStatus value = TaskStatus.fromWireValue(status);
			if (value == null) {
				throw fields.invalid("status", "one of " + Arrays.stream(TaskStatus.values())
					.map(TaskStatus::wireValue)
					.collect(Collectors.joining(", ")), node.get("status"));
			}
			builder.status(value);
		}
		builder.exception(readException(node.get("exception")));
		builder.result(toValue(node.get("result")));
		builder.config(readConfig(node.get("config"), "config."));
		Instant createdAt = fields.time("created_at");
		if (createdAt != null) {
			builder.createdAt(createdAt);
		}
		return builder.finishedAt(fields.time("finished_at"))
			.scheduledAt(fields.time("scheduled_at"))
			.retryCount(fields.integer("retry_count", 0))
			.lastRetryAt(fields.time("last_retry_at"))
			.nextRetryAt(fields.time("next_retry_at"))
			.workflowId(fields.uuid("workflow_id"))
			.cronId(fields.uuid("cron_id"))
			.build();
	}

	private TaskSpec readSpec(@Nullable JsonNode node, String path) {
		if (node == null || node.isNull() || node.isMissingNode()) {
			throw new InvalidTaskException(path.substring(0, path.length() - 1),
					"Required field '" + path.substring(0, path.length() - 1) + "' is missing");
		}
		Fields fields = new Fields(node, path);
		String func = fields.requiredString("func");
		JsonNode args = node.get("args");
		List<@Nullable Object> argValues = new ArrayList<>();
		if (args != null && !args.isNull()) {
			if (!args.isArray()) {
				throw fields.invalid("args", "a list", args);
			}
			args.forEach((arg) -> argValues.add(toValue(arg)));
		}
		JsonNode kwargs = node.get("kwargs");
		Map<String, @Nullable Object> kwargValues = new LinkedHashMap<>();
		if (kwargs != null && !kwargs.isNull()) {
			if (!kwargs.isObject()) {
				throw fields.invalid("kwargs", "an object", kwargs);
			}
			kwargs.properties().forEach((entry) -> kwargValues.put(entry.getKey(), toValue(entry.getValue())));
		}
		return new TaskSpec(func, argValues, kwargValues);
	}

	private TaskConfig readConfig(@Nullable JsonNode node, String path) {
		if (node == null || node.isNull()) {
			return TaskConfig.DEFAULT;
		}
		Fields fields = new Fields(node, path);
		try {
			return new TaskConfig(fields.integer("retry", 0), readRetryDelay(fields), fields.number("timeout"),
					fields.bool("retry_on_timeout", false), fields.bool("retry_on_crash", false),
					readRateLimit(node.get("rate_limit"), path + "rate_limit."), fields.ttl("ttl"),
					fields.ttl("error_ttl"));
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidTaskException(path.substring(0, path.length() - 1),
					"Invalid field '" + path.substring(0, path.length() - 1) + "': " + ex.getMessage(), ex);
		}
	}

	private RetryDelay readRetryDelay(Fields fields) {
		JsonNode node = fields.node.get("retry_delay");
		if (node == null || node.isNull()) {
			return RetryDelay.DEFAULT;
		}
		if (node.isNumber()) {
			return RetryDelay.of(node.doubleValue());
		}
		if (node.isArray() && !node.isEmpty()) {
			List<Double> values = new ArrayList<>();
			for (JsonNode element : node) {
				if (!element.isNumber()) {
					throw fields.invalid("retry_delay", "a number or a non-empty list of numbers", node);
				}
				values.add(element.doubleValue());
			}
			return RetryDelay.of(values);
		}
		throw fields.invalid("retry_delay", "a number or a non-empty list of numbers", node);
	}

	private @Nullable RateLimit readRateLimit(@Nullable JsonNode node, String path) {
		if (node == null || node.isNull()) {
			return null;
		}
		if (!node.isObject()) {
			throw new InvalidTaskException(path.substring(0, path.length() - 1), "Field '"
					+ path.substring(0, path.length() - 1) + "' must be an object but was " + node);
		}
		Fields fields = new Fields(node, path);
		Double period = fields.number("rate_period");
		if (period == null) {
			throw fields.missing("rate_period");
		}
		if (!node.hasNonNull("max_rate")) {
			throw fields.missing("max_rate");
		}
		return new RateLimit(fields.integer("max_rate", 0), period);
	}

	private @Nullable TaskException readException(@Nullable JsonNode node) {
		if (node == null || node.isNull()) {
			return null;
		}
		Fields fields = new Fields(node, "exception.");
		if (!node.isObject()) {
			throw new InvalidTaskException("exception", "Field 'exception' must be an object or null but was " + node);
		}
		String type = fields.string("type");
		String message = fields.string("message");
		JsonNode args = node.get("args");
		List<@Nullable Object> argValues = new ArrayList<>();
		if (args != null && !args.isNull()) {
			if (!args.isArray()) {
				throw fields.invalid("args", "a list", args);
			}
			args.forEach((arg) -> argValues.add(toValue(arg)));
		}
		String module = fields.string("module");
		return new TaskException((type != null) ? type : "Exception", (module != null) ? module : "",
				(message != null) ? message : "", argValues, fields.string("traceback"));
	}

	private static @Nullable Object toValue(@Nullable JsonNode node) {
		if (node == null || node.isNull() || node.isMissingNode()) {
			return null;
		}
		if (node.isObject()) {
			Map<String, @Nullable Object> map = new LinkedHashMap<>();
			node.properties().forEach((entry) -> map.put(entry.getKey(), toValue(entry.getValue())));
			return map;
		}
		if (node.isArray()) {
			List<@Nullable Object> list = new ArrayList<>(node.size());
			node.forEach((element) -> list.add(toValue(element)));
			return list;
		}
		if (node.isString()) {
			return node.stringValue();
		}
		if (node.isBoolean()) {
			return node.booleanValue();
		}
		if (node.isNumber()) {
			return node.numberValue();
		}
		throw new InvalidTaskException(null, "Unsupported JSON value: " + node);
	}

	private void writeSpec(JsonGenerator json, TaskSpec spec) {
		json.writeStartObject();
		json.writeStringProperty("func", spec.func());
		json.writeName("args");
		json.writeStartArray();
		for (Object arg : spec.args()) {
			writeValue(json, arg);
		}
		json.writeEndArray();
		json.writeName("kwargs");
		json.writeStartObject();
		for (Map.Entry<String, @Nullable Object> kwarg : spec.kwargs().entrySet()) {
			writeValue(json, kwarg.getKey(), kwarg.getValue());
		}
		json.writeEndObject();
		json.writeEndObject();
	}

	private void writeConfig(JsonGenerator json, TaskConfig config) {
		json.writeStartObject();
		json.writeNumberProperty("retry", config.retry());
		json.writeName("retry_delay");
		if (config.retryDelay().isList()) {
			json.writeStartArray();
			for (double delay : config.retryDelay().seconds()) {
				json.writeNumber(delay);
			}
			json.writeEndArray();
		}
		else {
			json.writeNumber(config.retryDelay().seconds().get(0));
		}
		json.writeName("timeout");
		if (config.timeout() != null) {
			json.writeNumber(config.timeout());
		}
		else {
			json.writeNull();
		}
		json.writeBooleanProperty("retry_on_timeout", config.retryOnTimeout());
		json.writeBooleanProperty("retry_on_crash", config.retryOnCrash());
		json.writeName("rate_limit");
		RateLimit rateLimit = config.rateLimit();
		if (rateLimit != null) {
			json.writeStartObject();
			json.writeNumberProperty("max_rate", rateLimit.maxRate());
			json.writeNumberProperty("rate_period", rateLimit.ratePeriod());
			json.writeEndObject();
		}
		else {
			json.writeNull();
		}
		writeTtl(json, "ttl", config.ttl());
		writeTtl(json, "error_ttl", config.errorTtl());
		json.writeEndObject();
	}

	private static void writeTtl(JsonGenerator json, String name, Ttl ttl) {
		json.writeName(name);
		if (ttl.isInherit()) {
			json.writeString(Ttl.INHERIT_VALUE);
		}
		else if (ttl.isNever()) {
			json.writeNull();
		}
		else {
			json.writeNumber(ttl.seconds());
		}
	}

	private static void writeException(JsonGenerator json, @Nullable TaskException exception) {
		if (exception == null) {
			json.writeNull();
			return;
		}
		json.writeStartObject();
		json.writeStringProperty("type", exception.type());
		json.writeStringProperty("module", exception.module());
		json.writeStringProperty("message", exception.message());
		json.writeName("args");
		json.writeStartArray();
		for (Object arg : exception.args()) {
			json.writePOJO(arg);
		}
		json.writeEndArray();
		json.writeName("traceback");
		if (exception.traceback() != null) {
			json.writeString(exception.traceback());
		}
		else {
			json.writeNull();
		}
		json.writeEndObject();
	}

	private void writeValue(JsonGenerator json, String name, @Nullable Object value) {
		json.writeName(name);
		writeValue(json, value);
	}

	/**
	 * Write a value: JSON values (as tasks read from a queue hold them) directly, anything else with the value mapper.
	 */
	private void writeValue(JsonGenerator json, @Nullable Object value) {
		if (value == null) {
			json.writeNull();
		}
		else if (value instanceof String string) {
			json.writeString(string);
		}
		else if (value instanceof Integer number) {
			json.writeNumber(number);
		}
		else if (value instanceof Long number) {
			json.writeNumber(number);
		}
		else if (value instanceof Double number) {
			json.writeNumber(number);
		}
		else if (value instanceof Boolean bool) {
			json.writeBoolean(bool);
		}
		else if (value instanceof List<?> list) {
			json.writeStartArray();
			for (Object element : list) {
				writeValue(json, element);
			}
			json.writeEndArray();
		}
		else if (value instanceof Map<?, ?> map && map.keySet().stream().allMatch(String.class::isInstance)) {
			json.writeStartObject();
			for (Map.Entry<?, ?> entry : map.entrySet()) {
				json.writeName((String) entry.getKey());
				writeValue(json, entry.getValue());
			}
			json.writeEndObject();
		}
		else {
			this.valueMapper.writeValue(json, value);
		}
	}

	private static void writeTime(JsonGenerator json, String name, @Nullable Instant time) {
		json.writeName(name);
		if (time != null) {
			json.writeString(WireTimes.format(time));
		}
		else {
			json.writeNull();
		}
	}

	private static void writeUuid(JsonGenerator json, String name, @Nullable UUID uuid) {
		json.writeName(name);
		if (uuid != null) {
			json.writeString(uuid.toString());
		}
		else {
			json.writeNull();
		}
	}

	private static String abbreviate(String text) {
		return (text.length() <= 100) ? text : text.substring(0, 100) + "...";
	}

	/**
	 * Typed access to the fields of one JSON object, with errors that name the field by its dotted path.
	 */
	private static final class Fields {

		private final JsonNode node;

		private final String path;

		Fields(JsonNode node, String path) {
			this.node = node;
			this.path = path;
		}

		JsonNode node(String name) {
			return this.node.get(name);
		}

		@Nullable String string(String name) {
			JsonNode value = this.node.get(name);
			if (value == null || value.isNull()) {
				return null;
			}
			if (!value.isString()) {
				throw invalid(name, "a string", value);
			}
			return value.stringValue();
		}

		String requiredString(String name) {
			String value = string(name);
			if (value == null) {
				throw missing(name);
			}
			if (value.isEmpty()) {
				throw invalid(name, "a non-empty string", this.node.get(name));
			}
			return value;
		}

		@Nullable UUID uuid(String name) {
			String value = string(name);
			if (value == null) {
				return null;
			}
			try {
				return UUID.fromString(value);
			}
			catch (IllegalArgumentException ex) {
				throw invalid(name, "a UUID", this.node.get(name));
			}
		}

		UUID requiredUuid(String name) {
			UUID value = uuid(name);
			if (value == null) {
				throw missing(name);
			}
			return value;
		}

		int integer(String name, int defaultValue) {
			JsonNode value = this.node.get(name);
			if (value == null || value.isNull()) {
				return defaultValue;
			}
			if (value.isIntegralNumber() && value.canConvertToInt()) {
				return value.intValue();
			}
			if (value.isFloatingPointNumber() && value.doubleValue() == Math.rint(value.doubleValue())
					&& Math.abs(value.doubleValue()) <= Integer.MAX_VALUE) {
				return (int) value.doubleValue();
			}
			throw invalid(name, "an integer", value);
		}

		@Nullable Double number(String name) {
			JsonNode value = this.node.get(name);
			if (value == null || value.isNull()) {
				return null;
			}
			if (!value.isNumber()) {
				throw invalid(name, "a number", value);
			}
			return value.doubleValue();
		}

		boolean bool(String name, boolean defaultValue) {
			JsonNode value = this.node.get(name);
			if (value == null || value.isNull()) {
				return defaultValue;
			}
			if (!value.isBoolean()) {
				throw invalid(name, "true or false", value);
			}
			return value.booleanValue();
		}

		@Nullable Instant time(String name) {
			String value = string(name);
			if (value == null) {
				return null;
			}
			try {
				return WireTimes.parse(value);
			}
			catch (DateTimeException ex) {
				throw invalid(name, "an ISO-8601 datetime", this.node.get(name));
			}
		}

		@Nullable ZoneId zone(String name) {
			String value = string(name);
			if (value == null) {
				return null;
			}
			try {
				return ZoneId.of(value);
			}
			catch (DateTimeException ex) {
				throw invalid(name, "a time zone id such as Europe/Berlin", this.node.get(name));
			}
		}

		Ttl ttl(String name) {
			JsonNode value = this.node.get(name);
			if (value == null) {
				return Ttl.INHERIT;
			}
			if (value.isNull()) {
				return Ttl.NEVER;
			}
			if (value.isString() && Ttl.INHERIT_VALUE.equals(value.stringValue())) {
				return Ttl.INHERIT;
			}
			if (value.isNumber() && value.doubleValue() >= 1 && value.doubleValue() == Math.rint(value.doubleValue())) {
				return Ttl.ofSeconds(value.longValue());
			}
			throw invalid(name, "a positive whole number of seconds, null or \"inherit\"", value);
		}

		InvalidTaskException missing(String name) {
			return new InvalidTaskException(this.path + name, "Required field '" + this.path + name + "' is missing");
		}

		InvalidTaskException invalid(String name, String expected, @Nullable JsonNode actual) {
			return new InvalidTaskException(this.path + name,
					"Field '" + this.path + name + "' must be " + expected + " but was " + actual);
		}

	}

}
