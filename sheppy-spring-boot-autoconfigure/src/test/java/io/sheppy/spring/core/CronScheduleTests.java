package io.sheppy.spring.core;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link CronSchedule}. Expected fire times are worked out by hand from the calendar (2027-01-01 is a
 * Friday; in 2027 Europe/Berlin goes to summer time on 28 March and back on 31 October, both at 01:00 UTC).
 */
class CronScheduleTests {

	private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

	@ParameterizedTest(name = "{0}")
	@MethodSource("fixtureExamples")
	void nextRunAfterAFireTimeIsThePythonOneFromTheFixture(JsonNode example) {
		CronSchedule schedule = CronSchedule.parse(example.get("expression").stringValue());
		Instant fireTime = OffsetDateTime.parse(example.get("fire_time").stringValue()).toInstant();
		Instant expected = OffsetDateTime.parse(example.get("next_run_after_fire").stringValue()).toInstant();
		assertThat(schedule.next(fireTime, ZoneOffset.UTC)).isEqualTo(expected);
	}

	static Stream<Named<JsonNode>> fixtureExamples() {
		return StreamSupport.stream(SheppyFixtures.tree("cron-ids.json").spliterator(), false)
			.map((example) -> Named.of(example.get("expression").stringValue(), example));
	}

	@ParameterizedTest(name = "''{0}'' after {1} fires at {2}")
	@CsvSource(delimiter = '|', textBlock = """
			* * * * *        | 2027-01-01T09:00:00Z | 2027-01-01T09:01:00Z
			* * * * *        | 2027-01-01T09:00:30Z | 2027-01-01T09:01:00Z
			* * * * *        | 2027-12-31T23:59:00Z | 2028-01-01T00:00:00Z
			*/5 * * * *      | 2027-01-01T09:03:00Z | 2027-01-01T09:05:00Z
			*/5 * * * *      | 2027-01-01T09:55:00Z | 2027-01-01T10:00:00Z
			0 9 * * *        | 2027-01-01T08:59:59Z | 2027-01-01T09:00:00Z
			0 9 * * *        | 2027-01-01T09:00:00Z | 2027-01-02T09:00:00Z
			0 9 * * mon-fri  | 2027-01-01T09:00:00Z | 2027-01-04T09:00:00Z
			0 9 * * mon-fri  | 2027-01-02T12:00:00Z | 2027-01-04T09:00:00Z
			0 9 * * MON-FRI  | 2027-01-04T09:00:00Z | 2027-01-05T09:00:00Z
			0 0 1 * *        | 2027-01-15T00:00:00Z | 2027-02-01T00:00:00Z
			0 0 1 * *        | 2027-12-01T00:00:00Z | 2028-01-01T00:00:00Z
			0 0 1 1 *        | 2027-01-01T00:00:00Z | 2028-01-01T00:00:00Z
			0 0 1 jan *      | 2027-01-01T00:00:00Z | 2028-01-01T00:00:00Z
			@hourly          | 2027-01-01T09:30:00Z | 2027-01-01T10:00:00Z
			@daily           | 2027-01-01T09:00:00Z | 2027-01-02T00:00:00Z
			@midnight        | 2027-01-01T09:00:00Z | 2027-01-02T00:00:00Z
			@weekly          | 2027-01-01T09:00:00Z | 2027-01-03T00:00:00Z
			@weekly          | 2027-01-03T00:00:00Z | 2027-01-10T00:00:00Z
			@monthly         | 2027-01-31T23:59:00Z | 2027-02-01T00:00:00Z
			@yearly          | 2027-06-15T12:00:00Z | 2028-01-01T00:00:00Z
			@annually        | 2027-06-15T12:00:00Z | 2028-01-01T00:00:00Z
			@HOURLY          | 2027-01-01T09:00:00Z | 2027-01-01T10:00:00Z
			0 0 29 2 *       | 2025-01-01T00:00:00Z | 2028-02-29T00:00:00Z
			0 0 29 2 *       | 2028-02-29T00:00:00Z | 2032-02-29T00:00:00Z
			0 0 29 2 *       | 2096-03-01T00:00:00Z | 2104-02-29T00:00:00Z
			0 0 31 * *       | 2027-01-31T00:00:00Z | 2027-03-31T00:00:00Z
			""")
	void nextFireTimeInUtc(String expression, Instant after, Instant expected) {
		assertThat(CronSchedule.parse(expression).next(after, ZoneOffset.UTC)).isEqualTo(expected);
	}

