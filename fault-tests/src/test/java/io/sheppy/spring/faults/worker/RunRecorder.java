package io.sheppy.spring.faults.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.sheppy.spring.core.Task;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Appends a line to a file each time a task starts: {@code <task id> <worker> <pid> <epoch millis> <retry count>}.
 * The file is the tests' record of executions, kept outside Redis so that the faults injected into Redis cannot
 * change it; each line is one write to a file opened for appending, so it outlives a {@code kill -9} of the worker.
 *
 * @author Sheppy for Spring
 */
@Component
public class RunRecorder implements DisposableBean {

	private final FileChannel channel;

	private final String worker;

	private final long pid = ProcessHandle.current().pid();

	RunRecorder(@Value("${faults.runs-file}") Path file, @Value("${sheppy.redis.consumer-name}") String worker)
			throws IOException {
		this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				StandardOpenOption.APPEND);
		this.worker = worker;
	}

	void record(Task<?> task) {
		String line = task.getId() + " " + this.worker + " " + this.pid + " " + System.currentTimeMillis() + " "
				+ task.getRetryCount() + "\n";
		try {
			this.channel.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot record the run of task " + task.getId(), ex);
		}
	}

	@Override
	public void destroy() throws IOException {
		this.channel.close();
	}

}
