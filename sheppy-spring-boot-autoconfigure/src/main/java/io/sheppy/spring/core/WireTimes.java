package io.sheppy.spring.core;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;

/**
 * Datetimes as Python Sheppy writes them: ISO-8601 in UTC with a {@code Z} suffix and microseconds, the fraction left
 * out when it is zero (as Python's {@code isoformat}). Reading accepts any offset, and a time without one as UTC.
 *
 * @author Sheppy for Spring
 */
final class WireTimes {

	private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

	private WireTimes() {
	}

	static String format(Instant instant) {
		LocalDateTime time = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
		int micros = time.getNano() / 1000;
		StringBuilder text = new StringBuilder(27).append(SECONDS.format(time));
		if (micros != 0) {
			String digits = Integer.toString(micros);
			text.append('.').append("000000", 0, 6 - digits.length()).append(digits);
		}
		return text.append('Z').toString();
	}

	static Instant parse(String text) {
		TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parse(text.trim());
		LocalDateTime local = LocalDateTime.from(parsed);
		ZoneOffset offset = parsed.isSupported(ChronoField.OFFSET_SECONDS) ? ZoneOffset.from(parsed) : ZoneOffset.UTC;
		try {
			return OffsetDateTime.of(local, offset).toInstant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
		}
		catch (DateTimeException ex) {
			throw new DateTimeException("'" + text + "' is not a datetime", ex);
		}
	}

}