	@ParameterizedTest(name = "''{0}'' after {1} fires at {2}")
	@CsvSource(delimiter = '|', textBlock = """
			0 12 13 * 5 | 2027-01-01T12:00:00Z | 2027-01-08T12:00:00Z
			0 12 13 * 5 | 2027-01-08T12:00:00Z | 2027-01-13T12:00:00Z
			0 12 13 * 5 | 2027-01-13T12:00:00Z | 2027-01-15T12:00:00Z
			0 12 13 * * | 2027-01-01T12:00:00Z | 2027-01-13T12:00:00Z
			0 12 13 * * | 2027-01-13T12:00:00Z | 2027-02-13T12:00:00Z
			0 12 * * 5  | 2027-01-01T11:59:00Z | 2027-01-01T12:00:00Z
			0 12 * * 5  | 2027-01-08T12:00:00Z | 2027-01-15T12:00:00Z
			0 12 ? * 5  | 2027-01-08T12:00:00Z | 2027-01-15T12:00:00Z
			""")
	void dayOfMonthAndDayOfWeekBothRestrictedMatchEitherAndOneAloneRestrictsAlone(String expression, Instant after,
			Instant expected) {
		assertThat(CronSchedule.parse(expression).next(after)).isEqualTo(expected);
	}

	@Test
	void dayOfMonthCoveringEveryDayStillCountsAsRestrictedWhenTheDayOfWeekHasNoStarAsInCroniter() {
		// Friday 1 January, then Saturday: */1 is every day, and day-of-month OR Friday is every day
		assertThat(CronSchedule.parse("0 12 */1 * 5").next(Instant.parse("2027-01-01T12:00:00Z")))
			.isEqualTo(Instant.parse("2027-01-02T12:00:00Z"));
		assertThat(CronSchedule.parse("0 12 1-31 * fri").next(Instant.parse("2027-01-01T12:00:00Z")))
			.isEqualTo(Instant.parse("2027-01-02T12:00:00Z"));
	}

	@Test
	void dayOfMonthCoveringEveryDayIsUnrestrictedWhenTheDayOfWeekHasAStarAsInCroniter() {
		// */2 in day-of-week is Sunday, Tuesday, Thursday, Saturday; after Sunday 3 January comes Tuesday 5 January
		assertThat(CronSchedule.parse("0 12 */1 * */2").next(Instant.parse("2027-01-03T12:00:00Z")))
			.isEqualTo(Instant.parse("2027-01-05T12:00:00Z"));
	}

	@ParameterizedTest(name = "''{0}'' after {1} fires at {2}")
	@CsvSource(delimiter = '|', textBlock = """
			0 0 * * 7        | 2027-01-01T00:00:00Z | 2027-01-03T00:00:00Z
			0 0 * * 0        | 2027-01-01T00:00:00Z | 2027-01-03T00:00:00Z
			0 0 * * sun      | 2027-01-01T00:00:00Z | 2027-01-03T00:00:00Z
			0 0 * * 5-7      | 2027-01-01T00:00:00Z | 2027-01-02T00:00:00Z
			0 0 * * fri-mon  | 2027-01-02T00:00:00Z | 2027-01-03T00:00:00Z
			0 0 * * fri-mon  | 2027-01-04T00:00:00Z | 2027-01-08T00:00:00Z
			0 22-2 * * *     | 2027-01-01T02:00:00Z | 2027-01-01T22:00:00Z
			0 22-2 * * *     | 2027-01-01T23:00:00Z | 2027-01-02T00:00:00Z
			5/15 * * * *     | 2027-01-01T09:05:00Z | 2027-01-01T09:20:00Z
			5/15 * * * *     | 2027-01-01T09:50:00Z | 2027-01-01T10:05:00Z
			10-20/5 * * * *  | 2027-01-01T09:20:00Z | 2027-01-01T10:10:00Z
			1,30-31,*/20 * * * * | 2027-01-01T09:21:00Z | 2027-01-01T09:30:00Z
			0 0 1 nov-feb *  | 2027-03-01T00:00:00Z | 2027-11-01T00:00:00Z
			0 0 1 jan-dec/3 * | 2027-01-01T00:00:00Z | 2027-04-01T00:00:00Z
			""")
	void namesWrappingRangesAndStepsFromAStartAreReadAsCroniterReadsThem(String expression, Instant after,
			Instant expected) {
		assertThat(CronSchedule.parse(expression).next(after)).isEqualTo(expected);
	}

