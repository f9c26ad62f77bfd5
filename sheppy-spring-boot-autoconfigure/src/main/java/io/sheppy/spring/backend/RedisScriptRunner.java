package io.sheppy.spring.backend;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisPipelineException;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.data.redis.serializer.SerializationException;
import org.springframework.util.Assert;

/**
 * Runs the Lua scripts of the Redis backend ({@link RedisScripts}): arguments are sent as UTF-8 strings, or as they
 * are when they are bytes, and replies are read as strings, or kept as the bytes Redis sent when asked.
 *
 * @author Sheppy for Spring
 */
final class RedisScriptRunner {

	private static final RedisSerializer<Object> ARGS_SERIALIZER = new ArgsSerializer();

	private final StringRedisTemplate redisTemplate;

	private final RedisDedicatedConnections connections;

	RedisScriptRunner(StringRedisTemplate redisTemplate, RedisDedicatedConnections connections) {
		this.redisTemplate = redisTemplate;
		this.connections = connections;
	}

	/**
	 * Run a script whose replies are read as strings.
	 */
	<T> T execute(RedisScript<T> script, List<String> keys, List<?> args) {
		return this.redisTemplate.execute(script, ARGS_SERIALIZER, resultSerializer(), keys, args.toArray());
	}

	/**
	 * Run a script whose replies are kept as the bytes Redis sent.
	 */
	<T> T executeForBytes(RedisScript<T> script, List<String> keys, List<?> args) {
		return this.redisTemplate.execute(script, ARGS_SERIALIZER, rawResults(), keys, args.toArray());
	}

	/**
	 * Run a script pipelined with the registration of its queue in the registry of queues. The registry is a key of
	 * its own, outside the queue's hash slot, so it is never touched by the script.
	 */
	<T> T executeAndRegister(String queue, RedisScript<T> script, List<String> keys, List<?> args) {
		byte[][] keysAndArgs = new byte[keys.size() + args.size()][];
		int i = 0;
		for (String key : keys) {
			keysAndArgs[i++] = RedisSupport.bytes(key);
		}
		for (Object arg : args) {
			keysAndArgs[i++] = ARGS_SERIALIZER.serialize(arg);
		}
		ReturnType returnType = ReturnType.fromJavaType(script.getResultType());
		List<Object> results;
		try {
			results = this.connections.executePipelined((connection) -> {
				connection.hashCommands()
					.hSetNX(RedisSupport.bytes(RedisKeys.QUEUES), RedisSupport.bytes(queue), RedisSupport.bytes("{}"));
				connection.scriptingCommands().evalSha(script.getSha1(), returnType, keys.size(), keysAndArgs);
			});
		}
		catch (RedisPipelineException ex) {
			if (!RedisSupport.hasErrorCode(ex, "NOSCRIPT")) {
				throw ex;
			}
			// the registration is done; the template loads the script with EVAL
			return execute(script, keys, args);
		}
		return deserialize(results.get(1));
	}

	@SuppressWarnings("unchecked")
	private static <T> T deserialize(@Nullable Object result) {
		if (result instanceof byte[] bytes) {
			return (T) RedisSupport.string(bytes);
		}
		if (result instanceof List<?> list) {
			List<Object> values = new ArrayList<>(list.size());
			list.forEach((element) -> values.add(deserialize(element)));
			return (T) values;
		}
		return (T) result;
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static <T> RedisSerializer<T> resultSerializer() {
		return (RedisSerializer) RedisSerializer.string();
	}

	/**
	 * Return the serializer of script results that are kept as the bytes Redis sent.
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static <T> RedisSerializer<T> rawResults() {
		return (RedisSerializer) RedisSerializer.byteArray();
	}

	/**
	 * Writes script arguments: strings as UTF-8, byte arrays as they are.
	 */
	private static final class ArgsSerializer implements RedisSerializer<Object> {

		@Override
		public byte[] serialize(@Nullable Object value) throws SerializationException {
			if (value instanceof byte[] bytes) {
				return bytes;
			}
			Assert.notNull(value, "A script argument must not be null");
			return RedisSupport.bytes(value.toString());
		}

		@Override
		public @Nullable Object deserialize(byte @Nullable [] bytes) throws SerializationException {
			return (bytes != null) ? RedisSupport.string(bytes) : null;
		}

	}

}
