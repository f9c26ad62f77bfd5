package io.sheppy.spring.faults.worker;

import java.util.concurrent.TimeUnit;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The worker application of the fault-injection tests: a plain Spring Boot application with the starter and
 * {@link FaultTasks}, which the tests run as separate processes against a Redis they kill, stop and restart.
 * <p>
 * Started with {@code -Dfaults.exit-with-parent=true}, it halts when the process that launched it dies (it is
 * handed to another parent then): a test JVM that is killed leaves no worker behind.
 *
 * @author Sheppy for Spring
 */
@SpringBootApplication
public class FaultWorkerApplication {

	public static void main(String[] args) {
		if (Boolean.getBoolean("faults.exit-with-parent")) {
			exitWithParent();
		}
		SpringApplication.run(FaultWorkerApplication.class, args);
	}

	private static void exitWithParent() {
		long parent = parentPid();
		Thread watch = new Thread(() -> {
			while (parentPid() == parent) {
				try {
					TimeUnit.MILLISECONDS.sleep(500);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
			Runtime.getRuntime().halt(70);
		}, "faults-parent-watch");
		watch.setDaemon(true);
		watch.start();
	}

	private static long parentPid() {
		return ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
	}

}