	@Test
	void rangeWithEqualEndsIsTheWholeCycleAsInCroniter() {
		assertThat(CronSchedule.parse("5-5 * * * *").next(Instant.parse("2027-01-01T09:00:00Z")))
			.isEqualTo(Instant.parse("2027-01-01T09:01:00Z"));
	}

	@Test
	void steppedWrappingRangeRestartsAfterTheWrapWhereCroniterRestartsIt() {
		// croniter expands 22-2/3 in the hour field to 22 and 2 (not 22 and 1)
		CronSchedule schedule = CronSchedule.parse("0 22-2/3 * * *");
		assertThat(schedule.next(Instant.parse("2027-01-01T22:00:00Z")))
			.isEqualTo(Instant.parse("2027-01-02T02:00:00Z"));
		assertThat(schedule.next(Instant.parse("2027-01-02T02:00:00Z")))
			.isEqualTo(Instant.parse("2027-01-02T22:00:00Z"));
	}

	@ParameterizedTest(name = "''{0}'' after {1} fires at {2}")
	@CsvSource(delimiter = '|', textBlock = """
			* * * * * */2 | 2027-01-01T09:00:00Z     | 2027-01-01T09:00:02Z
			* * * * * */2 | 2027-01-01T09:00:01Z     | 2027-01-01T09:00:02Z
			* * * * * */2 | 2027-01-01T09:00:00.500Z | 2027-01-01T09:00:02Z
			* * * * * */2 | 2027-01-01T09:59:58Z     | 2027-01-01T10:00:00Z
			* * * * * 15  | 2027-01-01T09:00:00Z     | 2027-01-01T09:00:15Z
			* * * * * 15  | 2027-01-01T09:00:15Z     | 2027-01-01T09:01:15Z
			0 9 * * * 30  | 2027-01-01T09:00:30Z     | 2027-01-02T09:00:30Z
			""")
	void sixthFieldIsTheSecond(String expression, Instant after, Instant expected) {
		assertThat(CronSchedule.parse(expression).next(after)).isEqualTo(expected);
	}

	@Test
	void withoutASecondsFieldRunsAreOnTheMinuteEvenFromAnInstantWithSecondsAndNanos() {
		assertThat(CronSchedule.parse("* * * * *").next(Instant.parse("2027-01-01T09:00:59.999999999Z")))
			.isEqualTo(Instant.parse("2027-01-01T09:01:00Z"));
	}

	@Test
	void wallClockOfTheGivenZoneIsUsed() {
		// 09:00 in Tokyo (UTC+9, no daylight saving) is 00:00 UTC
		assertThat(CronSchedule.parse("0 9 * * *").next(Instant.parse("2027-01-01T00:00:00Z"), ZoneId.of("Asia/Tokyo")))
			.isEqualTo(Instant.parse("2027-01-02T00:00:00Z"));
		// 09:00 in Berlin in winter (UTC+1) is 08:00 UTC
		assertThat(CronSchedule.parse("0 9 * * *").next(Instant.parse("2027-01-01T07:00:00Z"), BERLIN))
			.isEqualTo(Instant.parse("2027-01-01T08:00:00Z"));
	}

	@Test
	void nextWithoutAZoneUsesUtc() {
		CronSchedule schedule = CronSchedule.parse("30 2 * * *");
		Instant after = Instant.parse("2027-03-27T12:00:00Z");
		assertThat(schedule.next(after)).isEqualTo(schedule.next(after, ZoneOffset.UTC))
			.isEqualTo(Instant.parse("2027-03-28T02:30:00Z"));
	}

	@Test
	void fireTimeInTheSpringForwardGapRunsOnceWhenTheClockJumps() {
		CronSchedule schedule = CronSchedule.parse("30 2 * * *");
		// 02:30 does not exist on 28 March: the run is at 03:30 CEST, 01:30 UTC
		Instant gapRun = schedule.next(Instant.parse("2027-03-27T12:00:00Z"), BERLIN);
		assertThat(gapRun).isEqualTo(Instant.parse("2027-03-28T01:30:00Z"));
		assertThat(schedule.next(gapRun, BERLIN)).isEqualTo(Instant.parse("2027-03-29T00:30:00Z"));
	}

