package io.sheppy.benchmarks;

import java.util.ArrayList;
import java.util.List;

import io.sheppy.spring.autoconfigure.SheppyProperties;
import io.sheppy.spring.config.TaskEndpointRegistry;
import io.sheppy.spring.test.redis.RedisServer;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The application that the benchmark runs, in process, as a user would run the starter: a real Spring Boot
 * application with the no-op {@link BenchmarkTasks}. A producer runs it with {@code sheppy.worker.enabled=false}; the
 * worker runs it with workers that start only when {@link TaskEndpointRegistry#start()} is called, so that the
 * benchmark can queue tasks first and time the worker from its start.
 *
 * @author Sheppy for Spring
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class BenchmarkApplication {

	@Bean
	BenchmarkTasks benchmarkTasks(TaskProbe probe) {
		return new BenchmarkTasks(probe);
	}

	@Bean
	ClientResourcesBuilderCustomizer benchmarkCommandCounter(RedisCommandCounter counter) {
		return (builder) -> builder.commandLatencyRecorder(counter);
	}

	@Bean
	TaskEndpointRegistry sheppyTaskEndpointRegistry(SheppyProperties properties) {
		TaskEndpointRegistry registry = new TaskEndpointRegistry();
		registry.setDefaultQueue(properties.getQueue());
		registry.setAutoStartup(false);
		return registry;
	}

	/**
	 * Start the application on a Redis server.
	 * @param server the Redis server
	 * @param probe what the tasks report to
	 * @param counter counts the commands that the application sends
	 * @param properties further properties ({@code name=value})
	 * @return the running application, to be closed by the caller
	 */
	static ConfigurableApplicationContext start(RedisServer server, TaskProbe probe, RedisCommandCounter counter,
			String... properties) {
		List<String> all = new ArrayList<>();
		all.add("spring.data.redis.host=" + server.host());
		all.add("spring.data.redis.port=" + server.port());
		all.add("logging.level.root=warn");
		all.addAll(List.of(properties));
		return new SpringApplicationBuilder(BenchmarkApplication.class).web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.initializers((context) -> {
				context.getBeanFactory().registerSingleton("taskProbe", probe);
				context.getBeanFactory().registerSingleton("redisCommandCounter", counter);
			})
			.properties(all.toArray(String[]::new))
			.run();
	}

}
