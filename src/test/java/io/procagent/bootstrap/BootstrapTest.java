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

  @org.junit.jupiter.api.Test
  void theAgentsLoaderHangsUnderThePlatformLoader() {
    assertThat(Bootstrap.platformLoader()).isSameAs(ClassLoader.getPlatformClassLoader());
  }

  @org.junit.jupiter.api.Test
  void theJarsEveryStartUpNeedsAreSearchedFirst() {
    assertThat(Bootstrap.rank("/tmp/procagent-1-x/core.jar")).isZero();
    assertThat(Bootstrap.rank("/tmp/procagent-1-x/prometheus-metrics-model-1.5.0.jar"))
        .isLessThan(Bootstrap.rank("/tmp/procagent-1-x/oshi-core-7.5.0.jar"));
    assertThat(Bootstrap.rank("/tmp/procagent-1-x/snakeyaml-2.5.jar"))
        .isEqualTo(Bootstrap.rank("/tmp/procagent-1-x/oshi-core-7.5.0.jar"));
  }

  @org.junit.jupiter.api.Test
  void aTmpdirThatCannotBeWrittenIsNamed() {
    String tmp = System.getProperty("java.io.tmpdir");
    try {
      System.setProperty("java.io.tmpdir", "/nonexistent/tmp");
      assertThat(org.assertj.core.api.Assertions.catchThrowable(Bootstrap::privateDirectory))
          .isInstanceOf(java.io.IOException.class)
          .hasMessageStartingWith("cannot unpack procagent's jars into java.io.tmpdir /nonexistent/tmp: java.nio.file.NoSuchFileException")
          .hasMessageEndingWith("(give a writable one with -Djava.io.tmpdir)");
    } finally {
      System.setProperty("java.io.tmpdir", tmp);
    }
  }

  @org.junit.jupiter.api.Test
  void aFailureToStartIsNamedByItsRootCauseAndASecurityManagerByName() {
    assertThat(Bootstrap.describe(new IllegalStateException("x"))).isEqualTo("java.lang.IllegalStateException: x");
    assertThat(Bootstrap.describe(new ExceptionInInitializerError(new IllegalStateException("x"))))
        .isEqualTo("java.lang.ExceptionInInitializerError, caused by java.lang.IllegalStateException: x");
    IllegalStateException cause = new IllegalStateException("y");
    assertThat(Bootstrap.describe(new java.io.IOException("cannot do it: " + cause, cause)))
        .isEqualTo("java.io.IOException: cannot do it: java.lang.IllegalStateException: y"); // named once
    assertThat(Bootstrap.describe(new RuntimeException("a", new ExceptionInInitializerError(new SecurityException("denied")))))
        .isEqualTo("java.lang.RuntimeException: a, caused by java.lang.SecurityException: denied"
            + " (procagent does not run under a Java security manager)");
  }
}
