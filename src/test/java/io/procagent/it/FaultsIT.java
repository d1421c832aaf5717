package io.procagent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every failure leaves the host application running and exiting normally, with one clear line
 * from procagent on stderr and no stack trace.
 */
class FaultsIT {

  @TempDir Path dir;

  static java.util.stream.Stream<String> javaHomes() {
    return Jvm.javaHomes();
  }

  /**
   * Runs the app with {@code agentArgs} for 6 s (time for the agent to start and complain, even
   * on a loaded machine); it must exit 0 having done its work.
   */
  private Jvm runsNormally(String javaHome, String agentArgs, String... jvmArgs) throws Exception {
    Jvm app = Jvm.app(javaHome, dir, agentArgs, 6000, jvmArgs);
    assertThat(app.waitFor(Duration.ofSeconds(30))).as(app.stderr()).isZero();
    assertThat(app.stdout()).contains("app ready").contains("app done true");
    assertThat(app.stderr()).doesNotContain("\tat ").doesNotContain("Exception in");
    return app;
  }

  @ParameterizedTest
  @MethodSource("javaHomes")
  void portTakenIsReportedAndRetried(String javaHome) throws Exception {
    ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    try {
      int port = taken.getLocalPort();
      try (Jvm app = runsNormally(javaHome, "127.0.0.1:" + port)) {
        assertThat(app.agentLines())
            .singleElement()
            .asString()
            .contains("WARN")
            .contains("port " + port + " on 127.0.0.1 is in use")
            .contains("retrying");
      }
      // a long-running app gets its endpoint as soon as the port is free again
      try (Jvm app = Jvm.app(javaHome, dir, "127.0.0.1:" + port, 60_000)) {
        Thread.sleep(3000);
        taken.close();
        String scrape = Jvm.scrape("http://127.0.0.1:" + port + "/metrics", Duration.ofSeconds(30));
        assertThat(scrape).contains("process_cpu_seconds_total");
        assertThat(app.agentLines()).hasSize(2).last().asString().contains("serving");
      }
    } finally {
      taken.close();
    }
  }

