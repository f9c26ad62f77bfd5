package io.sheppy.spring.backend;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisKeys}.
 *
 * @author Sheppy for Spring
 */
class RedisKeysTests {

	private static final UUID ID = UUID.fromString("b8856b8b-88f2-4f90-8b63-c67bed0a850a");

	@Test
	void keysAreThoseOfPythonSheppyWithTheQueueNameUsedLiterally() {
		assertThat(RedisKeys.task("{emails}", ID)).isEqualTo("sheppy:tasks:{emails}:" + ID);
		assertThat(RedisKeys.pending("{emails}")).isEqualTo("sheppy:pending:{emails}");
		assertThat(RedisKeys.pendingIds("{emails}")).isEqualTo("sheppy:pending_ids:{emails}");
		assertThat(RedisKeys.scheduled("{emails}")).isEqualTo("sheppy:scheduled:{emails}");
		assertThat(RedisKeys.finished("{emails}")).isEqualTo("sheppy:finished:{emails}");
		assertThat(RedisKeys.completed("{emails}")).isEqualTo("sheppy:completed:{emails}");
		assertThat(RedisKeys.cron("{emails}")).isEqualTo("sheppy:cron:{emails}");
		assertThat(RedisKeys.QUEUES).isEqualTo("sheppy:_queues");
	}

	@Test
	void scheduleChangeChannelNamesTheQueueLiterally() {
		assertThat(RedisKeys.scheduleChanged("{emails}")).isEqualTo("sheppy:scheduled-changed:{emails}");
		assertThat(RedisKeys.queueOfScheduleChanged("sheppy:scheduled-changed:a:b")).isEqualTo("a:b");
		assertThat(RedisKeys.queueOfScheduleChanged("sheppy:scheduled:a")).isNull();
	}

	@Test
	void globCharactersAreEscapedInTaskPatterns() {
		assertThat(RedisKeys.escapeGlob("a*b?c[d]e\\f")).isEqualTo("a\\*b\\?c\\[d\\]e\\\\f");
		assertThat(RedisKeys.taskPattern("q*")).isEqualTo("sheppy:tasks:q\\*:????????-????-????-????-????????????");
	}

	@Test
	void onlyKeysOfTheQueueEndingInAUuidAreTaskRecords() {
		assertThat(RedisKeys.taskId("a", "sheppy:tasks:a:" + ID)).isEqualTo(ID);
		assertThat(RedisKeys.taskId("a", "sheppy:tasks:a:b:" + ID)).isNull();
		assertThat(RedisKeys.taskId("a", "sheppy:tasks:ab:" + ID)).isNull();
		assertThat(RedisKeys.taskId("a", "sheppy:tasks:a:zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz")).isNull();
	}

}