	@Test
	void fireTimeInTheSpringForwardGapAndTheSameWallTimeAfterItRunOnce() {
		// 02:30 moves to 03:30 CEST, which is also the 03:30 run: one run at 01:30 UTC, then the next day
		CronSchedule schedule = CronSchedule.parse("30 2,3 * * *");
		assertThat(schedule.between(Instant.parse("2027-03-27T12:00:00Z"), Instant.parse("2027-03-29T12:00:00Z"),
				BERLIN, 10))
			.containsExactly(Instant.parse("2027-03-28T01:30:00Z"), Instant.parse("2027-03-29T00:30:00Z"),
					Instant.parse("2027-03-29T01:30:00Z"));
	}

	@Test
	void fireTimeInTheFallBackOverlapRunsOnceAtItsEarlierOccurrence() {
		CronSchedule schedule = CronSchedule.parse("30 2 * * *");
		// 02:30 happens twice on 31 October: the run is at the first, 02:30 CEST, 00:30 UTC
		Instant overlapRun = schedule.next(Instant.parse("2027-10-30T12:00:00Z"), BERLIN);
		assertThat(overlapRun).isEqualTo(Instant.parse("2027-10-31T00:30:00Z"));
		// not again at 02:30 CET (01:30 UTC) but the next day at 02:30 CET
		assertThat(schedule.next(overlapRun, BERLIN)).isEqualTo(Instant.parse("2027-11-01T01:30:00Z"));
	}

	@Test
	void searchStartingInTheRepeatedHourSkipsWallTimesThatAlreadyRan() {
		// 01:10 UTC is 02:10 CET, the second 02:10: 02:15 to 02:45 already ran in summer time
		Instant inSecondOccurrence = Instant.parse("2027-10-31T01:10:00Z");
		assertThat(CronSchedule.parse("*/15 * * * *").next(inSecondOccurrence, BERLIN))
			.isEqualTo(Instant.parse("2027-10-31T02:00:00Z"));
		assertThat(CronSchedule.parse("30 2 * * *").next(inSecondOccurrence, BERLIN))
			.isEqualTo(Instant.parse("2027-11-01T01:30:00Z"));
		assertThat(CronSchedule.parse("* * * * * *").next(inSecondOccurrence, BERLIN))
			.isEqualTo(Instant.parse("2027-10-31T02:00:00Z"));
	}

	@Test
	void hourlyCronOnTheDayClocksGoForwardRunsEveryRealHour() {
		// local 00:00 CET, 01:00 CET, 03:00 CEST (02:00 does not exist and moves to 03:00), 04:00 CEST, 05:00 CEST
		assertThat(CronSchedule.parse("@hourly")
			.between(Instant.parse("2027-03-27T22:30:00Z"), Instant.parse("2027-03-28T03:00:00Z"), BERLIN, 10))
			.containsExactly(Instant.parse("2027-03-27T23:00:00Z"), Instant.parse("2027-03-28T00:00:00Z"),
					Instant.parse("2027-03-28T01:00:00Z"), Instant.parse("2027-03-28T02:00:00Z"),
					Instant.parse("2027-03-28T03:00:00Z"));
	}

	@Test
	void hourlyCronOnTheDayClocksGoBackRunsTheRepeatedHourOnce() {
		// local 01:00 CEST, 02:00 CEST, (02:00 CET already ran), 03:00 CET, 04:00 CET
		assertThat(CronSchedule.parse("0 * * * *")
			.between(Instant.parse("2027-10-30T22:30:00Z"), Instant.parse("2027-10-31T03:00:00Z"), BERLIN, 10))
			.containsExactly(Instant.parse("2027-10-30T23:00:00Z"), Instant.parse("2027-10-31T00:00:00Z"),
					Instant.parse("2027-10-31T02:00:00Z"), Instant.parse("2027-10-31T03:00:00Z"));
	}

	@ParameterizedTest(name = "''{0}'' at most {1} h apart")
	@CsvSource(delimiter = '|', textBlock = """
			@hourly      | 2
			30 * * * *   | 2
			*/20 * * * * | 2
			30 2 * * *   | 25
			0 2,3 * * *  | 25
			""")
	void runsAcrossBothDaylightSavingChangesStrictlyIncreaseWithoutLongGaps(String expression, long maxGapHours) {
		CronSchedule schedule = CronSchedule.parse(expression);
		for (Instant from : List.of(Instant.parse("2027-03-27T00:00:00Z"), Instant.parse("2027-10-30T00:00:00Z"))) {
			List<Instant> runs = schedule.between(from, from.plus(Duration.ofDays(3)), BERLIN, 1000);
			assertThat(runs).hasSizeGreaterThan(2).doesNotHaveDuplicates().isSorted();
			Instant previous = from;
			for (Instant run : runs) {
				assertThat(run).isAfter(previous);
				assertThat(Duration.between(previous, run)).isLessThanOrEqualTo(Duration.ofHours(maxGapHours));
				assertThat(schedule.next(previous, BERLIN)).isEqualTo(run);
				previous = run;
			}
		}
	}

