package io.sheppy.spring.core;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link PythonFormat}: Python's {@code str(float)} and pydantic's compact JSON.
 */
class PythonFormatTests {

	@ParameterizedTest
	@CsvSource({ "1798794000.0, 1798794000.0", "1.0, 1.0", "0.1, 0.1", "0.30000000000000004, 0.30000000000000004",
			"-2.5, -2.5", "0.0001, 0.0001", "0.00001, 1e-05", "1.5e-7, 1.5e-07", "1e15, 1000000000000000.0",
			"1e16, 1e+16", "123456789012345678, 1.2345678901234568e+17", "1.5e300, 1.5e+300", "0.0, 0.0",
			"-0.0, -0.0", "1798794000.123456, 1798794000.123456", "5e-324, 5e-324" })
	void strWritesFloatsAsPythonDoes(double value, String expected) {
		assertThat(PythonFormat.str(value)).isEqualTo(expected);
	}

	@ParameterizedTest
	@CsvSource({ "1.0, 1.0", "5.0, 5.0", "60.0, 60.0", "0.1, 0.1", "100.0, 100.0", "1e15, 1000000000000000.0",
			"1e16, 1e16", "0.00001, 0.00001", "0.000001, 1e-6", "1.5e300, 1.5e300", "-2.5, -2.5",
			"123.456, 123.456" })
	void jsonFloatWritesFloatsAsPydanticDoes(double value, String expected) {
		assertThat(PythonFormat.jsonFloat(value)).isEqualTo(expected);
	}

	@Test
	void specJsonIsCompactWithIntsFloatsAndNestedValuesKept() {
		Map<String, Object> kwargs = new LinkedHashMap<>();
		kwargs.put("b", Map.of("x", List.of(1.5, true)));
		kwargs.put("a", null);
		TaskSpec spec = new TaskSpec("m:f", Arrays.asList(1, 2.0, "é\"\n", null, 10_000_000_000L), kwargs);
		assertThat(PythonFormat.json(spec))
			.isEqualTo("{\"func\":\"m:f\",\"args\":[1,2.0,\"é\\\"\\n\",null,10000000000],"
					+ "\"kwargs\":{\"b\":{\"x\":[1.5,true]},\"a\":null}}");
	}

	@Test
	void configJsonListsEveryFieldInPythonsOrder() {
		TaskConfig config = TaskConfig.DEFAULT.withRetry(2)
			.withRetryDelay(RetryDelay.of(List.of(1, 10, 60)))
			.withRateLimit(new RateLimit(2, 5))
			.withTtl(Ttl.ofSeconds(60))
			.withErrorTtl(Ttl.NEVER);
		assertThat(PythonFormat.json(config)).isEqualTo("{\"retry\":2,\"retry_delay\":[1.0,10.0,60.0],\"timeout\":null,"
				+ "\"retry_on_timeout\":false,\"retry_on_crash\":false,\"rate_limit\":{\"max_rate\":2,\"rate_period\":5.0},"
				+ "\"ttl\":60,\"error_ttl\":null}");
	}

	@Test
	void valueThatIsNotJsonIsRefusedWithTheReason() {
		TaskSpec spec = TaskSpec.of("m:f", new Object());
		assertThatIllegalArgumentException().isThrownBy(() -> PythonFormat.json(spec))
			.withMessageContaining("must be a JSON value")
			.withMessageContaining("java.lang.Object");
	}

}
