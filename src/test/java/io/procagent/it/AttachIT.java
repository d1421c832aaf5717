package io.procagent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code attach}, {@code list} and {@code snapshot} against real JVMs started without agent flags. */
class AttachIT {

  @TempDir Path dir;

  static java.util.stream.Stream<String> javaHomes() {
    return Jvm.javaHomes();
  }

  /** Runs a procagent command (on the build's JDK) to completion. */
  private Jvm cli(String... args) throws Exception {
    Jvm cli =
        Jvm.start(System.getProperty("java.home"), dir, List.of("-jar", Jvm.AGENT.toAbsolutePath().toString()), args[0],
            List.of(args).subList(1, args.length).toArray(String[]::new));
    cli.waitFor(Duration.ofSeconds(60));
    return cli;
  }

  @ParameterizedTest
  @MethodSource("javaHomes")
  void attachToARunningJvmThenListAndSnapshot(String javaHome) throws Exception {
    int port = Jvm.freePort();
    try (Jvm app = Jvm.app(javaHome, dir, null, 120_000, "-XX:+IgnoreUnrecognizedVMOptions", "-XX:+EnableDynamicAgentLoading")) {
      long pid = app.process.pid();
      ChildrenIT.awaitStdout(app, "app ready");
      Jvm list0 = cli("list");
      assertThat(list0.process.exitValue()).isZero();
      assertThat(list0.stdout()).containsPattern("(?m)^" + pid + "\\s+\\S+\\s+-\\s+" + SleepApp.class.getName());

      Jvm attach = cli("attach", Long.toString(pid), "127.0.0.1:" + port);
      assertThat(attach.process.exitValue()).as(attach.stderr()).isZero();
      assertThat(attach.stdout()).isEqualTo("procagent attached to " + pid + ", serving http://127.0.0.1:" + port + "/metrics\n");
      String scrape = Jvm.scrape("http://127.0.0.1:" + port + "/metrics", Duration.ofSeconds(10));
      assertThat(scrape).contains("pid=\"" + pid + "\"");

      Jvm again = cli("attach", Long.toString(pid));
      assertThat(again.process.exitValue()).isZero();
      assertThat(again.stdout()).startsWith("procagent already runs in " + pid + ": http://127.0.0.1:" + port);

      Jvm list = cli("list");
      assertThat(list.stdout()).containsPattern("(?m)^" + pid + "\\s+\\S+\\s+http://127.0.0.1:" + port + "/metrics\\s+" + SleepApp.class.getName());

      Jvm snap = cli("snapshot", "--pid", Long.toString(pid), "--interval", "300");
      assertThat(snap.process.exitValue()).isZero();
      assertThat(snap.stdout())
          .startsWith("process " + pid + " (java)")
          .contains("utilisation ")
          .contains("memory")
          .contains("children (0)")
          .containsPattern("load [0-9.]+ [0-9.]+ [0-9.]+  running [1-9][0-9]*  blocked [0-9]+");
      Jvm json = cli("snapshot", "--pid", Long.toString(pid), "--json", "--interval", "200");
      assertThat(json.stdout()).contains("\"pid\": " + pid + ",").contains("\"utilization_ratio\": ").contains("\"children\": []")
          .containsPattern("\"procs_running\": [1-9]").containsPattern("\"soft_interrupts\": [1-9]");
      assertThat(app.stderr()).doesNotContain("WARNING").doesNotContain("\tat ");
    }
  }

