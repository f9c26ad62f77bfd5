package io.sheppy.spring.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The figures of the scenarios, printed to the test output as each scenario ends and kept, for all scenarios run in
 * this JVM, in {@code target/fault-summary.txt}.
 *
 * @author Sheppy for Spring
 */
final class FaultSummary {

	private static final Path FILE = Path.of(System.getProperty("basedir", "."), "target", "fault-summary.txt");

	private static final String FORMAT = "%-30s %9s  %-34s %4s %10s %16s %8s  %s%n";

	private static final List<Row> rows = new ArrayList<>();

	private FaultSummary() {
	}

	/**
	 * Add a scenario's figures: print them and rewrite the summary file.
	 * @param row the figures
	 */
	static synchronized void add(Row row) {
		rows.add(row);
		System.out.print(header() + row.format());
		StringBuilder table = new StringBuilder(header());
		rows.stream().sorted(Comparator.comparing(Row::scenario)).forEach((each) -> table.append(each.format()));
		try {
			Files.createDirectories(FILE.getParent());
			Files.writeString(FILE, table, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String header() {
		return String.format(FORMAT, "scenario", "submitted", "kills/restarts", "lost", "duplicates",
				"longest recovery", "wall", "notes");
	}

	static String seconds(@Nullable Duration duration) {
		return (duration != null) ? String.format("%.2f s", duration.toMillis() / 1000.0) : "-";
	}

	/**
	 * The figures of one scenario.
	 *
	 * @param scenario the scenario
	 * @param submitted how many tasks the queue accepted (good ones, for malformed entries)
	 * @param faults the faults injected: kills, restarts, outages
	 * @param lost how many accepted tasks had no record or had not finished at the end (must be 0)
	 * @param duplicates how many tasks started more than once
	 * @param longestRecovery the longest time from a fault until what it held up was done, or {@code null}
	 * @param wall how long the scenario took
	 * @param notes further figures
	 */
	record Row(String scenario, int submitted, String faults, int lost, int duplicates,
			@Nullable Duration longestRecovery, Duration wall, String notes) {

		String format() {
			return String.format(FORMAT, this.scenario, this.submitted, this.faults, this.lost, this.duplicates,
					seconds(this.longestRecovery), String.format("%.0f s", this.wall.toMillis() / 1000.0),
					this.notes);
		}

	}

}
