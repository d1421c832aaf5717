package io.procagent.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.procagent.Fakes;
import io.procagent.config.AgentConfig;
import io.procagent.sampler.Errors;
import io.procagent.sampler.Sampler;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CollectorsTest {

  final Fakes.Process process = new Fakes.Process();
  final Fakes.System system = new Fakes.System();
  final Errors errors = new Errors();
  final Sampler sampler = new Sampler(process, system, Duration.ZERO, () -> 2, errors);

  /** One scrape of {@code collector} alone, in the text format. */
  static String scrape(MultiCollector collector) throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(collector);
    return text(registry.scrape());
  }

  static String text(MetricSnapshots snapshots) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, snapshots);
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * The daemon's targets keep their collectors and merged labels from scrape to scrape, so the
   * metrics that did not change are the same snapshots again (LastSnapshots), and the text is the
   * same as before.
   */
  @Test
  void daemonTargetsGiveTheirUnchangedMetricsAgain() throws IOException {
    process.next = Fakes.process(10.25, 2.5, 1);
    TargetsCollector targets = new TargetsCollector(List.of(new TargetsCollector.Target("app", sampler, () -> 1)));
    MetricSnapshots first = targets.collect(FilteringCollector.ALL);
    MetricSnapshots second = targets.collect(FilteringCollector.ALL);
    assertThat(text(second)).isEqualTo(text(first)).contains("process_max_fds{target=\"app\"} 1024.0")
        .contains("procagent_target_up{target=\"app\"} 1.0")
        .contains("process_cpu_time_seconds_total{mode=\"user\",target=\"app\"} 10.25");
    assertThat(first.size()).isEqualTo(second.size()).isGreaterThan(10);
    for (String name : List.of("procagent_target_up", "procagent_target_processes", "process_max_fds", "process_cpu_time_seconds", "process")) {
      assertThat(snapshot(second, name)).as(name).isNotNull().isSameAs(snapshot(first, name));
    }
  }

  private static io.prometheus.metrics.model.snapshots.MetricSnapshot snapshot(MetricSnapshots all, String name) {
    for (io.prometheus.metrics.model.snapshots.MetricSnapshot s : all) {
      if (s.getMetadata().getName().equals(name)) {
        return s;
      }
    }
    return null;
  }

  @Test
  void processCpuSecondsAreTheSumsDecimal() throws IOException {
    process.next = Fakes.process(0.1, 0.2, 1); // in doubles, 0.1 + 0.2 is 0.30000000000000004
    assertThat(scrape(new ProcessCollector(sampler))).contains("\nprocess_cpu_seconds_total 0.3\n");
  }

  @Test
  void processScrape() throws IOException {
    process.next = Fakes.process(10.25, 2.5, 1);
    assertThat(scrape(new ProcessCollector(sampler)))
        .isEqualTo(
            """
            # HELP process_info Identity of the target process.
            # TYPE process_info gauge
            process_info{command="java",cwd="/srv/app",gid="100",pid="4242",ppid="1",uid="1000",user="app"} 1
            # HELP process_context_switches_total Context switches of the process by type.
            # TYPE process_context_switches_total counter
            process_context_switches_total{type="involuntary"} 20.0
            process_context_switches_total{type="voluntary"} 300.0
            # HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
            # TYPE process_cpu_seconds_total counter
            process_cpu_seconds_total 12.75
            # HELP process_cpu_time_seconds_total CPU time of the process by mode, in seconds.
            # TYPE process_cpu_time_seconds_total counter
            process_cpu_time_seconds_total{mode="system"} 2.5
            process_cpu_time_seconds_total{mode="user"} 10.25
            # HELP process_max_fds Maximum number of open file descriptors.
            # TYPE process_max_fds gauge
            process_max_fds 1024.0
            # HELP process_open_fds Number of open file descriptors.
            # TYPE process_open_fds gauge
            process_open_fds 23.0
            # HELP process_page_faults_total Page faults of the process by type: minor (the page was in memory), major (read from disk or swap).
            # TYPE process_page_faults_total counter
            process_page_faults_total{type="major"} 7.0
            process_page_faults_total{type="minor"} 4000.0
            # HELP process_reaped_children_cpu_seconds_total CPU time of exited children that were waited for, in seconds.
            # TYPE process_reaped_children_cpu_seconds_total counter
            process_reaped_children_cpu_seconds_total{mode="system"} 0.25
            process_reaped_children_cpu_seconds_total{mode="user"} 0.5
            # HELP process_resident_memory_bytes Resident memory size in bytes.
            # TYPE process_resident_memory_bytes gauge
            process_resident_memory_bytes 1.048576E8
            # HELP process_start_time_seconds Start time of the process since unix epoch in seconds.
            # TYPE process_start_time_seconds gauge
            process_start_time_seconds 1.7E9
            # HELP process_threads Number of OS threads in the process.
            # TYPE process_threads gauge
            process_threads 17.0
            # HELP process_virtual_memory_bytes Virtual memory size in bytes.
            # TYPE process_virtual_memory_bytes gauge
            process_virtual_memory_bytes 2.147483648E9
            # HELP process_virtual_memory_max_bytes Maximum amount of virtual memory available in bytes.
            # TYPE process_virtual_memory_max_bytes gauge
            process_virtual_memory_max_bytes 1.8446744073709552E19
            """);
  }

  @Test
  void systemScrapeHasEveryModeAndSkipsMissingOnes() throws IOException {
    system.next = Fakes.system(100, 100, 1);
    String text = scrape(new SystemCollector(sampler));
    assertThat(text)
        .contains("system_info{arch=\"x86_64\",hostname=\"host1\",kernel=\"6.1.0-test\",os=\"Linux\"} 1\n")
        .contains("system_cpu_time_seconds_total{cpu=\"0\",mode=\"iowait\"} 1.0\n")
        .doesNotContain("system_cpu_time_seconds_total{cpu=\"1\",mode=\"iowait\"}")
        .contains("system_cpu_time_seconds_total{cpu=\"1\",mode=\"idle\"} 100.0\n")
        .contains("system_load15 0.125\n")
        .contains("system_forks_total 50.0\n")
        .contains("system_context_switches_total 1000.0\n")
        .contains("system_interrupts_total 7000.0\n")
        .contains("system_soft_interrupts_total 9000.0\n")
        .contains("system_procs_running 3.0\n")
        .contains("system_procs_blocked 1.0\n")
        .contains("system_boot_time_seconds 1.6E9\n")
        .contains("system_logical_cpus 2.0\n")
        .contains("system_physical_cores 1.0\n")
        .doesNotContain("system_cpu_utilization_ratio"); // no window yet: omitted, not 0
    assertThat(text.lines().filter(l -> l.startsWith("system_cpu_time_seconds_total"))).hasSize(15);
    assertThat(text).as("no guest time given: no family").doesNotContain("system_cpu_guest");
  }

  @Test
  void guestTimeIsPerCpuInUserAndNice() throws IOException {
    system.next = Fakes.systemWithGuest(100, 100, 1, 40, 2.5);
    String text = scrape(new SystemCollector(sampler));
    assertThat(text)
        .contains("system_cpu_guest_seconds_total{cpu=\"0\",mode=\"user\"} 40.0\n")
        .contains("system_cpu_guest_seconds_total{cpu=\"0\",mode=\"nice\"} 2.5\n")
        .doesNotContain("system_cpu_guest_seconds_total{cpu=\"1\"");
  }

  @Test
  void failingCollectorCostsOnlyItsOwnSamples() throws IOException {
    process.failure = new IOException("vanished");
    system.next = Fakes.system(1, 1, 1);
    AgentConfig config = AgentConfig.defaults();
    PrometheusRegistry registry = Registries.create(config, sampler, errors, "9.9");
    String text = text(registry.scrape());
    assertThat(text)
        .doesNotContain("process_cpu_seconds_total")
        .contains("system_load1 0.5")
        .contains("jvm_memory_used_bytes")
        .contains("jvm_threads_current")
        .doesNotContain("jvm_threads_state") // no thread dump per scrape by default
        .contains("procagent_build_info{version=\"9.9\"} 1")
        .contains("procagent_collector_errors_total{collector=\"process\"} 1.0")
        .contains("procagent_collector_errors_total{collector=\"system\"} 0.0")
        .contains("procagent_scrape_duration_seconds{collector=\"jvm\"}");
  }

  @Test
  void threadStatesOnlyWhenEnabled() throws Exception {
    AgentConfig config =
        io.procagent.config.ConfigFile.parse(
            "t.yaml", "collectors:\n  jvm: { thread_states: true }\n", AgentConfig.defaults());
    String text = text(Registries.create(config, sampler, errors, "x").scrape());
    assertThat(text).contains("jvm_threads_state{state=\"RUNNABLE\"}");
  }

  @Test
  void childrenScrape() throws IOException {
    io.procagent.sampler.CommandGroups groups = new io.procagent.sampler.CommandGroups(5);
    sampler.scanChildren(
        (root, args) ->
            java.util.List.of(
                new io.procagent.source.ChildProcess(7, root, "sleep", 'S', 0.5, 0.25, 9, 1.7e9, 4096, 1, 3, ""),
                new io.procagent.source.ChildProcess(8, 7, "sleep", 'Z', 0, 0, 10, 1.7e9, 0, 1, -1, "")),
        42, groups, 10, false);
    process.next = Fakes.process(1, 1, 1);
    system.next = Fakes.system(1, 1, 1);
    sampler.tick();
    io.procagent.sampler.Launches launches = new io.procagent.sampler.Launches(groups, 5);
    launches.started("/bin/sh");
    launches.exited("/bin/sh", 3, 0.02);
    launches.failed("nope");
    String text = scrape(new ChildrenCollector(sampler, launches));
    assertThat(text)
        .contains("process_children{command=\"sleep\"} 2.0\n")
        .contains("process_children_states{state=\"sleeping\"} 1.0\n")
        .contains("process_children_states{state=\"zombie\"} 1.0\n")
        .contains("process_children_states{state=\"running\"} 0.0\n")
        .contains("process_children_states{state=\"other\"} 0.0\n")
        .contains("process_children_cpu_seconds_total{command=\"sleep\",mode=\"user\"} 0.5\n")
        .contains("process_children_resident_memory_bytes{command=\"sleep\"} 4096.0\n")
        .contains("process_children_open_fds{command=\"sleep\"} 3.0\n")
        .contains("process_children_started_total{command=\"sh\"} 1.0\n")
        .contains("process_children_exited_total{command=\"sh\",exit_code=\"3\"} 1.0\n")
        .contains("process_children_launch_failures_total{command=\"nope\"} 1.0\n")
        .contains("process_children_duration_seconds_bucket{command=\"sh\",le=\"0.01\"} 0\n")
        .contains("process_children_duration_seconds_bucket{command=\"sh\",le=\"0.025\"} 1\n")
        .contains("process_children_duration_seconds_bucket{command=\"sh\",le=\"+Inf\"} 1\n")
        .contains("process_children_duration_seconds_count{command=\"sh\"} 1\n")
        .contains("procagent_children_folded_commands 0.0\n");
  }

  /**
   * While the children scan is the same and nothing was launched, a scrape gives the children's
   * metrics as the same snapshots (KeptPart); a launch, an exit or a new scan shows at the next
   * scrape, and a name[] filter neither takes the kept snapshots nor replaces them.
   */
  @Test
  void childrenMetricsAreKeptUntilAScanOrALaunchChangesThem() throws IOException {
    io.procagent.sampler.CommandGroups groups = new io.procagent.sampler.CommandGroups(5);
    double[] cpu = {0.5};
    io.procagent.source.DescendantSource scan =
        (root, args) ->
            List.of(new io.procagent.source.ChildProcess(7, root, "sleep", 'S', cpu[0], 0.25, 9, 1.7e9, 4096, 1, 3, ""));
    sampler.scanChildren(scan, 42, groups, 10, false);
    process.next = Fakes.process(1, 1, 1);
    system.next = Fakes.system(1, 1, 1);
    sampler.tick();
    io.procagent.sampler.Launches launches = new io.procagent.sampler.Launches(groups, 5);
    launches.started("/bin/sh");
    ChildrenCollector children = new ChildrenCollector(sampler, launches);
    MetricSnapshots first = children.collect(FilteringCollector.ALL);
    MetricSnapshots second = children.collect(FilteringCollector.ALL);
    for (String name : List.of(ChildrenCollector.LIVE, ChildrenCollector.CPU, ChildrenCollector.SCAN, ChildrenCollector.STARTED)) {
      assertThat(snapshot(second, name)).as(name).isNotNull().isSameAs(snapshot(first, name));
    }

    MetricSnapshots filtered = children.collect(name -> name.equals(ChildrenCollector.EXITED + "_total"));
    assertThat(filtered.size()).isZero(); // nothing exited yet: no exited metric, not the kept ones

    launches.exited("/bin/sh", 3, 0.02);
    String third = text(children.collect(FilteringCollector.ALL));
    assertThat(third)
        .contains("process_children_exited_total{command=\"sh\",exit_code=\"3\"} 1.0\n")
        .contains("process_children_started_total{command=\"sh\"} 1.0\n");
    assertThat(text(children.collect(name -> name.equals(ChildrenCollector.EXITED + "_total"))))
        .contains("exit_code=\"3\"").doesNotContain("process_children_started");
    assertThat(text(children.collect(FilteringCollector.ALL))).isEqualTo(third);

    cpu[0] = 1.5;
    system.next = Fakes.system(2, 2, 2);
    sampler.tick(); // a new scan
    assertThat(text(children.collect(FilteringCollector.ALL)))
        .contains("process_children_cpu_seconds_total{command=\"sleep\",mode=\"user\"} 1.5\n");
  }

  /** An error recorded after the error counts were kept shows at the next scrape. */
  @Test
  void errorCountsAreKeptUntilAnErrorIsRecorded() throws IOException {
    process.next = Fakes.process(1, 1, 1);
    system.next = Fakes.system(1, 1, 1);
    PrometheusRegistry registry = Registries.create(AgentConfig.defaults(), sampler, errors, "x");
    MetricSnapshots first = registry.scrape();
    assertThat(snapshot(registry.scrape(), SelfCollector.ERRORS)).isSameAs(snapshot(first, SelfCollector.ERRORS));
    assertThat(text(first)).contains("procagent_collector_errors_total{collector=\"system\"} 0.0");
    errors.record(Sampler.SYSTEM, new IOException("test"));
    errors.record("late", new IOException("test"));
    assertThat(text(registry.scrape()))
        .contains("procagent_collector_errors_total{collector=\"system\"} 1.0")
        .contains("procagent_collector_errors_total{collector=\"late\"} 1.0")
        .contains("procagent_scrape_duration_seconds{collector=\"children\"}")
        .contains("procagent_scrape_duration_seconds{collector=\"process\"}")
        .contains("procagent_scrape_duration_seconds{collector=\"system\"}")
        .contains("procagent_scrape_duration_seconds{collector=\"jvm\"}");
  }

  @Test
  void nameFilterSkipsOtherCollectors() {
    process.next = Fakes.process(1, 1, 1);
    PrometheusRegistry registry =
        Registries.create(AgentConfig.defaults(), sampler, errors, "x");
    MetricSnapshots only = registry.scrape(name -> name.equals("process_open_fds"));
    assertThat(only.size()).isEqualTo(1);
    assertThat(only.get(0).getMetadata().getName()).isEqualTo("process_open_fds");
  }

  /** Growth between GCs and during them counts; shrinking does not; a pool shows once it grew. */
  @Test
  void poolAllocationCountsIncreasesOnly() throws IOException {
    PoolAllocationCollector c = new PoolAllocationCollector();
    c.gc("eden", 100, 0);
    c.gc("eden", 150, 0);
    c.gc("old", 10, 30); // 10 before, 20 during
    c.gc("old", 30, 25); // nothing grew
    c.gc("survivor", 0, 0);
    assertThat(text(c.collect()))
        .contains("jvm_memory_pool_allocated_bytes_total{pool=\"eden\"} 250.0\n")
        .contains("jvm_memory_pool_allocated_bytes_total{pool=\"old\"} 30.0\n")
        .doesNotContain("survivor");
    assertThat(c.collect(n -> false).size()).isZero();
  }

  @Test
  void poolAllocationFollowsTheJvmsGcs() throws Exception {
    PoolAllocationCollector c = PoolAllocationCollector.listening();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    byte[][] keep = new byte[64][];
    while (c.collect().size() == 0 && System.nanoTime() < deadline) {
      for (int i = 0; i < keep.length; i++) {
        keep[i] = new byte[64 * 1024];
      }
      System.gc(); // notifications come on the JDK's own thread, a moment later
      Thread.sleep(50);
    }
    assertThat(keep[0]).hasSize(64 * 1024);
    assertThat(text(c.collect())).containsPattern("jvm_memory_pool_allocated_bytes_total\\{pool=\"[^\"]+\"} [1-9]");
  }

  /**
   * The GC notifications read as open data give what client_java's JvmMemoryPoolAllocationMetrics
   * gets from the same GCs through GarbageCollectionNotificationInfo, pool by pool.
   */
  @Test
  void poolAllocationEqualsClientJavasOnTheSameGcs() throws Exception {
    PrometheusRegistry theirs = new PrometheusRegistry();
    io.prometheus.metrics.instrumentation.jvm.JvmMemoryPoolAllocationMetrics.builder(Registries.properties())
        .register(theirs);
    PoolAllocationCollector ours = PoolAllocationCollector.listening();
    byte[][] keep = new byte[64][];
    for (int gc = 0; gc < 3; gc++) {
      for (int i = 0; i < keep.length; i++) {
        keep[i] = new byte[64 * 1024];
      }
      System.gc();
    }
    assertThat(keep[0]).hasSize(64 * 1024);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String expected = text(theirs.scrape());
    String actual = text(ours.collect());
    while ((actual.isEmpty() || !actual.equals(expected)) && System.nanoTime() < deadline) { // notified a moment later
      Thread.sleep(50);
      expected = text(theirs.scrape());
      actual = text(ours.collect());
    }
    assertThat(actual).isEqualTo(expected).containsPattern("jvm_memory_pool_allocated_bytes_total\\{pool=\"[^\"]+\"} [1-9]");
  }

  /** The same series as client_java's JvmMemoryMetrics (values masked: memory moves between the two reads). */
  @Test
  void memoryMetricsAreClientJavasSeries() throws IOException {
    PrometheusRegistry theirs = new PrometheusRegistry();
    io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics.builder(Registries.properties()).register(theirs);
    String expected = openMetricsOf(theirs.scrape());
    String ours = openMetricsOf(new MemoryCollector().collect());
    assertThat(ours.replaceAll("(?m) [-0-9.E]+$", " V")).isEqualTo(expected.replaceAll("(?m) [-0-9.E]+$", " V"))
        .contains("# UNIT jvm_memory_pool_used_bytes bytes").contains("jvm_memory_used_bytes{area=\"heap\"}");
    assertThat(new MemoryCollector().collect(n -> n.equals("jvm_memory_max_bytes")).size()).isEqualTo(1);
  }

  /**
   * The same series as client_java's buffer pool, class loading, compilation, GC and runtime
   * metrics (values masked: classes load and collections run between the two reads).
   */
  @Test
  void jvmRuntimeMetricsAreClientJavasSeries() throws IOException {
    PrometheusRegistry theirs = new PrometheusRegistry();
    io.prometheus.metrics.config.PrometheusProperties props = Registries.properties();
    io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics.builder(props).register(theirs);
    io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics.builder(props).register(theirs);
    io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics.builder(props).register(theirs);
    io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics.builder(props).register(theirs);
    io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric.builder(props).register(theirs);
    String mask = "(?m) [-0-9.E]+$";
    String expected = openMetricsOf(theirs.scrape()).replaceAll(mask, " V");
    PrometheusRegistry ours = new PrometheusRegistry();
    ours.register(new JvmRuntimeCollector());
    assertThat(openMetricsOf(ours.scrape()).replaceAll(mask, " V"))
        .isEqualTo(expected)
        .contains("# UNIT jvm_gc_collection_seconds seconds")
        .contains("jvm_buffer_pool_used_bytes{pool=\"direct\"} V")
        .contains("jvm_classes_loaded_total V")
        .contains("jvm_compilation_time_seconds_total V")
        .contains("jvm_runtime_info{runtime=\"" + System.getProperty("java.runtime.name") + "\"");
    // the values themselves: the counts only grow, the runtime's labels are the JVM's
    String first = openMetricsOf(ours.scrape());
    System.gc();
    String second = openMetricsOf(theirs.scrape());
    String third = openMetricsOf(ours.scrape());
    assertThat(value(first, "jvm_classes_loaded_total")).isLessThanOrEqualTo(value(second, "jvm_classes_loaded_total"));
    assertThat(value(second, "jvm_classes_loaded_total")).isLessThanOrEqualTo(value(third, "jvm_classes_loaded_total"));
    assertThat(collections(second)).as("System.gc() was counted").isGreaterThan(collections(first));
    assertThat(collections(third)).isGreaterThanOrEqualTo(collections(second));
    assertThat(new JvmRuntimeCollector().collect(n -> n.equals("jvm_runtime")).size()).isEqualTo(1);
    // between two collections, the summary of the last scrape is given again (not built anew)
    JvmRuntimeCollector gc = new JvmRuntimeCollector();
    java.util.function.Predicate<String> onlyGc = n -> n.equals("jvm_gc_collection_seconds");
    boolean kept = false;
    for (int i = 0; i < 10 && !kept; i++) { // a collection may come in between
      kept = gc.collect(onlyGc).get(0) == gc.collect(onlyGc).get(0);
    }
    assertThat(kept).isTrue();
  }

  /** All collections of all collectors in a scrape. */
  private static double collections(String text) {
    return text.lines().filter(l -> l.startsWith("jvm_gc_collection_seconds_count{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private static double value(String text, String series) {
    return text.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
        .findFirst().orElseThrow(() -> new AssertionError(series + " not in\n" + text));
  }

  @Test
  void keptLabelsAreClientJavasLabelsBuiltOnce() {
    io.prometheus.metrics.model.snapshots.Labels one = Snapshots.labels("command", "sleep");
    assertThat((Object) one).isEqualTo(io.prometheus.metrics.model.snapshots.Labels.of("command", "sleep"))
        .isSameAs(Snapshots.labels("command", new String("sleep")));
    io.prometheus.metrics.model.snapshots.Labels two = Snapshots.labels("mode", "user", "command", "sleep");
    assertThat((Object) two).isEqualTo(io.prometheus.metrics.model.snapshots.Labels.of("command", "sleep", "mode", "user"))
        .isSameAs(Snapshots.labels("mode", "user", "command", "sleep"))
        .isNotEqualTo(Snapshots.labels("mode", "system", "command", "sleep"));
    assertThat((Object) Snapshots.labels("command", "sleeps")).isNotEqualTo(one);
  }

  static String openMetricsOf(MetricSnapshots snapshots) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter.create().write(out, snapshots);
    return out.toString(StandardCharsets.UTF_8);
  }
}
