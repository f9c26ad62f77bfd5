package io.sheppy.spring.backend;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

import io.sheppy.spring.core.TaskStatus;

/**
 * The state a {@link RedisBackend} writes to a task's record when it claims the task: the JSON the task was queued
 * with, its top-level {@code status} value replaced and every other byte kept (so a record in Python's layout stays in
 * Python's layout, and nothing is serialized again). The scripts recognise a record by its beginning, up to and with
 * its status value, without reading all of it: the {@linkplain #queuedPrefix() queued prefix} tells that a record is
 * still in the state it was queued in, the {@linkplain #markedPrefix() marked prefix} that it is still the state this
 * claim wrote (processing, so not finished).
 *
 * @param json the JSON of the marked state
 * @param queuedPrefix the queued JSON up to the end of its status value
 * @param markedPrefix the marked JSON up to the end of its status value
 * @author Sheppy for Spring
 */
record ClaimMark(byte[] json, byte[] queuedPrefix, byte[] markedPrefix) {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	/**
	 * Mark the JSON of a queued task with a new status.
	 * @param queued the JSON the task was queued with
	 * @param status the status to write
	 * @return the mark, or {@code null} when the JSON is not an object with a status string at its top level
	 */
	static @Nullable ClaimMark of(byte[] queued, TaskStatus status) {
		int[] value = statusValue(queued);
		if (value == null) {
			return null;
		}
		return at(queued, value[0], status);
	}

	/**
	 * Mark the JSON of a queued task with a new status, its status value known to start at the given place and to
	 * hold no escaped character (as the scripts that find it make sure).
	 * @param queued the JSON the task was queued with
	 * @param statusStart where the status value starts in it (its opening quote)
	 * @param status the status to write
	 * @return the mark
	 */
	static ClaimMark at(byte[] queued, int statusStart, TaskStatus status) {
		int end = statusStart + 1;
		while (queued[end] != '"') {
			end++;
		}
		end++;
		byte[] prefix = markedPrefix(queued, statusStart, status);
		byte[] json = Arrays.copyOf(prefix, prefix.length + queued.length - end);
		System.arraycopy(queued, end, json, prefix.length, queued.length - end);
		return new ClaimMark(json, Arrays.copyOf(queued, end), prefix);
	}

	/**
	 * Return the beginning of a marked JSON, up to the end of its new status value.
	 * @param queued the JSON the task was queued with
	 * @param statusStart where the status value starts in it (its opening quote)
	 * @param status the status written
	 * @return the queued JSON up to the status value, and the new value in quotes
	 */
	static byte[] markedPrefix(byte[] queued, int statusStart, TaskStatus status) {
		byte[] value = ('"' + status.wireValue() + '"').getBytes(StandardCharsets.UTF_8);
		byte[] prefix = Arrays.copyOf(queued, statusStart + value.length);
		System.arraycopy(value, 0, prefix, statusStart, value.length);
		return prefix;
	}

	/**
	 * Return where the string value of the top-level {@code status} field starts and ends (its quotes included), or
	 * {@code null} when there is none or the JSON is not an object.
	 */
	private static int @Nullable [] statusValue(byte[] json) {
		try (JsonParser parser = MAPPER.createParser(json)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				return null;
			}
			while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
				String name = parser.currentName();
				JsonToken token = parser.nextToken();
				if ("status".equals(name) && token == JsonToken.VALUE_STRING) {
					int start = (int) parser.currentTokenLocation().getByteOffset();
					String text = parser.getString();
					int end = (int) parser.currentLocation().getByteOffset();
					// the bytes are those of the value, quotes included (never an escaped status)
					boolean exact = start >= 0 && end > start + 1 && end <= json.length && json[start] == '"'
							&& json[end - 1] == '"'
							&& text.equals(new String(json, start + 1, end - start - 2, StandardCharsets.UTF_8));
					return exact ? new int[] { start, end } : null;
				}
				parser.skipChildren();
			}
			return null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

}
