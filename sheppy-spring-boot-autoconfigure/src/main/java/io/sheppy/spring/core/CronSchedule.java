package io.sheppy.spring.core;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * A cron expression and the fire times it gives, computed as Python Sheppy computes them with {@code croniter}
 * (default options), so that Java and Python workers sharing a cron agree on every run.
 * <p>
 * An expression is 5-field Unix cron {@code minute hour day-of-month month day-of-week}, optionally followed by a
 * sixth field for the second (last, as croniter has it; without it the second is 0), or one of the macros
 * {@code @yearly @annually @monthly @weekly @daily @midnight @hourly}. A field is {@code *}, a number, a range
 * {@code a-b}, a step {@code *}{@code /n}, {@code a-b/n} or {@code a/n} (from {@code a} to the field's maximum), or a
 * comma-separated list of these; months and days of the week may be given by their English three-letter names, in any
 * case. Day of week 0 and 7 are Sunday (7 only in a 5-field expression, as in croniter). {@code ?} stands for
 * {@code *} in the two day fields. Where croniter gives a form an unusual meaning this class keeps it: a range whose
 * ends are equal, such as {@code 5-5}, is the whole cycle; a reversed range such as {@code 22-2} or {@code fri-mon}
 * wraps around (with a step, its second part starts where croniter starts it).
 * <p>
 * When both day of month and day of week are restricted a day matches if either matches (Vixie cron's rule,
 * croniter's {@code day_or=True}); otherwise only the restricted one counts. As in croniter, a day field is
 * unrestricted when it is {@code *} or {@code ?}, or when it covers every day and the other day field contains a
 * {@code *}: {@code 0 12 *}{@code /1 * 5} therefore runs every day.
 * <p>
 * Refused with an {@link IllegalArgumentException} that says what is wrong and where: what croniter refuses
 * (out-of-range values, a step of 0, unknown names, a wrong number of fields), what this class does not implement (a
 * seventh field for the year, {@code L}, {@code W}, {@code #} and hashed {@code H}/{@code R} values), what croniter
 * reads in surprising ways ({@code *} inside a list; day of month 0 in a 6-field expression, which croniter reads as
 * 1), and a day of month that no allowed month has ({@code 0 0 30 2 *}, also {@code 0 0 31 6 7}), for which croniter
 * fails when asked for a fire time.
 * <p>
 * Fire times are computed on the wall clock of a time zone (Python Sheppy uses UTC). Where daylight saving changes
 * the clock, each wall-clock fire time gives at most one run, identified by its instant: a fire time that falls in a
 * gap (02:30 when clocks jump from 02:00 to 03:00) runs once at the instant the clock jumps to, shifted by the length
 * of the gap (03:30); a fire time that occurs twice when clocks go back runs once, at its earlier occurrence. An
 * hourly cron therefore runs at 01:00 and 03:00 local time on the day clocks go forward, and skips the repeated hour
 * (a two-hour gap) on the day they go back. Successive calls of {@link #next(Instant, ZoneId)} always advance. (In
 * such zones croniter differs: it moves 02:30 in a gap to 03:00, and runs a repeated wall-clock time twice.)
 *
 * @author Sheppy for Spring
 */
public final class CronSchedule {

	private static final Map<String, String> MACROS = macros();

	private static final String[] MONTH_NAMES = { "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
			"oct", "nov", "dec" };

	private static final String[] DAY_NAMES = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

	/** As croniter's {@code max_years_between_matches}: how far to search before giving up. */
	private static final int MAX_YEARS = 50;

	private final String expression;

	private final String normalized;

	private final boolean withSeconds;

	private final long seconds;

	private final long minutes;

	private final long hours;

	private final long daysOfMonth;

	private final long months;

	private final long daysOfWeek;

	private final boolean dayOr;

	private CronSchedule(String expression, String normalized, boolean withSeconds, long[] masks, boolean dayOr) {
		this.expression = expression;
		this.normalized = normalized;
		this.withSeconds = withSeconds;
		this.minutes = masks[0];
		this.hours = masks[1];
		this.daysOfMonth = masks[2];
		this.months = masks[3];
		this.daysOfWeek = masks[4];
		this.seconds = masks[5];
		this.dayOr = dayOr;
	}

	private static Map<String, String> macros() {
		Map<String, String> macros = new LinkedHashMap<>();
		macros.put("@yearly", "0 0 1 1 *");
		macros.put("@annually", "0 0 1 1 *");
		macros.put("@monthly", "0 0 1 * *");
		macros.put("@weekly", "0 0 * * 0");
		macros.put("@daily", "0 0 * * *");
		macros.put("@midnight", "0 0 * * *");
		macros.put("@hourly", "0 * * * *");
		return macros;
	}

	/**
	 * Parse a cron expression.
	 * @param expression the expression, for example {@code *}{@code /5 * * * *} or {@code @hourly}
	 * @return the schedule
	 * @throws IllegalArgumentException if the expression is not valid, with a message that says what is wrong
	 */
	public static CronSchedule parse(String expression) {
		Assert.notNull(expression, "'expression' must not be null");
		String trimmed = expression.strip();
		if (trimmed.isEmpty()) {
			throw new IllegalArgumentException("Invalid cron expression '" + expression + "': it is empty");
		}
		String normalized = String.join(" ", trimmed.toLowerCase(Locale.ROOT).split("\\s+"));
		String fieldsText = normalized;
		if (normalized.startsWith("@")) {
			fieldsText = MACROS.get(normalized);
			if (fieldsText == null) {
				throw invalid(trimmed, "unknown macro '" + normalized + "'; the macros are "
						+ String.join(", ", MACROS.keySet()));
			}
		}
		String[] texts = fieldsText.split(" ");
		if (texts.length == 7) {
			throw invalid(trimmed, "7 fields (with a year) are not supported; use 5 fields "
					+ "(minute hour day-of-month month day-of-week), optionally followed by a sixth for the second");
		}
		if (texts.length != 5 && texts.length != 6) {
			throw invalid(trimmed, "expected 5 fields (minute hour day-of-month month day-of-week), optionally "
					+ "followed by a sixth for the second, or a macro such as @hourly, but found " + texts.length);
		}
		boolean withSeconds = texts.length == 6;
		Field[] fields = { Field.MINUTE, Field.HOUR, Field.DAY_OF_MONTH, Field.MONTH, Field.DAY_OF_WEEK,
				Field.SECOND };
		long[] masks = new long[6];
		boolean[] star = new boolean[6];
		masks[5] = 1L;
		for (int i = 0; i < texts.length; i++) {
			FieldParser parser = new FieldParser(trimmed, fields[i], texts[i], withSeconds);
			masks[i] = parser.parse();
			star[i] = parser.star;
		}
		// croniter treats a day field that covers every day as '*' only when the other day field contains a '*'
		boolean domUnrestricted = star[2] || (masks[2] == Field.DAY_OF_MONTH.all() && texts[4].contains("*"));
		boolean dowUnrestricted = star[4] || (masks[4] == Field.DAY_OF_WEEK.all() && texts[2].contains("*"));
		if (!domUnrestricted) {
			// croniter fails on such an expression, even when the day of week could match
			checkDayOfMonthOccurs(trimmed, masks[2], masks[3]);
		}
		boolean dayOr = !domUnrestricted && !dowUnrestricted;
		return new CronSchedule(trimmed, normalized, withSeconds, masks, dayOr);
	}

	private static void checkDayOfMonthOccurs(String expression, long daysOfMonth, long months) {
		int firstDay = Long.numberOfTrailingZeros(daysOfMonth);
		for (int month = 1; month <= 12; month++) {
			if (has(months, month) && firstDay <= Month.of(month).maxLength()) {
				return;
			}
		}
		throw invalid(expression, "day-of-month " + describe(daysOfMonth) + " never occurs in month "
				+ describe(months) + ", so the expression never fires");
	}

	private static String describe(long mask) {
		List<String> values = new ArrayList<>();
		for (int bit = 0; bit < 64; bit++) {
			if (has(mask, bit)) {
				values.add(Integer.toString(bit));
			}
		}
		return String.join(",", values);
	}

	private static IllegalArgumentException invalid(String expression, String problem) {
		return new IllegalArgumentException("Invalid cron expression '" + expression + "': " + problem);
	}

	/**
	 * Return the expression as given, without leading and trailing whitespace.
	 * @return the expression
	 */
	public String expression() {
		return this.expression;
	}

	/**
	 * Return the first fire time strictly after the given instant, on the wall clock of UTC.
	 * @param after the instant to search from
	 * @return the next fire time
	 */
	public Instant next(Instant after) {
		return next(after, ZoneOffset.UTC);
	}

	/**
	 * Return the first fire time strictly after the given instant, on the wall clock of the given time zone. A fire
	 * time in a daylight-saving gap is shifted forward by the length of the gap; one that occurs twice runs at its
	 * earlier occurrence only.
	 * @param after the instant to search from
	 * @param zone the time zone whose wall clock the expression is read on
	 * @return the next fire time
	 * @throws IllegalStateException if the expression does not fire within 50 years
	 */
	public Instant next(Instant after, ZoneId zone) {
		Assert.notNull(after, "'after' must not be null");
		Assert.notNull(zone, "'zone' must not be null");
		ChronoUnit unit = this.withSeconds ? ChronoUnit.SECONDS : ChronoUnit.MINUTES;
		LocalDateTime start = LocalDateTime.ofInstant(after, zone).truncatedTo(unit).plus(1, unit);
		while (true) {
			LocalDateTime candidate = nextMatch(start);
			Instant instant = ZonedDateTime.ofLocal(candidate, zone, null).toInstant();
			if (instant.isAfter(after)) {
				return instant;
			}
			// The wall-clock time repeats after clocks went back and its run, at the earlier occurrence, is past:
			// so are the runs of the other repeated times, so resume where the repetition ends
			LocalDateTime resume = candidate.plus(1, unit);
			ZoneOffsetTransition transition = zone.getRules().getTransition(candidate);
			if (transition != null && transition.isOverlap() && transition.getDateTimeBefore().isAfter(resume)) {
				resume = transition.getDateTimeBefore();
			}
			start = resume;
		}
	}

	/**
	 * Return the fire times after {@code after} up to and including {@code until}, in order.
	 * @param after the instant to search from, excluded
	 * @param until the last instant to include
	 * @param zone the time zone whose wall clock the expression is read on
	 * @param limit the most fire times to return
	 * @return the fire times, at most {@code limit}
	 */
	public List<Instant> between(Instant after, Instant until, ZoneId zone, int limit) {
		Assert.notNull(after, "'after' must not be null");
		Assert.notNull(until, "'until' must not be null");
		Assert.notNull(zone, "'zone' must not be null");
		Assert.isTrue(limit >= 0, "'limit' must not be negative");
		List<Instant> times = new ArrayList<>();
		Instant time = after;
		while (times.size() < limit) {
			time = next(time, zone);
			if (time.isAfter(until)) {
				break;
			}
			times.add(time);
		}
		return times;
	}

	/**
	 * Return the earliest wall-clock time at or after {@code start} that the expression matches.
	 */
	private LocalDateTime nextMatch(LocalDateTime start) {
		LocalDateTime time = start;
		int lastYear = start.getYear() + MAX_YEARS;
		while (time.getYear() <= lastYear) {
			int month = time.getMonthValue();
			if (!has(this.months, month)) {
				int next = nextBit(this.months, month + 1);
				time = (next != -1) ? LocalDateTime.of(time.getYear(), next, 1, 0, 0)
						: LocalDateTime.of(time.getYear() + 1, nextBit(this.months, 1), 1, 0, 0);
				continue;
			}
			if (!dayMatches(time.toLocalDate())) {
				time = time.toLocalDate().plusDays(1).atStartOfDay();
				continue;
			}
			int hour = time.getHour();
			if (!has(this.hours, hour)) {
				int next = nextBit(this.hours, hour + 1);
				time = (next != -1) ? time.toLocalDate().atTime(next, 0)
						: time.toLocalDate().plusDays(1).atStartOfDay();
				continue;
			}
			int minute = time.getMinute();
			if (!has(this.minutes, minute)) {
				int next = nextBit(this.minutes, minute + 1);
				time = (next != -1) ? time.withMinute(next).withSecond(0)
						: time.truncatedTo(ChronoUnit.HOURS).plusHours(1);
				continue;
			}
			int second = time.getSecond();
			if (!has(this.seconds, second)) {
				int next = nextBit(this.seconds, second + 1);
				time = (next != -1) ? time.withSecond(next) : time.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
				continue;
			}
			return time;
		}
		throw new IllegalStateException("Cron expression '" + this.expression + "' does not fire in the " + MAX_YEARS
				+ " years after " + start);
	}

	private boolean dayMatches(LocalDate date) {
		boolean dayOfMonth = has(this.daysOfMonth, date.getDayOfMonth());
		boolean dayOfWeek = has(this.daysOfWeek, date.getDayOfWeek().getValue() % 7);
		return this.dayOr ? (dayOfMonth || dayOfWeek) : (dayOfMonth && dayOfWeek);
	}

	private static boolean has(long mask, int bit) {
		return (mask & (1L << bit)) != 0;
	}

	private static int nextBit(long mask, int from) {
		if (from > 63) {
			return -1;
		}
		long rest = mask & (-1L << from);
		return (rest != 0) ? Long.numberOfTrailingZeros(rest) : -1;
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (this == other)
				|| (other instanceof CronSchedule schedule && this.normalized.equals(schedule.normalized));
	}

	@Override
	public int hashCode() {
		return this.normalized.hashCode();
	}

	@Override
	public String toString() {
		return this.expression;
	}

	/**
	 * The fields of an expression with their ranges and names.
	 */
	private enum Field {

		SECOND("second", 0, 59, null), MINUTE("minute", 0, 59, null), HOUR("hour", 0, 23, null),
		DAY_OF_MONTH("day-of-month", 1, 31, null), MONTH("month", 1, 12, MONTH_NAMES),
		DAY_OF_WEEK("day-of-week", 0, 6, DAY_NAMES);

		private final String label;

		private final int min;

		private final int max;

		private final String @Nullable [] names;

		Field(String label, int min, int max, String @Nullable [] names) {
			this.label = label;
			this.min = min;
			this.max = max;
			this.names = names;
		}

		long all() {
			return (-1L >>> (63 - this.max)) & (-1L << this.min);
		}

	}

	/**
	 * Parses one field the way croniter expands it.
	 */
	private static final class FieldParser {

		private final String expression;

		private final Field field;

		private final String text;

		private final boolean withSeconds;

		private boolean star;

		FieldParser(String expression, Field field, String text, boolean withSeconds) {
			this.expression = expression;
			this.field = field;
			this.text = text;
			this.withSeconds = withSeconds;
		}

		long parse() {
			boolean dayField = this.field == Field.DAY_OF_MONTH || this.field == Field.DAY_OF_WEEK;
			if (this.text.equals("*") || (this.text.equals("?") && dayField)) {
				this.star = true;
				return this.field.all();
			}
			String[] elements = this.text.split(",", -1);
			long mask = 0;
			for (String element : elements) {
				if (element.equals("*") && elements.length > 1) {
					throw invalid("'*' cannot be combined with other values in a list ('" + this.text + "')");
				}
				mask |= parseElement(element);
			}
			return mask;
		}

		private long parseElement(String element) {
			rejectUnsupported(element);
			if (element.isEmpty()) {
				throw invalid("empty value in '" + this.text + "'");
			}
			if (element.startsWith("-")) {
				throw invalid("negative value '" + element + "' (negative numbers are not allowed)");
			}
			int step = 1;
			String range = element;
			int slash = element.indexOf('/');
			if (slash != -1) {
				step = step(element, element.substring(slash + 1));
				range = element.substring(0, slash);
			}
			int low;
			int high;
			if (range.equals("*")) {
				low = this.field.min;
				high = this.field.max;
			}
			else if (range.indexOf('-') != -1) {
				String[] ends = range.split("-", -1);
				if (ends.length != 2 || ends[0].isEmpty() || ends[1].isEmpty()) {
					throw invalid("'" + element + "' is not a valid range");
				}
				low = value(ends[0]);
				high = value(ends[1]);
			}
			else if (slash != -1) {
				// croniter reads a/n as a-max/n
				low = value(range);
				high = this.field.max;
			}
			else {
				return 1L << value(range);
			}
			return expand(low, high, step);
		}

		/**
		 * Expand a range with croniter's rules: equal ends mean the whole cycle, and a reversed range wraps around.
		 */
		private long expand(int low, int high, int step) {
			int min = this.field.min;
			int max = this.field.max;
			long mask = 0;
			if (low > high) {
				int last = -1;
				for (int value = low; value <= max; value += step) {
					mask |= 1L << value;
					last = value;
				}
				int skip = 0;
				int alreadySkipped = max - last;
				if ((last - min) + step > (max - min + 1) && alreadySkipped < step) {
					skip = step - alreadySkipped;
				}
				for (int value = min + skip; value <= high; value += step) {
					mask |= 1L << value;
				}
			}
			else if (low == high) {
				for (int value = min; value <= max; value += step) {
					mask |= 1L << value;
				}
			}
			else {
				for (int value = low; value <= high; value += step) {
					mask |= 1L << value;
				}
			}
			return mask;
		}

		private int step(String element, String text) {
			if (text.isEmpty() || !isDigits(text)) {
				throw invalid(this.field.label + " step '" + text + "' in '" + element + "' is not a number");
			}
			if (text.length() > 9) {
				return Integer.MAX_VALUE / 2;
			}
			int step = Integer.parseInt(text);
			if (step == 0) {
				throw invalid(this.field.label + " step 0 in '" + element + "' must be at least 1");
			}
			return step;
		}

		private int value(String text) {
			int value;
			if (isDigits(text)) {
				value = (text.length() > 9) ? Integer.MAX_VALUE : Integer.parseInt(text);
			}
			else {
				value = named(text);
			}
			if (this.field == Field.DAY_OF_WEEK && value == 7 && !this.withSeconds) {
				value = 0;
			}
			if (value < this.field.min || value > this.field.max) {
				String problem = this.field.label + " value " + text + " is outside " + this.field.min + "-"
						+ this.field.max;
				if (this.field == Field.DAY_OF_WEEK && value == 7) {
					problem += " (7 means Sunday only in a 5-field expression)";
				}
				throw invalid(problem);
			}
			return value;
		}

		private int named(String text) {
			String[] names = this.field.names;
			if (names == null) {
				throw invalid(this.field.label + " value '" + text + "' is not a number");
			}
			for (int i = 0; i < names.length; i++) {
				if (names[i].equals(text)) {
					return (this.field == Field.MONTH) ? i + 1 : i;
				}
			}
			throw invalid("unknown " + this.field.label + " name '" + text + "' (expected " + names[0] + "-"
					+ names[names.length - 1] + " or a number)");
		}

		private void rejectUnsupported(String element) {
			if (element.contains("#")) {
				throw invalid("'#' (nth day of week) in '" + element + "' is not supported");
			}
			if (element.equals("?")) {
				throw invalid("'?' is allowed only on its own in day-of-month or day-of-week, not in the "
						+ this.field.label + " field '" + this.text + "'");
			}
			if (this.field == Field.DAY_OF_MONTH && element.matches("[0-9]+w|w[0-9]+")) {
				throw invalid("'W' (nearest weekday) in '" + element + "' is not supported");
			}
			if ((this.field == Field.DAY_OF_MONTH || this.field == Field.DAY_OF_WEEK)
					&& element.matches("l|l[0-9]+|[0-9]+l|.*-l")) {
				throw invalid("'L' (last) in '" + element + "' is not supported");
			}
			if (element.matches("[hr](\\(.*\\))?(/.*)?")) {
				throw invalid("hashed or random value '" + element + "' is not supported");
			}
		}

		private static boolean isDigits(String text) {
			if (text.isEmpty()) {
				return false;
			}
			for (int i = 0; i < text.length(); i++) {
				char c = text.charAt(i);
				if (c < '0' || c > '9') {
					return false;
				}
			}
			return true;
		}

		private IllegalArgumentException invalid(String problem) {
			return CronSchedule.invalid(this.expression, problem);
		}

	}

}
