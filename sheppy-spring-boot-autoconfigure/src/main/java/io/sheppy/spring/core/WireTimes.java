package io.sheppy.spring.core;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;

/**
 * Datetimes as Python Sheppy writes them: ISO-8601 in UTC with a {@code Z} suffix and microseconds, the fraction left
 * out when it is zero (as Python's {@code isoformat}). Reading accepts any offset, and a time without one as UTC.
 * Both directions have a fast path for the forms Sheppy writes, as they are on the hot path of every task.
 *
 * @author Sheppy for Spring
 */
final class WireTimes {

	private WireTimes() {
	}

	static String format(Instant instant) {
		LocalDateTime time = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
		int year = time.getYear();
		if (year < 1000 || year > 9999) {
			return slowFormat(time);
		}
		StringBuilder text = new StringBuilder(27).append(year).append('-');
		two(text, time.getMonthValue()).append('-');
		two(text, time.getDayOfMonth()).append('T');
		two(text, time.getHour()).append(':');
		two(text, time.getMinute()).append(':');
		two(text, time.getSecond());
		int micros = time.getNano() / 1000;
		if (micros != 0) {
			String digits = Integer.toString(micros);
			text.append('.').append("000000", 0, 6 - digits.length()).append(digits);
		}
		return text.append('Z').toString();
	}

	private static StringBuilder two(StringBuilder text, int value) {
		return text.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
	}

	private static String slowFormat(LocalDateTime time) {
		int micros = time.getNano() / 1000;
		String base = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").format(time);
		return (micros != 0) ? base + String.format(".%06dZ", micros) : base + "Z";
	}

	static Instant parse(String text) {
		Instant fast = fastParse(text);
		return (fast != null) ? fast : slowParse(text);
	}

	/**
	 * Parse {@code uuuu-MM-ddTHH:mm:ss}, an optional fraction, and {@code Z}, {@code +hh:mm}, {@code -hh:mm} or no
	 * offset; return {@code null} for anything else.
	 */
	private static Instant fastParse(String text) {
		int length = text.length();
		if (length < 19 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
				|| text.charAt(13) != ':' || text.charAt(16) != ':') {
			return null;
		}
		int year = digits(text, 0, 4);
		int month = digits(text, 5, 2);
		int day = digits(text, 8, 2);
		int hour = digits(text, 11, 2);
		int minute = digits(text, 14, 2);
		int second = digits(text, 17, 2);
		if ((year | month | day | hour | minute | second) < 0) {
			return null;
		}
		int position = 19;
		int nanos = 0;
		if (position < length && text.charAt(position) == '.') {
			position++;
			int start = position;
			while (position < length && Character.isDigit(text.charAt(position))) {
				if (position - start < 9) {
					nanos = nanos * 10 + (text.charAt(position) - '0');
				}
				position++;
			}
			int count = position - start;
			if (count == 0) {
				return null;
			}
			for (int i = count; i < 9; i++) {
				nanos *= 10;
			}
		}
		int offsetSeconds = 0;
		if (position < length) {
			char sign = text.charAt(position);
			if (sign == 'Z' && position + 1 == length) {
				offsetSeconds = 0;
			}
			else if ((sign == '+' || sign == '-') && position + 6 == length && text.charAt(position + 3) == ':') {
				int hours = digits(text, position + 1, 2);
				int minutes = digits(text, position + 4, 2);
				if ((hours | minutes) < 0) {
					return null;
				}
				offsetSeconds = ((sign == '-') ? -1 : 1) * (hours * 3600 + minutes * 60);
			}
			else {
				return null;
			}
		}
		try {
			LocalDateTime local = LocalDateTime.of(year, month, day, hour, minute, second, nanos);
			return local.toInstant(ZoneOffset.ofTotalSeconds(offsetSeconds)).truncatedTo(ChronoUnit.MICROS);
		}
		catch (DateTimeException ex) {
			throw new DateTimeException("'" + text + "' is not a datetime", ex);
		}
	}

	private static int digits(String text, int start, int count) {
		int value = 0;
		for (int i = start; i < start + count; i++) {
			char c = text.charAt(i);
			if (c < '0' || c > '9') {
				return -1;
			}
			value = value * 10 + (c - '0');
		}
		return value;
	}

	private static Instant slowParse(String text) {
		TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parse(text.trim());
		LocalDateTime local = LocalDateTime.from(parsed);
		ZoneOffset offset = parsed.isSupported(ChronoField.OFFSET_SECONDS) ? ZoneOffset.from(parsed) : ZoneOffset.UTC;
		try {
			return OffsetDateTime.of(local, offset).toInstant().truncatedTo(ChronoUnit.MICROS);
		}
		catch (DateTimeException ex) {
			throw new DateTimeException("'" + text + "' is not a datetime", ex);
		}
	}

}