	@Test
	void betweenListsFireTimesAfterTheStartUpToAndIncludingTheEnd() {
		CronSchedule schedule = CronSchedule.parse("*/15 * * * *");
		assertThat(schedule.between(Instant.parse("2027-01-01T09:00:00Z"), Instant.parse("2027-01-01T10:00:00Z"),
				ZoneOffset.UTC, 10))
			.containsExactly(Instant.parse("2027-01-01T09:15:00Z"), Instant.parse("2027-01-01T09:30:00Z"),
					Instant.parse("2027-01-01T09:45:00Z"), Instant.parse("2027-01-01T10:00:00Z"));
	}

	@Test
	void betweenStopsAtTheLimit() {
		assertThat(CronSchedule.parse("* * * * *")
			.between(Instant.parse("2027-01-01T09:00:00Z"), Instant.parse("2027-01-02T09:00:00Z"), ZoneOffset.UTC, 2))
			.containsExactly(Instant.parse("2027-01-01T09:01:00Z"), Instant.parse("2027-01-01T09:02:00Z"));
	}

	@Test
	void leapDayCronIsFoundQuicklyThousandsOfTimes() {
		CronSchedule schedule = CronSchedule.parse("0 0 29 2 *");
		Instant time = Instant.parse("2025-01-01T00:00:00Z");
		int previousYear = 2024;
		for (int i = 0; i < 3000; i++) {
			time = schedule.next(time);
			LocalDateTime local = LocalDateTime.ofInstant(time, ZoneOffset.UTC);
			assertThat(local.getMonth()).isEqualTo(Month.FEBRUARY);
			assertThat(local.getDayOfMonth()).isEqualTo(29);
			assertThat(local.toLocalTime()).hasToString("00:00");
			int expectedYear = previousYear + 4;
			while (!Year.isLeap(expectedYear)) {
				expectedYear += 4;
			}
			assertThat(local.getYear()).isEqualTo(expectedYear);
			previousYear = expectedYear;
		}
	}

	@Test
	void yearlyCronIsFoundQuicklyThousandsOfTimes() {
		CronSchedule schedule = CronSchedule.parse("@yearly");
		Instant time = Instant.parse("2026-06-01T00:00:00Z");
		for (int i = 1; i <= 3000; i++) {
			time = schedule.next(time);
			assertThat(LocalDateTime.ofInstant(time, ZoneOffset.UTC)).isEqualTo(LocalDateTime.of(2026 + i, 1, 1, 0, 0));
		}
	}

	@Test
	void expressionIsKeptAsGivenWithoutSurroundingWhitespace() {
		CronSchedule schedule = CronSchedule.parse("  0   9 *\t* MON  ");
		assertThat(schedule.expression()).isEqualTo("0   9 *\t* MON");
		assertThat(schedule).hasToString("0   9 *\t* MON");
		assertThat(schedule.next(Instant.parse("2027-01-01T09:00:00Z")))
			.isEqualTo(Instant.parse("2027-01-04T09:00:00Z"));
	}

	@Test
	void schedulesWithTheSameNormalizedExpressionAreEqual() {
		assertThat(CronSchedule.parse("0 9 * * MON")).isEqualTo(CronSchedule.parse(" 0  9 * * mon"))
			.hasSameHashCodeAs(CronSchedule.parse(" 0  9 * * mon"));
		assertThat(CronSchedule.parse("@Daily")).isEqualTo(CronSchedule.parse("@daily"));
		assertThat(CronSchedule.parse("@daily")).isNotEqualTo(CronSchedule.parse("0 0 * * *"));
		assertThat(CronSchedule.parse("0 9 * * 1")).isNotEqualTo(CronSchedule.parse("0 9 * * mon"));
	}

	@Test
	void valueOutsideItsFieldsRangeIsRefusedWithAMessageNamingFieldAndValue() {
		assertThatIllegalArgumentException().isThrownBy(() -> CronSchedule.parse("61 * * * *"))
			.withMessage("Invalid cron expression '61 * * * *': minute value 61 is outside 0-59");
	}

