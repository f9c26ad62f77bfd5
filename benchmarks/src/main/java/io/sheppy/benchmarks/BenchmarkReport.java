package io.sheppy.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The figures of one benchmark run: each row measured for Sheppy and, where one exists, for the raw-Redis baseline of
 * the same run, with the ratio of the two; then the Redis commands per task by command, and notes. Rendered as a
 * Markdown table.
 *
 * @author Sheppy for Spring
 */
public final class BenchmarkReport {

	private final List<String> header = new ArrayList<>();

	private final List<Row> rows = new ArrayList<>();

	private final List<CommandRow> commands = new ArrayList<>();

	private final List<String> notes = new ArrayList<>();

	void header(String line) {
		this.header.add(line);
	}

	void add(Row row) {
		this.rows.add(row);
	}

	void addCommand(CommandRow row) {
		this.commands.add(row);
	}

	void note(String note) {
		this.notes.add(note);
	}

	/**
	 * Return the rows, in the order measured.
	 * @return the rows
	 */
	public List<Row> getRows() {
		return Collections.unmodifiableList(this.rows);
	}

	/**
	 * Return the row with a key.
	 * @param key the key, such as {@code e2e.streaming}
	 * @return the row, or empty if there is none
	 */
	public Optional<Row> getRow(String key) {
		return this.rows.stream().filter((row) -> row.key().equals(key)).findFirst();
	}

	/**
	 * Return the Redis commands per task of the streaming runs, by command.
	 * @return the command rows
	 */
	public List<CommandRow> getCommands() {
		return Collections.unmodifiableList(this.commands);
	}

	/**
	 * Render the report: header lines, the table, the commands by command, and the notes.
	 * @return the text
	 */
	public String render() {
		StringBuilder out = new StringBuilder();
		this.header.forEach((line) -> out.append(line).append('\n'));
		out.append('\n');
		List<String[]> table = new ArrayList<>();
		table.add(new String[] { "metric", "unit", "Sheppy", "baseline", "Sheppy / baseline" });
		for (Row row : this.rows) {
			table.add(new String[] { row.label(), row.unit(), format(row.sheppy(), row.decimals()),
					(row.baseline() != null) ? format(row.baseline(), row.decimals()) : "-",
					(row.ratio() != null) ? String.format(Locale.ROOT, "%.3f", row.ratio()) : "-" });
		}
		appendTable(out, table, 2);
		if (!this.commands.isEmpty()) {
			out.append('\n');
			out.append("Redis commands per task in the streaming runs, by command (INFO commandstats deltas; "
					+ "'sent' = sent by the clients, the rest ran inside scripts):\n\n");
			List<String[]> commandTable = new ArrayList<>();
			commandTable.add(new String[] { "command", "Sheppy, all", "Sheppy, sent", "baseline" });
			for (CommandRow row : this.commands) {
				commandTable.add(new String[] { row.command(), format(row.sheppy(), 3), format(row.sheppySent(), 3),
						format(row.baseline(), 3) });
			}
			appendTable(out, commandTable, 1);
		}
		if (!this.notes.isEmpty()) {
			out.append('\n');
			this.notes.forEach((note) -> out.append("- ").append(note).append('\n'));
		}
		return out.toString();
	}

	private static void appendTable(StringBuilder out, List<String[]> table, int firstNumericColumn) {
		int columns = table.get(0).length;
		int[] widths = new int[columns];
		for (String[] cells : table) {
			for (int i = 0; i < columns; i++) {
				widths[i] = Math.max(widths[i], cells[i].length());
			}
		}
		for (int r = 0; r < table.size(); r++) {
			String[] cells = table.get(r);
			out.append('|');
			for (int i = 0; i < columns; i++) {
				String cell = cells[i];
				String padded = (i >= firstNumericColumn && r > 0) ? " ".repeat(widths[i] - cell.length()) + cell
						: cell + " ".repeat(widths[i] - cell.length());
				out.append(' ').append(padded).append(" |");
			}
			out.append('\n');
			if (r == 0) {
				out.append('|');
				for (int i = 0; i < columns; i++) {
					out.append(i >= firstNumericColumn ? "-".repeat(widths[i] + 1) + ":|"
							: "-".repeat(widths[i] + 2) + "|");
				}
				out.append('\n');
			}
		}
	}

	static String format(double value, int decimals) {
		return String.format(Locale.ROOT, "%,." + decimals + "f", value);
	}

	/**
	 * One figure.
	 *
	 * @param key a stable key, such as {@code pickup.idle.p99}
	 * @param label what was measured
	 * @param unit the unit
	 * @param sheppy the figure of Sheppy
	 * @param baseline the figure of the raw-Redis baseline of the same run, or {@code null} when there is none
	 * @param decimals the decimals shown
	 */
	public record Row(String key, String label, String unit, double sheppy, @Nullable Double baseline, int decimals) {

		/**
		 * Return Sheppy's figure divided by the baseline's.
		 * @return the ratio, or {@code null} without a (positive) baseline
		 */
		public @Nullable Double ratio() {
			return (this.baseline != null && this.baseline > 0) ? this.sheppy / this.baseline : null;
		}

	}

	/**
	 * The calls of one Redis command per task.
	 *
	 * @param command the command, as {@code INFO commandstats} names it
	 * @param sheppy the calls per task of Sheppy, including those inside scripts
	 * @param sheppySent the calls per task that Sheppy's clients sent
	 * @param baseline the calls per task of the baseline
	 */
	public record CommandRow(String command, double sheppy, double sheppySent, double baseline) {

	}

}
