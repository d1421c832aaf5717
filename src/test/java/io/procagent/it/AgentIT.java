package io.procagent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code -javaagent} on a real JVM: a real HTTP scrape and a real remote JMX client. */
class AgentIT {

  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");
  private static final Pattern DOC_ROW = Pattern.compile("^\\| `([a-z0-9_]+)` \\|");

  @TempDir Path dir;

  static java.util.stream.Stream<String> javaHomes() {
    return Jvm.javaHomes();
  }

  @ParameterizedTest
  @MethodSource("javaHomes")
  void scrapeAndJmxShowTheSameProcess(String javaHome) throws Exception {
    int port = Jvm.freePort();
    int jmxPort = Jvm.freePort();
    Path config = dir.resolve("procagent.yaml");
    Files.writeString(config, "sampling:\n  interval: 500ms\n  cache_ttl: 100ms\n");
    try (Jvm app =
        Jvm.app(
            javaHome,
            dir,
            "127.0.0.1:" + port + ":" + config,
            60_000,
            "-Dcom.sun.management.jmxremote.port=" + jmxPort,
            "-Dcom.sun.management.jmxremote.host=127.0.0.1",
            "-Dcom.sun.management.jmxremote.authenticate=false",
            "-Dcom.sun.management.jmxremote.ssl=false")) {
      String url = "http://127.0.0.1:" + port + "/metrics";
      String scrape = Jvm.scrape(url, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!scrape.contains("process_cpu_utilization_ratio ") && System.nanoTime() < deadline) {
        Thread.sleep(200);
        scrape = Jvm.scrape(url, Duration.ofSeconds(5));
      }
      long pid = app.process.pid();
      assertThat(scrape)
          .contains("pid=\"" + pid + "\"")
          .contains("ppid=\"" + ProcessHandle.current().pid() + "\"")
          .contains("cwd=\"" + dir.toRealPath() + "\"")
          .contains("command=\"java\"");
      assertDocumentedMetricsMatch(scrape);

      JMXServiceURL jmxUrl =
          new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi");
      try (JMXConnector c = JMXConnectorFactory.connect(jmxUrl)) {
        MBeanServerConnection mbs = c.getMBeanServerConnection();
        ObjectName proc = new ObjectName("procagent:type=Process");
        ObjectName cpu = new ObjectName("procagent:type=SystemCpu");
        ObjectName agent = new ObjectName("procagent:type=Agent");
        assertThat(mbs.getAttribute(proc, "Pid")).isEqualTo(pid);
        assertThat((String) mbs.getAttribute(proc, "User")).isEqualTo(System.getProperty("user.name"));
        double rss = ((Long) mbs.getAttribute(proc, "ResidentMemoryBytes")).doubleValue();
        scrape = Jvm.scrape(url, Duration.ofSeconds(5));
        assertThat(rss).isCloseTo(Jvm.value(scrape, "process_resident_memory_bytes"), within(32e6));
        assertThat((Double) mbs.getAttribute(proc, "CpuSeconds"))
            .isCloseTo(Jvm.value(scrape, "process_cpu_seconds_total"), within(1.0));
        assertThat((Double) mbs.getAttribute(proc, "CpuUtilizationPercent")).isBetween(0.0, 100.0);
        assertThat((Double) mbs.getAttribute(proc, "AvailableCpus"))
            .as("the JVM's own count, on this unlimited host").isEqualTo(Jvm.value(scrape, "process_cpus_available"))
            .isBetween(1.0, Jvm.value(scrape, "system_logical_cpus"));
        assertThat(((Integer) mbs.getAttribute(cpu, "LogicalCpuCount")).doubleValue())
            .isEqualTo(Jvm.value(scrape, "system_logical_cpus"));
        TabularData perCpu = (TabularData) mbs.getAttribute(cpu, "PerCpuUtilizationPercent");
        assertThat(perCpu.size()).isEqualTo((int) Jvm.value(scrape, "system_logical_cpus"));
        assertThat((Long) mbs.getAttribute(cpu, "ProcsRunning")).as("procs_running counts its reader").isPositive();
        assertThat((Long) mbs.getAttribute(cpu, "Interrupts")).isPositive();
        assertThat(Jvm.value(scrape, "system_procs_running")).isPositive();
        assertThat(Jvm.value(scrape, "system_soft_interrupts_total")).isPositive();
        assertThat(mbs.getAttribute(agent, "Port")).isEqualTo(port);
        assertThat(mbs.getAttribute(agent, "Status")).isEqualTo("serving");
        assertThat(mbs.getAttribute(agent, "TcpNoDelay")).as("scrapes do not wait for Nagle").isEqualTo(true);
        assertThat(mbs.getAttribute(agent, "ConfigSource")).isEqualTo(config.toString());
        assertThat(mbs.queryNames(new ObjectName("procagent:*"), null)).hasSize(4);

        // a GC makes client_java count allocation; with exemplars on, that started a scheduler
        // thread of client_java's in the host JVM
        mbs.invoke(new ObjectName("java.lang:type=Memory"), "gc", null, null);
        Jvm.scrape(url, Duration.ofSeconds(5));
        ObjectName threading = new ObjectName("java.lang:type=Threading");
        List<String> threads = new ArrayList<>();
        for (long id : (long[]) mbs.getAttribute(threading, "AllThreadIds")) {
          Object info = mbs.invoke(threading, "getThreadInfo", new Object[] {id}, new String[] {"long"});
          if (info != null) {
            threads.add((String) ((javax.management.openmbean.CompositeData) info).get("threadName"));
          }
        }
        assertThat(threads).anyMatch(t -> t.startsWith("procagent-")).noneMatch(t -> t.startsWith("prometheus-"));
      }
      assertThat(app.agentLines())
          .singleElement()
          .asString()
          .contains("INFO procagent")
          .contains("serving http://127.0.0.1:" + port + "/metrics");
    }
  }

