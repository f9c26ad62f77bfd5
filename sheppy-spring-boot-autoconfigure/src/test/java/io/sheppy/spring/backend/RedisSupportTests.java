package io.sheppy.spring.backend;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.connection.RedisPipelineException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests of the reasons {@link RedisSupport} gives for failures of Redis, which end up in the messages of
 * {@link BackendException}: a failed pipeline says what made its commands fail, not only that they did.
 *
 * @author Sheppy for Spring
 */
class RedisSupportTests {

	@Test
	void theReasonOfAFailedPipelineIsWhatMadeItsFirstFailedCommandFail() {
		RedisPipelineException failure = new RedisPipelineException("Pipeline contained one or more invalid commands",
				List.of(1L, new QueryTimeoutException("Redis command timed out"),
						new QueryTimeoutException("Redis command timed out after 2 s")));

		assertThat(RedisSupport.reason(failure)).isEqualTo("Redis command timed out");
	}

	@Test
	void theReasonOfAPipelineThatFailedAsAWholeIsItsCause() {
		RedisPipelineException failure = new RedisPipelineException(
				new RedisConnectionFailureException("Unable to connect to Redis"), List.of());

		assertThat(RedisSupport.reason(failure)).isEqualTo("Unable to connect to Redis");
	}

	@Test
	void theReasonOfAnyOtherFailureIsItsMessage() {
		assertThat(RedisSupport.reason(new RedisConnectionFailureException("Unable to connect to Redis")))
			.isEqualTo("Unable to connect to Redis");
	}

}
