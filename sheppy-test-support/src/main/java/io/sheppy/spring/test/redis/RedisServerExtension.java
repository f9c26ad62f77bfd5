package io.sheppy.spring.test.redis;

import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * JUnit Jupiter extension that runs one {@link RedisServer} per test class (shared with its {@code @Nested} classes),
 * flushes it before each test and resolves {@link RedisServer} parameters. Register it with
 * {@link WithRedisServer @WithRedisServer}, or with {@code @RegisterExtension} and explicit options.
 */
public class RedisServerExtension
		implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, ParameterResolver {

	private static final Namespace NAMESPACE = Namespace.create(RedisServerExtension.class);

	private static final String SERVER_KEY = "server";

	private final @Nullable RedisServerOptions options;

	/**
	 * Create an extension that takes its options from {@link WithRedisServer @WithRedisServer}, or uses the defaults.
	 */
	public RedisServerExtension() {
		this.options = null;
	}

	/**
	 * Create an extension with the given options, for {@code @RegisterExtension}.
	 * @param options the options
	 */
	public RedisServerExtension(RedisServerOptions options) {
		this.options = options;
	}

	/**
	 * Return the server of the test class that the given context belongs to, starting it if needed.
	 * @param context the extension context of a test class or method
	 * @return the running server
	 */
	public RedisServer getServer(ExtensionContext context) {
		ExtensionContext owner = owner(context);
		return owner.getStore(NAMESPACE)
			.computeIfAbsent(SERVER_KEY, (key) -> RedisServers.start(options(owner)), RedisServer.class);
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		getServer(context);
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		RedisServer server = getServer(context);
		if (!server.isRunning()) {
			server.start();
		}
		server.flushAll();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		if (owner(context) == context) {
			RedisServer server = context.getStore(NAMESPACE).remove(SERVER_KEY, RedisServer.class);
			if (server != null) {
				server.close();
			}
		}
	}

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return parameterContext.getParameter().getType() == RedisServer.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return getServer(extensionContext);
	}

	private RedisServerOptions options(ExtensionContext owner) {
		if (this.options != null) {
			return this.options;
		}
		Optional<WithRedisServer> annotation = AnnotationSupport.findAnnotation(owner.getRequiredTestClass(),
				WithRedisServer.class);
		return annotation.map(RedisServerExtension::options).orElseGet(RedisServerOptions::defaults);
	}

	private static RedisServerOptions options(WithRedisServer annotation) {
		String policy = annotation.maxmemoryPolicy();
		return RedisServerOptions.defaults()
			.withAof(annotation.aof())
			.withConfig(annotation.config())
			.withMaxmemoryPolicy(policy.isBlank() ? null : policy);
	}

	/**
	 * Return the context of the outermost test class, which owns the server.
	 */
	private static ExtensionContext owner(ExtensionContext context) {
		ExtensionContext owner = context;
		Optional<ExtensionContext> parent = owner.getParent();
		while (parent.isPresent() && parent.get().getTestClass().isPresent()) {
			owner = parent.get();
			parent = owner.getParent();
		}
		return owner;
	}

}