  /**
   * In an application nobody has opened in a JMX client, procagent does not make the platform
   * MBean server (about 370 classes and 2 MB of heap); a client attaching the way JConsole does
   * (the JVM's local management agent) makes it, and procagent's MXBeans are there at once.
   */
  @ParameterizedTest
  @MethodSource("javaHomes")
  void mxBeansAppearWhenAJmxClientAttaches(String javaHome) throws Exception {
    int port = Jvm.freePort();
    try (Jvm app = Jvm.app(javaHome, dir, "127.0.0.1:" + port, 60_000)) {
      Jvm.scrape("http://127.0.0.1:" + port + "/metrics", Duration.ofSeconds(30));
      Thread.sleep(1000); // past the default jmx.delay (0) and the agent's start-up
      String pid = Long.toString(app.process.pid());
      assertThat(mbeanServers(javaHome, pid)).as("platform MBean servers before a client").isZero();

      com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(pid);
      String address;
      try {
        address = vm.startLocalManagementAgent();
      } finally {
        vm.detach();
      }
      try (JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
        MBeanServerConnection mbs = c.getMBeanServerConnection();
        ObjectName all = new ObjectName("procagent:*");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (mbs.queryNames(all, null).size() < 4 && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(mbs.queryNames(all, null)).hasSize(4);
        assertThat(mbs.getAttribute(new ObjectName("procagent:type=Process"), "Pid")).isEqualTo(app.process.pid());
        assertThat(mbs.getAttribute(new ObjectName("procagent:type=Agent"), "Port")).isEqualTo(port);
      }
      assertThat(mbeanServers(javaHome, pid)).isEqualTo(1);
      assertThat(app.agentLines()).singleElement().asString().contains("INFO procagent");
    }
  }

  /**
   * procagent's code is compiled by C1 only (a compiler directive, {@code jit.c2: false} by
   * default); with {@code jit.c2: true} C2 compiles it like any code. Uncached scrapes make its
   * methods hot; {@code jcmd Compiler.codelist} shows each compiled method's tier.
   */
  @ParameterizedTest
  @MethodSource("javaHomes")
  void procagentsCodeIsCompiledByC1Only(String javaHome) throws Exception {
    String uncached = "sampling:\n  cache_ttl: 0s\nhttp:\n  cpu_limit: off\n";
    Files.writeString(dir.resolve("c1.yaml"), uncached);
    Files.writeString(dir.resolve("c2.yaml"), uncached + "jit:\n  c2: true\n");
    for (String config : new String[] {"c1.yaml", "c2.yaml"}) {
      int port = Jvm.freePort();
      try (Jvm app = Jvm.app(javaHome, dir, "127.0.0.1:" + port + ":" + dir.resolve(config), 120_000)) {
        String url = "http://127.0.0.1:" + port + "/metrics";
        String pid = Long.toString(app.process.pid());
        Jvm.scrape(url, Duration.ofSeconds(30));
        String directives = jcmd(javaHome, pid, "Compiler.directives_print");
        Set<Integer> tiers = new java.util.TreeSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (int round = 0; round < 100 && System.nanoTime() < deadline && !tiers.contains(4); round++) {
          for (int i = 0; i < 100; i++) {
            Jvm.scrape(url, Duration.ofSeconds(5));
          }
          tiers.clear();
          jcmd(javaHome, pid, "Compiler.codelist").lines()
              .map(l -> l.trim().split("\\s+"))
              .filter(f -> f.length > 3 && f[3].startsWith("io.procagent.") && !f[3].startsWith("io.procagent.it.")) // not the app's
              .forEach(f -> tiers.add(Integer.parseInt(f[1])));
          if (config.equals("c1.yaml") && round >= 20 && !tiers.isEmpty()) {
            break; // 2,000 uncached scrapes: procagent's methods are hot and compiled, by C1
          }
        }
        if (config.equals("c1.yaml")) {
          assertThat(directives).contains("matching: io/procagent/*.*").containsPattern("c2 directives:\\s+inline: -\\s+Enable:true Exclude:true");
          assertThat(tiers).as("tiers of procagent's compiled methods").isNotEmpty().doesNotContain(4);
        } else {
          assertThat(directives).doesNotContain("io/procagent");
          assertThat(tiers).as("tiers of procagent's compiled methods").contains(4);
        }
        assertThat(app.agentLines()).singleElement().asString().contains("INFO procagent");
      }
    }
  }

  /**
   * A record's own equals and hashCode are bootstrapped through java.lang.runtime.ObjectMethods,
   * which spins method-handle classes in the host at first use (about 60 hidden classes and 1 MB
   * allocated at the first scrape, measured); the records procagent compares write theirs out.
   */
  @ParameterizedTest
  @MethodSource("javaHomes")
  void servingUsesNoRecordMethodBootstrap(String javaHome) throws Exception {
    int port = Jvm.freePort();
    Path classes = dir.resolve("classes.log");
    Files.writeString(dir.resolve("fast.yaml"), "sampling:\n  interval: 200ms\n  cache_ttl: 0s\n");
    try (Jvm app =
        Jvm.app(javaHome, dir, "127.0.0.1:" + port + ":" + dir.resolve("fast.yaml"), 60_000, "-Xlog:class+load:file=" + classes)) {
      String url = "http://127.0.0.1:" + port + "/metrics";
      Jvm.scrape(url, Duration.ofSeconds(30));
      HttpClient client = HttpClient.newHttpClient();
      for (String accept : new String[] {"text/plain", "application/openmetrics-text; version=1.0.0"}) {
        HttpResponse<String> r =
            client.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", accept).build(), BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
      }
      assertThat(Jvm.scrape(url + "?name[]=process_info", Duration.ofSeconds(5))).contains("process_info{");
      Thread.sleep(1000); // sampler rounds
      Jvm.scrape(url, Duration.ofSeconds(5));
      String loaded = Files.readString(classes);
      assertThat(loaded).contains("io.procagent.prometheus.ProcessCollector ");
      assertThat(loaded).doesNotContain("java.lang.runtime.ObjectMethods ");
      assertThat(app.agentLines()).singleElement().asString().contains("INFO procagent");
    }
  }

  /**
   * The JVM metrics come from the JVM's MXBeans without ManagementFactory's platform-MBean finder
   * (its providers, streams and lambdas: 2.5 MB of a small host's RSS), GC notifications included.
   */
  @ParameterizedTest
  @MethodSource("javaHomes")
  void jvmMetricsDoNotLoadTheManagementFactorysFinder(String javaHome) throws Exception {
    int port = Jvm.freePort();
    Path classes = dir.resolve("classes.log");
    try (Jvm app = Jvm.app(javaHome, dir, "127.0.0.1:" + port, 60_000, "-Xlog:class+load:file=" + classes)) {
      String url = "http://127.0.0.1:" + port + "/metrics";
      String first = Jvm.scrape(url, Duration.ofSeconds(30));
      for (String metric :
          new String[] {"jvm_memory_pool_used_bytes{", "jvm_memory_used_bytes{area=\"heap\"}", "jvm_gc_collection_seconds_count{",
            "jvm_buffer_pool_used_bytes{pool=\"direct\"}", "jvm_threads_current ", "jvm_classes_currently_loaded ",
            "jvm_compilation_time_seconds_total "}) {
        assertThat(first).contains(metric);
      }
      jcmd(javaHome, Long.toString(app.pid()), "GC.run"); // a GC: its notification counts allocation
      String afterGc = "";
      for (long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
          !afterGc.contains("jvm_memory_pool_allocated_bytes_total{") && System.nanoTime() < end; ) {
        Thread.sleep(1100); // past the response cache
        afterGc = Jvm.scrape(url, Duration.ofSeconds(5));
      }
      assertThat(afterGc).containsPattern("jvm_memory_pool_allocated_bytes_total\\{pool=\"[^\"]+\"} [1-9]");
      String loaded = Files.readString(classes);
      assertThat(loaded).contains("io.procagent.prometheus.MemoryCollector ");
      assertThat(loaded).doesNotContain("java.lang.management.ManagementFactory$PlatformMBeanFinder ");
      assertThat(app.agentLines()).singleElement().asString().contains("INFO procagent");
    }
  }

  private static String jcmd(String javaHome, String pid, String command) throws Exception {
    Process jcmd =
        new ProcessBuilder(Path.of(javaHome, "bin", "jcmd").toString(), pid, command).redirectErrorStream(true).start();
    String out = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(jcmd.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(jcmd.exitValue()).as(out).isZero();
    return out;
  }

  /** Live instances of the JDK's MBean server class in {@code pid}, by {@code jcmd GC.class_histogram}. */
  private static long mbeanServers(String javaHome, String pid) throws Exception {
    String out = jcmd(javaHome, pid, "GC.class_histogram");
    assertThat(out).as(out).contains("java.lang.String ");
    return out.lines()
        .filter(l -> l.contains(" com.sun.jmx.mbeanserver.JmxMBeanServer "))
        .mapToLong(l -> Long.parseLong(l.trim().split("\\s+")[1]))
        .sum();
  }

  /** The README's metric reference and a real scrape name the same metrics, both ways. */
  static void assertDocumentedMetricsMatch(String scrape) throws Exception {
    Set<String> documented = documentedMetrics();
    Set<String> scraped = new TreeSet<>();
    for (String line : scrape.lines().toList()) {
      Matcher m = SAMPLE.matcher(line);
      if (m.find() && !m.group(1).startsWith("jvm_")) {
        scraped.add(m.group(1));
      }
    }
    // an app without children exports no per-command child series: ChildrenIT checks those
    Set<String> expected = new TreeSet<>(documented);
    // nor, outside a cgroup with a CPU quota, the cgroup's series: CgroupIT checks those
    expected.removeIf(n -> n.startsWith("process_children") || n.startsWith("procagent_target_") || n.startsWith("process_cgroup_"));
    scraped.removeIf(n -> n.startsWith("process_children") || n.startsWith("process_cgroup_"));
    assertThat(scraped).as("every exported metric is documented and vice versa").isEqualTo(expected);
  }

  /** Metric names in the README's reference table. */
  static Set<String> documentedMetrics() throws java.io.IOException {
    Set<String> documented = new TreeSet<>();
    for (String line : Files.readAllLines(Path.of("README.md"))) {
      Matcher m = DOC_ROW.matcher(line);
      if (m.find()) {
        documented.add(m.group(1));
      }
    }
    return documented;
  }

  @ParameterizedTest
  @MethodSource("javaHomes")
  void everyArgumentFormServesAndTheAppExitsNormally(String javaHome) throws Exception {
    int p1 = Jvm.freePort();
    Path config = dir.resolve("c.yaml");
    Files.writeString(config, "http:\n  host: 127.0.0.1\n");
    for (String args :
        List.of(
            Integer.toString(p1),
            "127.0.0.1:" + p1,
            p1 + ":" + config,
            "port=" + p1 + ",host=127.0.0.1,config=" + config)) {
      try (Jvm app = Jvm.app(javaHome, dir, args, 4000)) {
        String scrape = Jvm.scrape("http://127.0.0.1:" + p1 + "/metrics", Duration.ofSeconds(30));
        assertThat(scrape).as(args).contains("process_cpu_seconds_total ");
        assertThat(app.waitFor(Duration.ofSeconds(30))).as(args).isZero();
        assertThat(app.stdout()).contains("app done true");
        assertThat(app.stderr()).as(args).doesNotContain("Exception").doesNotContain("SLF4J").doesNotContain("jna");
      }
    }
  }

}
