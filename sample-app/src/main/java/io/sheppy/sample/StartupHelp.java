package io.sheppy.sample;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sheppy.spring.queue.TaskQueue;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Tells the user, once the application is ready, where it listens and what to try.
 */
@Component
class StartupHelp {

	private static final Logger logger = LoggerFactory.getLogger(StartupHelp.class);

	private final TaskQueue taskQueue;

	StartupHelp(TaskQueue taskQueue) {
		this.taskQueue = taskQueue;
	}

	@EventListener
	void onReady(ApplicationReadyEvent event) {
		if (event.getApplicationContext() instanceof WebServerApplicationContext context) {
			logger.info(message("http://localhost:" + context.getWebServer().getPort(), this.taskQueue.getName()));
		}
	}

	private static String message(String url, String queue) {
		return String.join(System.lineSeparator(),
				"Sheppy sample is ready at " + url + " (tasks run on queue '" + queue + "'). Open it in a browser, "
						+ "or try:",
				"  curl -X POST '" + url + "/tasks/add?x=1&y=2'",
				"  curl -X POST '" + url + "/tasks/fail?message=boom'",
				"  curl -X POST '" + url + "/tasks/slow?seconds=3'",
				"  curl " + url + "/tasks/<id>              (or /tasks/<id>/wait?timeout=5s)",
				"  curl " + url + "/queues");
	}

}
