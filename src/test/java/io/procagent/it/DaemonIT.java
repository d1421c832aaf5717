package io.procagent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code procagent daemon} watching a process by name: up, down, restarted, in Prometheus and JMX. */
class DaemonIT {

  @TempDir Path dir;

  static java.util.stream.Stream<String> javaHomes() {
    return Jvm.javaHomes();
  }

  /** A copy of sleep with a name no other process on the host has, so matching is exact. */
  private Path uniqueSleep(String name) throws Exception {
    Path copy = dir.resolve(name);
    Files.copy(Path.of("/bin/sleep"), copy);
    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
    return copy;
  }

  private static Process sleep(Path exe) throws Exception {
    return new ProcessBuilder(exe.toString(), "300").start();
  }

  private static List<String> daemonArgs(int port, String... targets) {
    List<String> args = new ArrayList<>(List.of("daemon", "--host", "127.0.0.1", "--port", Integer.toString(port)));
    for (String t : targets) {
      args.add("--target");
      args.add(t);
    }
    return args;
  }

  static Map<String, Double> waitFor(String url, String series, double value) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    Map<String, Double> s;
    do {
      s = ChildrenIT.samples(Jvm.scrape(url, Duration.ofSeconds(10)));
      if (Double.valueOf(value).equals(s.get(series))) {
        return s;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    throw new AssertionError(series + " never became " + value + "; last scrape: " + s);
  }

  @ParameterizedTest
  @MethodSource("javaHomes")
  void followsATargetThroughStopAndRestart(String javaHome) throws Exception {
    String name = "pa-sl" + (System.nanoTime() % 100000);
    Path exe = uniqueSleep(name);
    Process first = sleep(exe);
    int port = Jvm.freePort();
    int jmxPort = Jvm.freePort();
    Path config = dir.resolve("d.yaml");
    Files.writeString(config, "sampling:\n  interval: 300ms\n");
    List<String> jvm =
        List.of(
            "-Dcom.sun.management.jmxremote.port=" + jmxPort,
            "-Dcom.sun.management.jmxremote.host=127.0.0.1",
            "-Dcom.sun.management.jmxremote.authenticate=false",
            "-Dcom.sun.management.jmxremote.ssl=false",
            "-jar",
            Jvm.AGENT.toAbsolutePath().toString());
    List<String> args = new ArrayList<>(daemonArgs(port, "sleep=comm:^" + name + "$"));
    args.add("--config");
    args.add(config.toString());
    try (Jvm daemon = Jvm.start(javaHome, dir, jvm, args.get(0), args.subList(1, args.size()).toArray(String[]::new))) {
      String url = "http://127.0.0.1:" + port + "/metrics";
      Map<String, Double> up = waitFor(url, "procagent_target_up{target=\"sleep\"}", 1.0);
      assertThat(up).containsEntry("procagent_target_processes{target=\"sleep\"}", 1.0);
      assertThat(up).containsKey("process_cpu_seconds_total{target=\"sleep\"}");
      assertThat(up).containsKey("process_resident_memory_bytes{target=\"sleep\"}");
      String scrape = Jvm.scrape(url, Duration.ofSeconds(5));
      assertThat(scrape).contains("pid=\"" + first.pid() + "\"").contains("system_cpu_time_seconds_total{cpu=\"0\"");

      try (JMXConnector c =
          JMXConnectorFactory.connect(new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"))) {
        MBeanServerConnection mbs = c.getMBeanServerConnection();
        assertThat(mbs.getAttribute(new ObjectName("procagent:type=Process,target=sleep"), "Pid")).isEqualTo(first.pid());
        assertThat(mbs.getAttribute(new ObjectName("procagent:type=Children,target=sleep"), "LiveChildren")).isEqualTo(0);
        assertThat(mbs.getAttribute(new ObjectName("procagent:type=SystemCpu"), "LogicalCpuCount")).isNotNull();
      }

      first.destroy();
      first.waitFor();
      waitFor(url, "procagent_target_up{target=\"sleep\"}", 0.0);
      Process second = sleep(exe);
      try {
        waitFor(url, "procagent_target_up{target=\"sleep\"}", 1.0);
        assertThat(Jvm.scrape(url, Duration.ofSeconds(5))).contains("pid=\"" + second.pid() + "\"");
      } finally {
        second.destroy();
        second.waitFor();
      }
      assertThat(daemon.stderr()).doesNotContain("\tat ").doesNotContain("WARN");
    } finally {
      first.destroy();
    }
  }

  @Test
  void embeddedDefaultWatchesTheHostAndItself() throws Exception {
    int port = Jvm.freePort();
    List<String> args = daemonArgs(port);
    try (Jvm daemon =
        Jvm.start(System.getProperty("java.home"), dir, List.of("-jar", Jvm.AGENT.toAbsolutePath().toString()), args.get(0),
            args.subList(1, args.size()).toArray(String[]::new))) {
      Map<String, Double> s = waitFor("http://127.0.0.1:" + port + "/metrics", "procagent_target_up{target=\"procagent\"}", 1.0);
      assertThat(s).containsKey("system_load1").containsKey("jvm_threads_current");
      assertThat(Jvm.scrape("http://127.0.0.1:" + port + "/metrics", Duration.ofSeconds(5)))
          .contains("pid=\"" + daemon.process.pid() + "\"");
    }
  }

  static boolean canSwitchUser() {
    return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv"));
  }

  /** A daemon running as nobody watching root's process: what /proc allows, the rest counted. */
  @Test
  @EnabledIf("canSwitchUser")
  void anotherUsersProcessIsExportedAsFarAsProcAllows() throws Exception {
    String name = "pa-root" + (System.nanoTime() % 10000);
    Path exe = uniqueSleep(name);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    // the checkout may sit in a directory nobody cannot read (a 0700 temp dir): use a copy
    Path jar = Files.copy(Jvm.AGENT, dir.resolve("procagent.jar"));
    Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    Process rootSleep = sleep(exe);
    int port = Jvm.freePort();
    List<String> cmd =
        new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
    cmd.addAll(daemonArgs(port, "mine=comm:^" + name + "$"));
    Process daemon = new ProcessBuilder(cmd).directory(Path.of("/tmp").toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("nobody.log").toFile()).start();
    try {
      Map<String, Double> s = waitFor("http://127.0.0.1:" + port + "/metrics", "procagent_target_up{target=\"mine\"}", 1.0);
      assertThat(s).containsKey("process_cpu_seconds_total{target=\"mine\"}")
          .containsKey("process_resident_memory_bytes{target=\"mine\"}")
          .doesNotContainKey("process_open_fds{target=\"mine\"}");
      assertThat(s.get("procagent_collector_errors_total{collector=\"targets\"}")).isPositive();
      assertThat(Files.readString(dir.resolve("nobody.log"))).doesNotContain("\tat ").contains("may not be read");
    } finally {
      daemon.destroy();
      daemon.waitFor();
      rootSleep.destroy();
      rootSleep.waitFor();
    }
  }
}