  @ParameterizedTest
  @MethodSource("javaHomes")
  void badConfigurationsAreOneLineAndNoAgent(String javaHome) throws Exception {
    int port = Jvm.freePort();
    Path unknownKey = dir.resolve("unknown.yaml");
    Files.writeString(unknownKey, "http:\n  port: 1\n  prot: 2\n");
    Path wrongType = dir.resolve("type.yaml");
    Files.writeString(wrongType, "sampling:\n  interval: soon\n");
    Path unreadable = Files.createDirectory(dir.resolve("a-directory.yaml"));
    List<String[]> cases =
        List.of(
            new String[] {port + ":" + dir.resolve("missing.yaml"), "cannot read config file", "no such file"},
            new String[] {port + ":" + unknownKey, "line 3", "unknown key 'http.prot'"},
            new String[] {port + ":" + wrongType, "line 2", "sampling.interval"},
            new String[] {port + ":" + unreadable, "cannot read config file", "a-directory.yaml"},
            new String[] {"not-an-argument", "agent arguments 'not-an-argument'", "[HOST:]PORT"},
            new String[] {"port=1,colour=blue", "unknown agent argument 'colour'", "known: port, host, config"});
    for (String[] c : cases) {
      try (Jvm app = runsNormally(javaHome, c[0])) {
        assertThat(app.agentLines())
            .as(c[0])
            .singleElement()
            .asString()
            .contains("ERROR")
            .contains(c[1])
            .contains(c[2])
            .contains("procagent is not started, the application runs on");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("javaHomes")
  void failingProcReadsCostOnlyTheirSamples(String javaHome) throws Exception {
    int port = Jvm.freePort();
    Path fakeProc = Files.createDirectory(dir.resolve("empty-proc"));
    try (Jvm app =
        Jvm.app(javaHome, dir, "127.0.0.1:" + port, 60_000, "-Dprocagent.procfs=" + fakeProc)) {
      String scrape = Jvm.scrape("http://127.0.0.1:" + port + "/metrics", Duration.ofSeconds(30));
      assertThat(scrape)
          .doesNotContain("process_cpu_seconds_total")
          .contains("jvm_memory_used_bytes")
          .contains("procagent_build_info");
      assertThat(Jvm.value(scrape, "procagent_collector_errors_total{collector=\"process\"}")).isPositive();
      assertThat(Jvm.value(scrape, "procagent_collector_errors_total{collector=\"system\"}")).isPositive();
      Thread.sleep(1500); // more failing rounds must not add more lines
      assertThat(app.agentLines().stream().filter(l -> l.contains("WARN")))
          .hasSize(2)
          .anySatisfy(l -> assertThat(l).contains("cannot read the process"))
          .anySatisfy(l -> assertThat(l).contains("cannot read host CPU"));
    }
  }

  /**
   * systemd-tmpfiles deletes files in /tmp nobody touched for ten days: procagent's unpacked jars
   * that no scrape had needed yet were gone, and a scrape asking for protobuf then failed with a
   * 500 ("protobuf writer not available"). They are unpacked again, with one line saying so.
   */
  @org.junit.jupiter.api.Test
  void jarsDeletedFromTheTmpdirAreUnpackedAgain() throws Exception {
    int port = Jvm.freePort();
    Path tmp = Files.createDirectory(dir.resolve("tmp"));
    try (Jvm app = Jvm.app(System.getProperty("java.home"), dir, "127.0.0.1:" + port, 60_000, "-Djava.io.tmpdir=" + tmp)) {
      String url = "http://127.0.0.1:" + port + "/metrics";
      Jvm.scrape(url, Duration.ofSeconds(30));
      List<Path> unpacked;
      try (java.util.stream.Stream<Path> s = Files.list(tmp)) {
        unpacked = s.filter(p -> p.getFileName().toString().startsWith("procagent-")).toList();
      }
      assertThat(unpacked).singleElement().asString().contains("procagent-" + app.pid() + "-");
      try (java.util.stream.Stream<Path> s = Files.walk(unpacked.get(0))) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
      java.net.http.HttpResponse<byte[]> r = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).timeout(Duration.ofSeconds(10))
              .header("Accept", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited")
              .build(),
          java.net.http.HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/vnd.google.protobuf"));
      assertThat(new String(r.body(), java.nio.charset.StandardCharsets.ISO_8859_1)).contains("process_cpu_seconds_total");
      assertThat(app.agentLines())
          .filteredOn(l -> l.contains("was deleted since procagent started"))
          .singleElement()
          .asString()
          .contains("it and the others needed are unpacked again from " + Jvm.AGENT.toAbsolutePath());
    }
  }

  /**
   * A Java security manager (Java 17-23 only) denies procagent what it does on its own: reading
   * /proc, opening a port. Even with procagent.jar granted everything, the classes it loads from
   * its private directory are not. One line names the denial, with its cause, and says so.
   */
  @org.junit.jupiter.api.Test
  void underASecurityManagerOneLineSaysProcagentDoesNotRun() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.version().feature() < 24, "no security manager since Java 24");
    Path policy = dir.resolve("procagent.policy");
    Files.writeString(policy, "grant codeBase \"" + Jvm.AGENT.toAbsolutePath().toUri()
        + "\" { permission java.security.AllPermission; };\n");
    String[][] cases = {
      {"-Djava.security.manager", "\"getProtectionDomain\")"},
      {"-Djava.security.policy=" + policy, "ExceptionInInitializerError, caused by java.security.AccessControlException"},
    };
    for (String[] c : cases) {
      try (Jvm app = runsNormally(System.getProperty("java.home"), "127.0.0.1:" + Jvm.freePort(),
          "-Djava.security.manager", c[0])) {
        assertThat(app.agentLines())
            .as(c[0])
            .singleElement()
            .asString()
            .startsWith("procagent: could not start, the application runs on without it: ")
            .contains(c[1])
            .endsWith(" (procagent does not run under a Java security manager)");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("javaHomes")
  void secondAgentIsRefusedWithOneLine(String javaHome) throws Exception {
    int first = Jvm.freePort();
    int second = Jvm.freePort();
    try (Jvm app =
        Jvm.app(
            javaHome, dir, "127.0.0.1:" + first, 60_000,
            "-javaagent:" + Jvm.AGENT.toAbsolutePath() + "=127.0.0.1:" + second)) {
      Jvm.scrape("http://127.0.0.1:" + first + "/metrics", Duration.ofSeconds(30));
      Thread.sleep(1000);
      assertThat(app.agentLines())
          .hasSize(2)
          .anySatisfy(l -> assertThat(l).contains("already running in this JVM"));
      try (java.net.Socket s = new java.net.Socket()) {
        assertThat(
                org.assertj.core.api.Assertions.catchThrowable(
                    () -> s.connect(new java.net.InetSocketAddress("127.0.0.1", second), 1000)))
            .as("the second copy serves nothing")
            .isNotNull();
      }
    }
  }

  /**
   * The endpoint's listening socket destroyed from outside (ss -K, as an operator or a buggy
   * library closing descriptors would): the JDK server would spin on its failing accept; procagent
   * notices a second after its accept fails, says so once, serves the same port again and goes quiet.
   */
  @ParameterizedTest
  @MethodSource("javaHomes")
  void portClosedUnderTheAppsFeetIsServedAgain(String javaHome) throws Exception {
    int port = Jvm.freePort();
    try (Jvm app = Jvm.app(javaHome, dir, "127.0.0.1:" + port, 120_000)) {
      String url = "http://127.0.0.1:" + port + "/metrics";
      Jvm.scrape(url, Duration.ofSeconds(30));
      Process kill = new ProcessBuilder("ss", "-K", "-ltn", "sport = :" + port).redirectErrorStream(true).start();
      assertThat(kill.waitFor()).as(new String(kill.getInputStream().readAllBytes())).isZero();
      // noticed a second after the failing accept (a scrape alone could still go over a kept-alive connection)
      for (int i = 0; i < 300 && app.agentLines().size() < 2; i++) {
        Thread.sleep(100);
      }
      String scrape = Jvm.scrape(url, Duration.ofSeconds(30));
      assertThat(Jvm.value(scrape, "procagent_http_restarts_total")).isEqualTo(1.0);
      assertThat(app.agentLines()).hasSize(2).last().asString()
          .contains("WARN").contains("127.0.0.1:" + port + " was closed from outside procagent");
      // quiet again: a spinning dispatcher would burn about a second of CPU in these 3 s
      double before = cpuSeconds(app.pid());
      Thread.sleep(3000);
      assertThat(cpuSeconds(app.pid()) - before).isLessThan(1.0);
      assertThat(app.stderr()).doesNotContain("\tat ");
    }
  }

  /** utime + stime of a process, in seconds (USER_HZ is 100 on Linux). */
  static double cpuSeconds(long pid) throws java.io.IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }

  @ParameterizedTest
  @MethodSource("javaHomes")
  void jvmExitsPromptlyWhileScrapesAreRunning(String javaHome) throws Exception {
    int port = Jvm.freePort();
    Jvm app = Jvm.app(javaHome, dir, "127.0.0.1:" + port, 4000);
    String url = "http://127.0.0.1:" + port + "/metrics";
    Jvm.scrape(url, Duration.ofSeconds(30));
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    Thread hammer = new Thread(() -> {
      while (!stop.get()) {
        try {
          Jvm.scrape(url, Duration.ofMillis(200));
        } catch (Throwable e) {
          // the app is exiting: expected
        }
      }
    });
    hammer.start();
    try {
      assertThat(app.waitFor(Duration.ofSeconds(20))).as("exit code while being scraped").isZero();
      assertThat(app.stdout()).contains("app done true");
      assertThat(app.stderr()).doesNotContain("\tat ");
    } finally {
      stop.set(true);
      hammer.join();
      app.close();
    }
  }

  @ParameterizedTest
  @MethodSource("javaHomes")
  void thousandsOfShortChildrenKeepSeriesBounded(String javaHome) throws Exception {
    int port = Jvm.freePort();
    Path config = dir.resolve("many.yaml");
    Files.writeString(config, "collectors:\n  children:\n    max_commands: 10\n");
    try (Jvm app = childrenApp(javaHome, port, config)) {
      Jvm.scrape("http://127.0.0.1:" + port + "/metrics", Duration.ofSeconds(30)); // hook installed
      ChildrenIT.send(app.process.getOutputStream(), "many");
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (!app.stdout().contains("many done")) {
        assertThat(System.nanoTime()).as("2,000 children within 2 minutes").isLessThan(deadline);
        Thread.sleep(200);
      }
      Thread.sleep(500);
      java.util.Map<String, Double> s = ChildrenIT.samples(Jvm.scrape("http://127.0.0.1:" + port + "/metrics", Duration.ofSeconds(10)));
      long startedSeries = s.keySet().stream().filter(k -> k.startsWith("process_children_started_total{")).count();
      long exitedSeries = s.keySet().stream().filter(k -> k.startsWith("process_children_exited_total{")).count();
      assertThat(startedSeries).as("10 commands + other").isEqualTo(11);
      assertThat(exitedSeries).isEqualTo(11);
      assertThat(s.get("procagent_children_folded_commands")).isGreaterThanOrEqualTo(90.0);
      double total = s.entrySet().stream().filter(e -> e.getKey().startsWith("process_children_started_total{"))
          .mapToDouble(java.util.Map.Entry::getValue).sum();
      assertThat(total).isEqualTo(2000.0);
      ChildrenIT.send(app.process.getOutputStream(), "quit");
      assertThat(app.waitFor(Duration.ofSeconds(30))).isZero();
    }
  }

  @ParameterizedTest
  @MethodSource("javaHomes")
  void procEntriesVanishingMidScanAreNoErrors(String javaHome) throws Exception {
    int port = Jvm.freePort();
    Path config = dir.resolve("storm.yaml");
    Files.writeString(config, "sampling:\n  interval: 100ms\n");
    try (Jvm app = childrenApp(javaHome, port, config)) {
      String url = "http://127.0.0.1:" + port + "/metrics";
      Jvm.scrape(url, Duration.ofSeconds(30));
      ChildrenIT.send(app.process.getOutputStream(), "storm");
      while (!app.stdout().contains("storm done")) {
        Jvm.scrape(url, Duration.ofSeconds(10)); // scrapes during the storm too
        Thread.sleep(50);
      }
      Thread.sleep(300); // past the response cache (sampling.cache_ttl: 100 ms with this interval)
      java.util.Map<String, Double> s = ChildrenIT.samples(Jvm.scrape(url, Duration.ofSeconds(10)));
      int launched = Integer.parseInt(app.stdout().replaceAll("(?s).*storm done (\\d+).*", "$1"));
      assertThat(launched).as("children in 5 s").isGreaterThan(100);
      assertThat(s).containsEntry("process_children_started_total{command=\"true\"}", (double) launched);
      for (String collector : List.of("children", "process", "system")) {
        assertThat(s).containsEntry("procagent_collector_errors_total{collector=\"" + collector + "\"}", 0.0);
      }
      ChildrenIT.send(app.process.getOutputStream(), "quit");
      assertThat(app.waitFor(Duration.ofSeconds(30))).isZero();
      assertThat(app.stderr()).doesNotContain("WARN").doesNotContain("\tat ");
    }
  }

  /** {@link ChildrenApp} with the agent on {@code port} and {@code config}, ready for commands. */
  private Jvm childrenApp(String javaHome, int port, Path config) throws Exception {
    Jvm app =
        Jvm.start(javaHome, dir,
            List.of("-javaagent:" + Jvm.AGENT.toAbsolutePath() + "=127.0.0.1:" + port + ":" + config, "-cp",
                Jvm.TEST_CLASSES.toAbsolutePath().toString()),
            ChildrenApp.class.getName());
    ChildrenIT.awaitStdout(app, "app ready");
    return app;
  }
}
