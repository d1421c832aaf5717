package io.procagent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An application with its own client_java 1.3.0 (with the standard process_* metrics in its
 * default registry), OSHI 6.6.5, JNA 5.14.0 and Byte Buddy 1.14.18 on its class path, serving
 * its own metrics, with procagent attached: both work, each with its own versions, and
 * procagent still records the app's children.
 */
class ClashIT {

  static final Path APP = Path.of("src/it/clash-app");

  @TempDir Path dir;

  @BeforeAll
  static void buildApp() throws Exception {
    Process mvn =
        new ProcessBuilder("mvn", "-B", "-q", "package", "dependency:copy-dependencies")
            .directory(APP.toFile())
            .inheritIO()
            .start();
    assertThat(mvn.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(mvn.exitValue()).as("building " + APP).isZero();
  }

  static java.util.stream.Stream<String> javaHomes() {
    return Jvm.javaHomes();
  }

  @ParameterizedTest
  @MethodSource("javaHomes")
  void appAndAgentEachUseTheirOwnLibraries(String javaHome) throws Exception {
    int appPort = Jvm.freePort();
    int agentPort = Jvm.freePort();
    StringBuilder cp = new StringBuilder(APP.resolve("target/classes").toAbsolutePath().toString());
    try (var jars = Files.list(APP.resolve("target/dependency"))) {
      jars.sorted().forEach(j -> cp.append(':').append(j.toAbsolutePath()));
    }
    List<String> jvm = new ArrayList<>();
    jvm.add("-javaagent:" + Jvm.AGENT.toAbsolutePath() + "=127.0.0.1:" + agentPort);
    // the host's client_java settings: they must move the app's server, never procagent's
    jvm.add("-Dio.prometheus.exporter.httpServer.port=" + appPort);
    jvm.add("-cp");
    jvm.add(cp.toString());
    try (Jvm app = Jvm.start(javaHome, dir, jvm, "clash.ClashApp", "0", "60000")) {
      String ours = Jvm.scrape("http://127.0.0.1:" + agentPort + "/metrics", Duration.ofSeconds(30));
      String theirs = Jvm.scrape("http://127.0.0.1:" + appPort + "/metrics", Duration.ofSeconds(30));
      assertThat(theirs)
          .contains("clash_requests_total 7.0")
          .contains("process_cpu_seconds_total ")
          .doesNotContain("procagent_build_info");
      ChildrenIT.send(app.process.getOutputStream(), "child");
      ChildrenIT.awaitStdout(app, "child exit=4");
      // a scrape may be answered from the last second's response (sampling.cache_ttl): poll
      String exited = "process_children_exited_total{command=\"sh\",exit_code=\"4\"} 1.0";
      for (int i = 0; i < 50 && !ours.contains(exited); i++) {
        Thread.sleep(200);
        ours = Jvm.scrape("http://127.0.0.1:" + agentPort + "/metrics", Duration.ofSeconds(30));
      }
      assertThat(ours).contains(exited);
      assertThat(ours)
          .contains("procagent_build_info")
          .contains("process_info{")
          .contains("system_physical_cores")
          .doesNotContain("clash_requests_total");
      String stdout = app.stdout();
      assertThat(stdout)
          .contains("app ready pid=" + app.process.pid())
          .contains("oshi=6.6.5")
          .contains("jna=5.14.0")
          .contains("prometheus=prometheus-metrics-core-1.3.0.jar")
          .contains("bytebuddy=byte-buddy-1.14.18.jar generated=clash.Generated");
      // Java 25 warns about the app's own JNA loading natives; ours is never even loaded
      assertThat(app.stderr()).doesNotContain("SLF4J").doesNotContain("Exception").doesNotContain("jna-jpms");
      assertThat(app.agentLines()).singleElement().asString().contains("INFO procagent").contains("serving");
    }
  }
}
