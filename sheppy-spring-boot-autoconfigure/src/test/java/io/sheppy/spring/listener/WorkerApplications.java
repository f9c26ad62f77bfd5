package io.sheppy.spring.listener;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.sheppy.spring.test.redis.RedisServer;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts applications that share one test Redis server, as several processes of a real deployment share one Redis:
 * workers, and producers whose worker is switched off.
 *
 * @author Sheppy for Spring
 */
final class WorkerApplications {

	private WorkerApplications() {
	}

	/**
	 * Start an application on the server.
	 * @param server the Redis server
	 * @param application the application's configuration class
	 * @param properties further properties ({@code name=value})
	 * @return the running application, to be closed by the caller
	 */
	static ConfigurableApplicationContext start(RedisServer server, Class<?> application, String... properties) {
		List<String> all = new ArrayList<>();
		all.add("spring.data.redis.host=" + server.host());
		all.add("spring.data.redis.port=" + server.port());
		all.addAll(List.of(properties));
		return new SpringApplicationBuilder(application).web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.properties(all.toArray(String[]::new))
			.run();
	}

	/**
	 * Return whether a thread of the given name is alive.
	 * @param name the thread name
	 * @return whether it is alive
	 */
	static boolean isThreadAlive(String name) {
		Optional<Thread> thread = Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((candidate) -> candidate.getName().equals(name))
			.findFirst();
		return thread.isPresent() && thread.get().isAlive();
	}

}
