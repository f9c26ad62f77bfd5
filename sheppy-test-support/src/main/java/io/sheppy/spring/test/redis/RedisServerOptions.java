package io.sheppy.spring.test.redis;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * How a test Redis server is configured: without persistence by default ({@code save ""}, {@code appendonly no}),
 * optionally with an append-only file that is fsynced on every write so that data survives a kill.
 *
 * @param aof whether the append-only file is on ({@code appendonly yes} with {@code appendfsync always})
 * @param extraConfig further configuration lines in {@code redis.conf} syntax ({@code "directive value"}), applied
 * last so that they override the defaults
 * @param maxmemoryPolicy the {@code maxmemory-policy}, or {@code null} for the Redis default
 */
public record RedisServerOptions(boolean aof, List<String> extraConfig, @Nullable String maxmemoryPolicy) {

	private static final RedisServerOptions DEFAULTS = new RedisServerOptions(false, List.of(), null);

	/**
	 * Create a new instance, checking that every extra configuration line has a directive and a value.
	 * @param aof whether the append-only file is on
	 * @param extraConfig further configuration lines
	 * @param maxmemoryPolicy the {@code maxmemory-policy} or {@code null}
	 */
	public RedisServerOptions {
		extraConfig = List.copyOf(extraConfig);
		for (String line : extraConfig) {
			Assert.isTrue(tokenize(line).size() >= 2,
					() -> "Redis configuration line '" + line + "' must have the form 'directive value'");
		}
		Assert.isTrue(maxmemoryPolicy == null || !maxmemoryPolicy.isBlank(), "'maxmemoryPolicy' must not be blank");
	}

	/**
	 * Return the default options: no persistence at all.
	 * @return the default options
	 */
	public static RedisServerOptions defaults() {
		return DEFAULTS;
	}

	/**
	 * Return a copy with the append-only file switched on or off.
	 * @param aof whether the append-only file is on
	 * @return the new options
	 */
	public RedisServerOptions withAof(boolean aof) {
		return new RedisServerOptions(aof, this.extraConfig, this.maxmemoryPolicy);
	}

	/**
	 * Return a copy with the given configuration lines appended to the extra configuration.
	 * @param lines configuration lines such as {@code "maxmemory 10mb"}
	 * @return the new options
	 */
	public RedisServerOptions withConfig(String... lines) {
		List<String> config = new ArrayList<>(this.extraConfig);
		config.addAll(List.of(lines));
		return new RedisServerOptions(this.aof, config, this.maxmemoryPolicy);
	}

	/**
	 * Return a copy with the given {@code maxmemory-policy}.
	 * @param maxmemoryPolicy the policy such as {@code noeviction}, or {@code null} for the Redis default
	 * @return the new options
	 */
	public RedisServerOptions withMaxmemoryPolicy(@Nullable String maxmemoryPolicy) {
		return new RedisServerOptions(this.aof, this.extraConfig, maxmemoryPolicy);
	}

	/**
	 * Return these options as {@code redis-server} command line arguments.
	 * @return the arguments, for example {@code --save "" --appendonly no}
	 */
	List<String> toArguments() {
		List<String> arguments = new ArrayList<>(List.of("--save", "", "--appendonly", this.aof ? "yes" : "no"));
		if (this.aof) {
			arguments.addAll(List.of("--appendfsync", "always"));
		}
		if (this.maxmemoryPolicy != null) {
			arguments.addAll(List.of("--maxmemory-policy", this.maxmemoryPolicy));
		}
		for (String line : this.extraConfig) {
			List<String> tokens = tokenize(line);
			arguments.add("--" + tokens.get(0));
			arguments.addAll(tokens.subList(1, tokens.size()));
		}
		return arguments;
	}

	/**
	 * Split a configuration line into words the way Redis does: on whitespace, with single or double quoted words
	 * ({@code ""} is an empty word) and backslash escapes inside double quotes.
	 * @param line the line
	 * @return the words
	 */
	static List<String> tokenize(String line) {
		List<String> tokens = new ArrayList<>();
		int i = 0;
		int length = line.length();
		while (i < length) {
			while (i < length && Character.isWhitespace(line.charAt(i))) {
				i++;
			}
			if (i == length) {
				break;
			}
			StringBuilder token = new StringBuilder();
			char quote = line.charAt(i);
			if (quote == '"' || quote == '\'') {
				i++;
				while (i < length && line.charAt(i) != quote) {
					if (quote == '"' && line.charAt(i) == '\\' && i + 1 < length) {
						i++;
					}
					token.append(line.charAt(i++));
				}
				Assert.isTrue(i < length, () -> "Unbalanced quotes in Redis configuration line '" + line + "'");
				i++;
			}
			else {
				while (i < length && !Character.isWhitespace(line.charAt(i))) {
					token.append(line.charAt(i++));
				}
			}
			tokens.add(token.toString());
		}
		return tokens;
	}

}
