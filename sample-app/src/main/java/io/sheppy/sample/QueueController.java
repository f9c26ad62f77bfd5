package io.sheppy.sample;

import java.util.List;

import io.sheppy.spring.backend.QueueStats;
import io.sheppy.spring.queue.TaskQueue;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Shows the known queues with their counts.
 */
@RestController
public class QueueController {

	private final TaskQueue taskQueue;

	QueueController(TaskQueue taskQueue) {
		this.taskQueue = taskQueue;
	}

	@GetMapping("/queues")
	List<QueueView> queues() {
		return this.taskQueue.listQueues()
			.keySet()
			.stream()
			.sorted()
			.map((name) -> QueueView.of(name, this.taskQueue.queue(name).getStats()))
			.toList();
	}

	/**
	 * The counts of one queue.
	 *
	 * @param name the queue name
	 * @param pending queued or running tasks that have not finished
	 * @param completed tasks that have finished (completed, failed, crashed or cancelled)
	 * @param scheduled tasks waiting for their time
	 */
	public record QueueView(String name, long pending, long completed, long scheduled) {

		static QueueView of(String name, QueueStats stats) {
			return new QueueView(name, stats.pending(), stats.completed(), stats.scheduled());
		}

	}

}
