package io.procagent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real children in known patterns, with {@code -javaagent} and with the agent attached after
 * start, on Java 17 and 25: exact counts, exit codes, groups, monotonic counters, and the
 * application's own {@code waitFor()} results untouched.
 */
class ChildrenIT {

  @TempDir Path dir;

  static List<Object[]> cases() {
    List<Object[]> out = new ArrayList<>();
    Jvm.javaHomes().forEach(h -> {
      out.add(new Object[] {h, false});
      out.add(new Object[] {h, true});
    });
    return out;
  }

  @ParameterizedTest(name = "{0} attach={1}")
  @MethodSource("cases")
  void knownPatternsGiveExactMetrics(String javaHome, boolean attach) throws Exception {
    int port = Jvm.freePort();
    int jmxPort = Jvm.freePort();
    Path config = dir.resolve("c.yaml");
    Files.writeString(config, "sampling:\n  interval: 300ms\n  cache_ttl: 0s\n");
    String agentArgs = "127.0.0.1:" + port + ":" + config;
    List<String> jvm = new ArrayList<>();
    if (!attach) {
      jvm.add("-javaagent:" + Jvm.AGENT.toAbsolutePath() + "=" + agentArgs);
    }
    jvm.addAll(
        List.of(
            "-XX:+IgnoreUnrecognizedVMOptions",
            "-XX:+EnableDynamicAgentLoading",
            "-Dcom.sun.management.jmxremote.port=" + jmxPort,
            "-Dcom.sun.management.jmxremote.host=127.0.0.1",
            "-Dcom.sun.management.jmxremote.authenticate=false",
            "-Dcom.sun.management.jmxremote.ssl=false",
            "-cp",
            Jvm.TEST_CLASSES.toAbsolutePath().toString()));
    try (Jvm app = Jvm.start(javaHome, dir, jvm, ChildrenApp.class.getName())) {
      OutputStream stdin = app.process.getOutputStream();
      awaitStdout(app, "app ready");
      if (attach) {
        ByteBuddyAgent.attach(Jvm.AGENT.toAbsolutePath().toFile(), Long.toString(app.process.pid()), agentArgs);
      }
      String url = "http://127.0.0.1:" + port + "/metrics";
      Map<String, Double> before = samples(Jvm.scrape(url, Duration.ofSeconds(30)));
      double reapedBefore = reaped(before);

      send(stdin, "go");
      awaitStdout(app, "scenario done");
      Thread.sleep(1200); // a few sampling rounds
      Map<String, Double> during = samples(Jvm.scrape(url, Duration.ofSeconds(10)));

      assertThat(app.stdout().lines().filter(l -> l.equals("exit=3"))).hasSize(5);
      assertThat(app.stdout()).contains("launch failed: true").contains("burn exit=0 cpu=");
      assertThat(during)
          .containsEntry("process_children{command=\"sleep\"}", 4.0) // 3 + the grandchild
          .containsEntry("process_children{command=\"sh\"}", 1.0)
          .containsEntry("process_children_started_total{command=\"sh\"}", 6.0)
          .containsEntry("process_children_started_total{command=\"sleep\"}", 3.0)
          .containsEntry("process_children_started_total{command=\"java\"}", 1.0)
          .containsEntry("process_children_exited_total{command=\"sh\",exit_code=\"3\"}", 5.0)
          .containsEntry("process_children_exited_total{command=\"java\",exit_code=\"0\"}", 1.0)
          .containsEntry("process_children_launch_failures_total{command=\"no-such-command-procagent\"}", 1.0)
          .containsEntry("process_children_duration_seconds_count{command=\"sh\"}", 5.0)
          .containsEntry("procagent_children_folded_commands", 0.0);
      assertThat(during.get("process_children_resident_memory_bytes{command=\"sleep\"}")).isGreaterThan(4 * 100_000.0);
      assertThat(during.get("process_children_threads{command=\"sleep\"}")).isEqualTo(4.0);
      assertThat(during.get("process_children_open_fds{command=\"sleep\"}")).isGreaterThanOrEqualTo(4 * 3.0);
      assertThat(during.get("process_children_duration_seconds_sum{command=\"sh\"}")).isBetween(0.0, 5.0);
      for (String name : AgentIT.documentedMetrics()) {
        if (name.startsWith("process_children")) {
          String base = name.replace("_duration_seconds", "_duration_seconds_count");
          assertThat(during.keySet()).as("documented " + name + " is exported").anyMatch(k -> k.startsWith(base + "{"));
        }
      }
      double burnCpu = Double.parseDouble(app.stdout().replaceAll("(?s).*burn exit=0 cpu=([0-9.]+).*", "$1"));
      assertThat(reaped(during) - reapedBefore)
          .as("reaped children CPU includes the burner's %.2f s", burnCpu)
          .isGreaterThanOrEqualTo(burnCpu - 0.05);

      try (JMXConnector c =
          JMXConnectorFactory.connect(
              new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"))) {
        MBeanServerConnection mbs = c.getMBeanServerConnection();
        ObjectName children = new ObjectName("procagent:type=Children");
        assertThat(mbs.getAttribute(children, "LiveChildren")).isEqualTo(5);
        assertThat(mbs.getAttribute(children, "Started")).isEqualTo(10L);
        assertThat(mbs.getAttribute(children, "FailedExits")).isEqualTo(5L);
        assertThat(mbs.getAttribute(children, "LaunchFailures")).isEqualTo(1L);
        CompositeData[] live = (CompositeData[]) mbs.getAttribute(children, "Live");
        assertThat(live).hasSize(5).allSatisfy(r -> assertThat(r.get("arguments")).isEqualTo(""));
        assertThat(live).anySatisfy(r -> assertThat(r.get("ppid")).isNotEqualTo(app.process.pid())); // the grandchild
        CompositeData[] exits = (CompositeData[]) mbs.getAttribute(children, "RecentExits");
        assertThat(exits[0].get("command")).isEqualTo("java");
        assertThat(exits).filteredOn(r -> r.get("exitCode").equals(3)).hasSize(5);
      }

      send(stdin, "zombie");
      awaitStdout(app, "zombie made");
      Thread.sleep(1200);
      Map<String, Double> zombie = samples(Jvm.scrape(url, Duration.ofSeconds(10)));
      assertThat(zombie)
          .containsEntry("process_children_states{state=\"zombie\"}", 1.0)
          .containsEntry("process_children_states{state=\"sleeping\"}", 6.0) // 4 sleeps, 2 sh
          .containsEntry("process_children_states{state=\"running\"}", 0.0)
          .containsEntry("process_children{command=\"sleep\"}", 5.0)
          .containsEntry("process_children{command=\"sh\"}", 2.0);
      try (JMXConnector c =
          JMXConnectorFactory.connect(
              new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"))) {
        TabularData byState = (TabularData) c.getMBeanServerConnection().getAttribute(new ObjectName("procagent:type=Children"), "LiveByState");
        assertThat(byState.get(new Object[] {"zombie"}).get("value")).isEqualTo(1);
      }

      send(stdin, "kill");
      awaitStdout(app, "killed");
      Thread.sleep(1200);
      Map<String, Double> after = samples(Jvm.scrape(url, Duration.ofSeconds(10)));
      assertThat(after).containsEntry("process_children{command=\"sleep\"}", 0.0).containsEntry("process_children{command=\"sh\"}", 0.0);
      for (Map.Entry<String, Double> e : during.entrySet()) {
        if (e.getKey().startsWith("process_children_cpu_seconds_total") || e.getKey().startsWith("process_children_started_total")) {
          assertThat(after.get(e.getKey())).as("monotonic " + e.getKey()).isGreaterThanOrEqualTo(e.getValue());
        }
      }
      // the sleeps were killed by SIGTERM: 128 + 15
      assertThat(after).containsEntry("process_children_exited_total{command=\"sleep\",exit_code=\"143\"}", 3.0);

      send(stdin, "quit");
      assertThat(app.waitFor(Duration.ofSeconds(30))).isZero();
      assertThat(app.stderr()).doesNotContain("\tat ").doesNotContain("WARN").doesNotContain("WARNING");
    }
  }

  static double reaped(Map<String, Double> s) {
    return s.get("process_reaped_children_cpu_seconds_total{mode=\"user\"}")
        + s.get("process_reaped_children_cpu_seconds_total{mode=\"system\"}");
  }

  static void send(OutputStream stdin, String line) throws IOException {
    stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    stdin.flush();
  }

  static void awaitStdout(Jvm app, String text) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!app.stdout().contains(text)) {
      assertThat(System.nanoTime()).as("waiting for '" + text + "'; stderr: " + app.stderr()).isLessThan(deadline);
      assertThat(app.process.isAlive()).as("app alive; stderr: " + app.stderr()).isTrue();
      Thread.sleep(50);
    }
  }

  /** Series (name and labels) to value, from a Prometheus text scrape. */
  static Map<String, Double> samples(String scrape) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : scrape.lines().toList()) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int sp = line.lastIndexOf(' ');
      out.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
    }
    return out;
  }

}
