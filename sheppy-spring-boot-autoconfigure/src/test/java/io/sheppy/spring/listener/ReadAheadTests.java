package io.sheppy.spring.listener;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests of {@link ReadAhead}: tasks are read ahead only after a full read and while runs are short, never more than
 * the prefetch at once.
 *
 * @author Sheppy for Spring
 */
class ReadAheadTests {

	private static final long SHORT = ReadAhead.SHORT_RUN_NANOS / 10;

	private static final long LONG = ReadAhead.SHORT_RUN_NANOS * 4;

	@Test
	void readsNothingAheadBeforeRunsHaveBeenSeen() {
		ReadAhead readAhead = new ReadAhead(50);

		assertThat(readAhead.take(true, 10)).isZero();
	}

	@Test
	void readsAheadAfterAFullReadOnceRunsAreShort() {
		ReadAhead readAhead = new ReadAhead(50);
		runs(readAhead, 20, SHORT);

		assertThat(readAhead.take(true, 10)).isEqualTo(10);
	}

	@Test
	void readsNothingAheadAfterARead() {
		ReadAhead readAhead = new ReadAhead(50);
		runs(readAhead, 20, SHORT);

		assertThat(readAhead.take(false, 10)).isZero();
	}

	@Test
	void readsNothingAheadWhileRunsAreLong() {
		ReadAhead readAhead = new ReadAhead(50);
		runs(readAhead, 20, SHORT);
		runs(readAhead, 20, LONG);

		assertThat(readAhead.take(true, 10)).isZero();
	}

	@Test
	void readsAheadAgainWhenRunsAreShortAgain() {
		ReadAhead readAhead = new ReadAhead(50);
		runs(readAhead, 20, LONG);
		assertThat(readAhead.take(true, 10)).isZero();

		runs(readAhead, 40, SHORT);

		assertThat(readAhead.take(true, 10)).isEqualTo(10);
	}

	@Test
	void readsNoMoreAheadThanThePrefetchUntilTasksReadAheadAreReleased() {
		ReadAhead readAhead = new ReadAhead(15);
		runs(readAhead, 20, SHORT);

		assertThat(readAhead.take(true, 10)).isEqualTo(10);
		assertThat(readAhead.take(true, 10)).isEqualTo(5);
		assertThat(readAhead.take(true, 10)).isZero();
		readAhead.release(8);
		assertThat(readAhead.take(true, 10)).isEqualTo(8);
	}

	@Test
	void readsNothingAheadWithAPrefetchOfZero() {
		ReadAhead readAhead = new ReadAhead(0);
		runs(readAhead, 20, SHORT);

		assertThat(readAhead.take(true, 10)).isZero();
	}

	@Test
	void readsNothingAheadWhenTheReadTakesAWholeBatchAlready() {
		ReadAhead readAhead = new ReadAhead(50);
		runs(readAhead, 20, SHORT);

		assertThat(readAhead.take(true, 0)).isZero();
	}

	private static void runs(ReadAhead readAhead, int count, long nanos) {
		for (int i = 0; i < count; i++) {
			readAhead.ran(nanos);
		}
	}

}
