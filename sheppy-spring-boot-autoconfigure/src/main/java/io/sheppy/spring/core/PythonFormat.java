package io.sheppy.spring.core;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The text forms that Python Sheppy hashes into cron ids, reproduced exactly: pydantic's compact JSON
 * ({@code model_dump_json}) of a task's spec and config, and Python's {@code str(float)}.
 * <p>
 * Both print a float with the fewest digits that read back to the same double. They differ in when they switch to
 * exponent notation and how they write the exponent: Python's {@code repr} gives {@code 1e+16} and {@code 1e-05},
 * pydantic (Rust's {@code ryu}) gives {@code 1e16} and {@code 0.00001}.
 *
 * @author Sheppy for Spring
 */
final class PythonFormat {

	private PythonFormat() {
	}

	/**
	 * Return pydantic's compact JSON of a spec: {@code {"func":...,"args":[...],"kwargs":{...}}}.
	 */
	static String json(TaskSpec spec) {
		StringBuilder out = new StringBuilder(128);
		out.append("{\"func\":");
		string(out, spec.func());
		out.append(",\"args\":");
		value(out, spec.args());
		out.append(",\"kwargs\":");
		value(out, spec.kwargs());
		return out.append('}').toString();
	}

	/**
	 * Return pydantic's compact JSON of a config, fields in Python Sheppy's order.
	 */
	static String json(TaskConfig config) {
		StringBuilder out = new StringBuilder(192);
		out.append("{\"retry\":").append(config.retry());
		out.append(",\"retry_delay\":");
		value(out, config.retryDelay().wireValue());
		out.append(",\"timeout\":");
		value(out, config.timeout());
		out.append(",\"retry_on_timeout\":").append(config.retryOnTimeout());
		out.append(",\"retry_on_crash\":").append(config.retryOnCrash());
		out.append(",\"rate_limit\":");
		RateLimit rateLimit = config.rateLimit();
		if (rateLimit != null) {
			out.append("{\"max_rate\":").append(rateLimit.maxRate()).append(",\"rate_period\":");
			out.append(jsonFloat(rateLimit.ratePeriod())).append('}');
		}
		else {
			out.append("null");
		}
		out.append(",\"ttl\":");
		value(out, config.ttl().wireValue());
		out.append(",\"error_ttl\":");
		value(out, config.errorTtl().wireValue());
		return out.append('}').toString();
	}

	private static void value(StringBuilder out, @Nullable Object value) {
		if (value == null) {
			out.append("null");
		}
		else if (value instanceof String string) {
			string(out, string);
		}
		else if (value instanceof Boolean bool) {
			out.append(bool);
		}
		else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
				|| value instanceof BigInteger) {
			out.append(value);
		}
		else if (value instanceof Float number) {
			out.append(jsonFloat(Double.parseDouble(number.toString())));
		}
		else if (value instanceof Number number) {
			out.append(jsonFloat(number.doubleValue()));
		}
		else if (value instanceof List<?> list) {
			out.append('[');
			for (int i = 0; i < list.size(); i++) {
				out.append((i > 0) ? "," : "");
				value(out, list.get(i));
			}
			out.append(']');
		}
		else if (value instanceof Map<?, ?> map) {
			out.append('{');
			boolean first = true;
			for (Map.Entry<?, ?> entry : map.entrySet()) {
				out.append(first ? "" : ",");
				first = false;
				string(out, String.valueOf(entry.getKey()));
				out.append(':');
				value(out, entry.getValue());
			}
			out.append('}');
		}
		else {
			throw new IllegalArgumentException("A task argument must be a JSON value (null, boolean, number, string, "
					+ "list or map) to compute a cron id, but was a " + value.getClass().getName());
		}
	}

	/**
	 * Write a JSON string as serde_json does: quotes, backslashes and control characters escaped, everything else
	 * (also non-ASCII) as it is.
	 */
	private static void string(StringBuilder out, String value) {
		out.append('"');
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				case '\t' -> out.append("\\t");
				case '\b' -> out.append("\\b");
				case '\f' -> out.append("\\f");
				default -> {
					if (c < 0x20) {
						out.append(String.format("\\u%04x", (int) c));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		out.append('"');
	}

	/**
	 * Return a float as pydantic writes it in JSON.
	 */
	static String jsonFloat(double value) {
		Shortest shortest = Shortest.of(value);
		String digits = shortest.digits;
		int length = digits.length();
		int kk = shortest.pointPosition;
		int k = kk - length;
		StringBuilder out = new StringBuilder(24).append(shortest.negative ? "-" : "");
		if (k >= 0 && kk <= 16) {
			out.append(digits).append("0".repeat(k)).append(".0");
		}
		else if (kk > 0 && kk <= 16) {
			out.append(digits, 0, kk).append('.').append(digits, kk, length);
		}
		else if (kk > -5 && kk <= 0) {
			out.append("0.").append("0".repeat(-kk)).append(digits);
		}
		else {
			out.append(digits.charAt(0));
			if (length > 1) {
				out.append('.').append(digits, 1, length);
			}
			out.append('e').append(kk - 1);
		}
		return out.toString();
	}

	/**
	 * Return a float as Python's {@code str()} and {@code repr()} write it.
	 */
	static String str(double value) {
		Shortest shortest = Shortest.of(value);
		String digits = shortest.digits;
		int length = digits.length();
		int kk = shortest.pointPosition;
		int exponent = kk - 1;
		StringBuilder out = new StringBuilder(24).append(shortest.negative ? "-" : "");
		if (exponent >= -4 && exponent < 16) {
			if (kk <= 0) {
				out.append("0.").append("0".repeat(-kk)).append(digits);
			}
			else if (kk >= length) {
				out.append(digits).append("0".repeat(kk - length)).append(".0");
			}
			else {
				out.append(digits, 0, kk).append('.').append(digits, kk, length);
			}
		}
		else {
			out.append(digits.charAt(0));
			if (length > 1) {
				out.append('.').append(digits, 1, length);
			}
			out.append('e').append((exponent < 0) ? '-' : '+');
			int magnitude = Math.abs(exponent);
			out.append((magnitude < 10) ? "0" : "").append(magnitude);
		}
		return out.toString();
	}

	/**
	 * The shortest decimal digits that read back to a double, and where the decimal point goes: the value is
	 * {@code 0.<digits> * 10^pointPosition}.
	 */
	private record Shortest(boolean negative, String digits, int pointPosition) {

		static Shortest of(double value) {
			if (!Double.isFinite(value)) {
				throw new IllegalArgumentException("Python Sheppy cannot hash a non-finite float: " + value);
			}
			boolean negative = (Double.doubleToRawLongBits(value) < 0);
			double magnitude = Math.abs(value);
			if (magnitude == 0) {
				return new Shortest(negative, "0", 1);
			}
			BigDecimal exact = new BigDecimal(magnitude);
			for (int precision = 1; precision <= 17; precision++) {
				BigDecimal rounded = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
				if (rounded.doubleValue() == magnitude) {
					BigDecimal stripped = rounded.stripTrailingZeros();
					String digits = stripped.unscaledValue().toString();
					return new Shortest(negative, digits, digits.length() - stripped.scale());
				}
			}
			throw new IllegalStateException("No decimal form found for " + value);
		}

	}

}
