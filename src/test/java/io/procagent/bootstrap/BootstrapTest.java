package io.procagent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BootstrapTest {

  @ParameterizedTest
  @CsvSource({"1.6,false", "1.8,false", "9,false", "11,false", "16,false", "17,true", "21,true", "25,true", "26.1,true", ",false", "x,false"})
  void javaVersionCheck(String spec, boolean ok) {
    assertThat(Bootstrap.supported(spec)).isEqualTo(ok);
  }
}