  @Test
  void aJvmThatRefusesAttachIsOneLineSayingWhyAndExitCode1() throws Exception {
    String home = System.getProperty("java.home");
    Path options = dir.resolve("vm.options");
    java.nio.file.Files.writeString(options, "-XX:+DisableAttachMechanism\n");
    try (Jvm flagged = Jvm.app(home, dir, null, 60_000, "-XX:+DisableAttachMechanism");
        Jvm hidden = Jvm.app(home, dir, null, 60_000, "-XX:VMOptionsFile=" + options)) { // the flag not on its command line
      ChildrenIT.awaitStdout(flagged, "app ready");
      ChildrenIT.awaitStdout(hidden, "app ready");
      Jvm refused = cli("attach", Long.toString(flagged.process.pid()));
      assertThat(refused.process.exitValue()).isEqualTo(1);
      assertThat(refused.stderr()).isEqualTo("procagent attach: process " + flagged.process.pid()
          + " runs with -XX:+DisableAttachMechanism, which refuses every attach; start it with -javaagent:procagent.jar instead\n");
      Jvm failed = cli("attach", Long.toString(hidden.process.pid()));
      assertThat(failed.process.exitValue()).isEqualTo(1);
      // the attach API's own words, not byte-buddy-agent's reflective wrapper
      assertThat(failed.stderr())
          .startsWith("procagent attach: attaching to " + hidden.process.pid() + " failed: com.sun.tools.attach.AttachNotSupportedException")
          .doesNotContain("InvocationTargetException")
          .hasLineCount(1);
    }
  }

  /** A taken port: the attach says the agent does not serve, and so does a second attach (it said ":-1" and exit 0). */
  @Test
  void anAttachThatCannotServeSaysSoAndSoDoesTheNext() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"));
        Jvm app = Jvm.app(System.getProperty("java.home"), dir, null, 60_000, "-XX:+IgnoreUnrecognizedVMOptions",
            "-XX:+EnableDynamicAgentLoading")) {
      long pid = app.process.pid();
      int port = taken.getLocalPort();
      ChildrenIT.awaitStdout(app, "app ready");
      Jvm first = cli("attach", Long.toString(pid), "127.0.0.1:" + port);
      assertThat(first.process.exitValue()).isEqualTo(1);
      assertThat(first.stderr()).isEqualTo("procagent attach: attached to " + pid + ", but it does not serve: port " + port
          + " on 127.0.0.1 is in use; retrying every 10s\n");
      Jvm again = cli("attach", Long.toString(pid));
      assertThat(again.process.exitValue()).isEqualTo(1);
      assertThat(again.stdout()).isEmpty();
      assertThat(again.stderr()).isEqualTo("procagent attach: procagent already runs in " + pid + ", but it does not serve: port "
          + port + " on 127.0.0.1 is in use; retrying every 10s\n");
    }
  }

  @Test
  void mistakesAreOneLineAndExitCode2() throws Exception {
    Process sleep = new ProcessBuilder("sleep", "60").start();
    try {
      String[][] cases = {
        {"attach", "process " + sleep.pid() + " is not a JVM", "attach", Long.toString(sleep.pid())},
        {"attach", "no process 999999999", "attach", "999999999"},
        {"attach", "'abc' is not a process id", "attach", "abc"},
        {"attach", "usage: attach PID", "attach"},
        {"attach", "cannot read config file /nonexistent.yaml", "attach", Long.toString(sleep.pid()), "1234:/nonexistent.yaml"},
        {"snapshot", "unknown option '--bogus'", "snapshot", "--bogus"},
        {"snapshot", "no process 999999999", "snapshot", "--pid", "999999999"},
        {"list", "unknown option '-x'", "list", "-x"},
        {"daemon", "--target 'nope' is not NAME=SELECTOR", "daemon", "--target", "nope"},
        {"daemon", "unknown selector 'color'", "daemon", "--target", "a=color:red"},
        {"daemon", "cannot read config file /nonexistent.yaml", "daemon", "--config", "/nonexistent.yaml"},
      };
      for (String[] c : cases) {
        Jvm cli = cli(java.util.Arrays.copyOfRange(c, 2, c.length));
        assertThat(cli.process.exitValue()).as(String.join(" ", c)).isEqualTo(2);
        assertThat(cli.stderr()).as(String.join(" ", c)).startsWith("procagent " + c[0] + ": ").contains(c[1]).hasLineCount(1);
      }
      for (String command : List.of("daemon", "attach", "list", "snapshot")) {
        Jvm help = cli(command, "--help");
        assertThat(help.process.exitValue()).isZero();
        assertThat(help.stdout()).startsWith("usage: java -jar procagent.jar " + command);
      }
      assertThat(cli("attach", "--help").stdout()).contains("-XX:+EnableDynamicAgentLoading");
    } finally {
      sleep.destroy();
      sleep.waitFor();
    }
  }
}
