package io.sheppy.spring.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.sheppy.spring.faults.worker.RunRecorder;

/**
 * The executions that the workers of a scenario recorded with {@link RunRecorder}, read from the runs files of every
 * incarnation of every worker.
 *
 * @author Sheppy for Spring
 */
final class RunLog {

	private final Map<UUID, List<Run>> byTask;

	private RunLog(Map<UUID, List<Run>> byTask) {
		this.byTask = byTask;
	}

	/**
	 * Read the runs files of a scenario's directory, or one runs file.
	 * @param path the directory or the file
	 * @return the runs
	 */
	static RunLog read(Path path) {
		Map<UUID, List<Run>> byTask = new HashMap<>();
		try {
			List<Path> files;
			if (Files.isDirectory(path)) {
				try (Stream<Path> paths = Files.list(path)) {
					files = paths.filter((file) -> file.getFileName().toString().startsWith("runs-")).toList();
				}
			}
			else {
				files = Files.exists(path) ? List.of(path) : List.of();
			}
			for (Path file : files) {
				for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
					String[] fields = line.split(" ");
					if (fields.length < 5) {
						// blank, or being written
						continue;
					}
					Run run = new Run(UUID.fromString(fields[0]), fields[1], Long.parseLong(fields[2]),
							Long.parseLong(fields[3]), Integer.parseInt(fields[4]));
					byTask.computeIfAbsent(run.taskId(), (id) -> new ArrayList<>()).add(run);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return new RunLog(byTask);
	}

	/**
	 * Return the runs of a task.
	 * @param id the task id
	 * @return its runs, in no particular order; empty if it never started
	 */
	List<Run> runs(UUID id) {
		return this.byTask.getOrDefault(id, List.of());
	}

	/**
	 * Return the tasks among the given ones that started more than once.
	 * @param ids the task ids
	 * @return the ids of the tasks run more than once
	 */
	Set<UUID> duplicates(Collection<UUID> ids) {
		return ids.stream().filter((id) -> runs(id).size() > 1).collect(Collectors.toSet());
	}

	/**
	 * Return all runs.
	 * @return the runs
	 */
	List<Run> all() {
		return this.byTask.values().stream().flatMap(List::stream).toList();
	}

	/**
	 * One start of a task.
	 *
	 * @param taskId the task id
	 * @param worker the consumer name of the worker
	 * @param pid the process id of the worker
	 * @param at when it started, in epoch milliseconds
	 * @param retryCount the task's retry count when it started
	 */
	record Run(UUID taskId, String worker, long pid, long at, int retryCount) {

	}

}
