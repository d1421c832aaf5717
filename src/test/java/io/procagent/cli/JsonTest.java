package io.procagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Numbers as {@code snapshot --json} writes them: JSON, and as a person or jq would print them. */
class JsonTest {

  @ParameterizedTest
  @CsvSource({
    "1.79586357653E9, 1795863576.53", // a start time: once written 1.79586357653E9
    "3.0, 3",
    "-2.0, -2",
    "0.25, 0.25",
    "1.0E-5, 0.00001",
    "0.000001, 0.000001",
    "1.0E-7, 1.0E-7",
    "1.5E20, 1.5E20",
    "1.0E15, 1.0E15",
  })
  void numbers(double value, String written) {
    assertThat(Json.number(value)).isEqualTo(written);
    assertThat(Double.parseDouble(Json.number(value))).isEqualTo(value);
  }
}