	@ParameterizedTest(name = "''{0}'' is refused: {1}")
	@CsvSource(delimiter = '|', textBlock = """
			0 24 * * *      | hour value 24 is outside 0-23
			0 0 32 * *      | day-of-month value 32 is outside 1-31
			0 0 0 * *       | day-of-month value 0 is outside 1-31
			0 0 0 * * 0     | day-of-month value 0 is outside 1-31
			0 0 1 13 *      | month value 13 is outside 1-12
			0 0 1 0 *       | month value 0 is outside 1-12
			0 0 * * 8       | day-of-week value 8 is outside 0-6
			0 0 * * 7 0     | day-of-week value 7 is outside 0-6 (7 means Sunday only in a 5-field expression)
			0 0 * * 1-7 0   | day-of-week value 7 is outside 0-6 (7 means Sunday only in a 5-field expression)
			* * * * * 60    | second value 60 is outside 0-59
			50-60 * * * *   | minute value 60 is outside 0-59
			99999999999 * * * * | minute value 99999999999 is outside 0-59
			""")
	void outOfRangeValuesAreRefused(String expression, String problem) {
		assertThatIllegalArgumentException().isThrownBy(() -> CronSchedule.parse(expression))
			.withMessage("Invalid cron expression '" + expression + "': " + problem);
	}

	@ParameterizedTest(name = "''{0}'' is refused: {1}")
	@CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
			* * * *           | expected 5 fields
			* * * *           | but found 4
			* * * * * * *     | 7 fields (with a year) are not supported
			*/0 * * * *       | minute step 0 in '*/0' must be at least 1
			0 0 1-10/0 * *    | day-of-month step 0 in '1-10/0' must be at least 1
			*/x * * * *       | minute step 'x' in '*/x' is not a number
			0 0 1 foo *       | unknown month name 'foo' (expected jan-dec or a number)
			0 0 * * funday    | unknown day-of-week name 'funday' (expected sun-sat or a number)
			0 0 * * mon-funday | unknown day-of-week name 'funday'
			mon * * * *       | minute value 'mon' is not a number
			0 0 1 * jan       | unknown day-of-week name 'jan'
			@hourlyy          | unknown macro '@hourlyy'
			@hourly * *       | unknown macro '@hourly * *'
			0 0 L * *         | 'L' (last) in 'l' is not supported
			0 0 * * 5L        | 'L' (last) in '5l' is not supported
			0 0 15W * *       | 'W' (nearest weekday) in '15w' is not supported
			0 0 * * 5#2       | '#' (nth day of week) in '5#2' is not supported
			H * * * *         | hashed or random value 'h' is not supported
			R * * * *         | hashed or random value 'r' is not supported
			0 ? * * *         | '?' is allowed only on its own in day-of-month or day-of-week
			0 0 1,? * *       | '?' is allowed only on its own in day-of-month or day-of-week
			*,5 * * * *       | '*' cannot be combined with other values in a list
			1-2-3 * * * *     | '1-2-3' is not a valid range
			5- * * * *        | '5-' is not a valid range
			1,,2 * * * *      | empty value in '1,,2'
			0 0 * * -1        | negative value '-1'
			0 0 30 2 *        | day-of-month 30 never occurs in month 2, so the expression never fires
			0 0 31 4,6,9,11 * | day-of-month 31 never occurs in month 4,6,9,11
			0 0 31 6 7        | day-of-month 31 never occurs in month 6
			""")
	void malformedExpressionsAreRefusedWithAMessageNamingTheProblem(String expression, String problem) {
		assertThatIllegalArgumentException().isThrownBy(() -> CronSchedule.parse(expression))
			.withMessageStartingWith("Invalid cron expression '" + expression + "': ")
			.withMessageContaining(problem);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "   ", "\t" })
	void emptyExpressionIsRefused(String expression) {
		assertThatIllegalArgumentException().isThrownBy(() -> CronSchedule.parse(expression))
			.withMessage("Invalid cron expression '" + expression + "': it is empty");
	}

	@Test
	void nullExpressionIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> CronSchedule.parse(null))
			.withMessage("'expression' must not be null");
	}

	@Test
	void nextRefusesNullArguments() {
		CronSchedule schedule = CronSchedule.parse("@hourly");
		assertThatIllegalArgumentException().isThrownBy(() -> schedule.next(null, ZoneOffset.UTC))
			.withMessage("'after' must not be null");
		assertThatIllegalArgumentException().isThrownBy(() -> schedule.next(Instant.EPOCH, null))
			.withMessage("'zone' must not be null");
	}

}
