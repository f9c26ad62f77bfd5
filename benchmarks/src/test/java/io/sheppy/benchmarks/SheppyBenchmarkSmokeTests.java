package io.sheppy.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.sheppy.benchmarks.BenchmarkReport.CommandRow;
import io.sheppy.benchmarks.BenchmarkReport.Row;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the whole benchmark with a few hundred tasks against a Redis server of its own, so that the benchmark keeps
 * working as the project changes. It checks that every figure is measured, never how fast anything is.
 *
 * @author Sheppy for Spring
 */
class SheppyBenchmarkSmokeTests {

	/** The rows measured for Sheppy and for the raw-Redis baseline. */
	private static final List<String> COMPARED = List.of("enqueue.single", "enqueue.batch", "e2e.prefilled",
			"memory.per-task", "e2e.streaming", "commands.total", "commands.round-trips", "cpu.redis", "cpu.jvm",
			"pickup.idle.p50", "pickup.idle.p99", "pickup.idle.p999", "pickup.load.p50", "pickup.load.p99",
			"pickup.load.p999", "waitfor.time", "waitfor.connections");

	/** The rows measured for Sheppy only. */
	private static final List<String> SHEPPY_ONLY = List.of("commands.scripts", "commands.inner", "scheduled.p50",
			"scheduled.p99");

	@Test
	void tinyRunPrintsEveryRowWithPositiveNumbersForSheppyAndTheBaseline() throws Exception {
		ByteArrayOutputStream progress = new ByteArrayOutputStream();
		BenchmarkReport report = new SheppyBenchmark(BenchmarkOptions.tinyRun(),
				new PrintStream(progress, true, StandardCharsets.UTF_8))
			.run();
		String table = report.render();
		// kept in the test's output file, for when the run fails or looks odd
		System.out.println(progress.toString(StandardCharsets.UTF_8));
		System.out.println(table);

		assertThat(report.getRows()).hasSize(COMPARED.size() + SHEPPY_ONLY.size());
		for (String key : COMPARED) {
			Row row = report.getRow(key).orElseThrow(() -> new AssertionError("No row " + key + " in\n" + table));
			assertThat(row.sheppy()).as(key).isPositive();
			assertThat(row.baseline()).as(key).isNotNull().isPositive();
			assertThat(row.ratio()).as(key).isNotNull().isPositive();
			assertThat(table).contains(row.label());
		}
		for (String key : SHEPPY_ONLY) {
			Row row = report.getRow(key).orElseThrow(() -> new AssertionError("No row " + key + " in\n" + table));
			assertThat(row.sheppy()).as(key).isPositive();
			assertThat(row.baseline()).as(key).isNull();
			assertThat(table).contains(row.label());
		}
		assertThat(report.getCommands()).extracting(CommandRow::command).contains("evalsha", "xadd", "xreadgroup");
		assertThat(table).contains("| metric ", "Sheppy / baseline");
	}

	@Test
	void flagsOverrideTheDefaultsOfTheTinyRun() {
		BenchmarkOptions options = BenchmarkOptions.parse("--tiny", "--prefilled=1000", "--waiters=7");

		assertThat(options.tiny()).isTrue();
		assertThat(options.prefilled()).isEqualTo(1000);
		assertThat(options.waiters()).isEqualTo(7);
		assertThat(options.streaming()).isEqualTo(BenchmarkOptions.tinyRun().streaming());
		assertThat(BenchmarkOptions.parse().prefilled()).isEqualTo(200_000);
	}

}
