package io.procagent.prometheus;

import io.procagent.sampler.ChildrenSnapshot;
import io.procagent.sampler.Launches;
import io.procagent.sampler.Sampler;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The target's children: the live descendants from the sampler's last scan (never scanned on a
 * scrape), and every child the JVM launched, from the {@code ProcessBuilder} hook.
 *
 * <pre>
 * process_children{command="sleep"} 3
 * process_children_cpu_seconds_total{command="sleep",mode="user"} 0.01
 * process_children_resident_memory_bytes{command="sleep"} 3.1e+06
 * process_children_states{state="zombie"} 1
 * process_children_started_total{command="sh"} 5
 * process_children_exited_total{command="sh",exit_code="3"} 5
 * process_children_launch_failures_total{command="no-such-command"} 1
 * process_children_duration_seconds_bucket{command="sh",le="0.005"} 4
 * procagent_children_folded_commands 0
 * </pre>
 */
public final class ChildrenCollector implements FilteringCollector {

  static final String LIVE = "process_children";
  static final String CPU = "process_children_cpu_seconds";
  static final String RSS = "process_children_resident_memory_bytes";
  static final String THREADS = "process_children_threads";
  static final String STATES = "process_children_states";
  static final String FDS = "process_children_open_fds";
  static final String STARTED = "process_children_started";
  static final String EXITED = "process_children_exited";
  static final String FAILED = "process_children_launch_failures";
  static final String DURATION = "process_children_duration_seconds";
  static final String FOLDED = "procagent_children_folded_commands";
  static final String SCAN = "procagent_children_scan_duration_seconds";

  private final Sampler sampler;
  private final Launches launches;
  private final Labels base;
  /** This collector's last snapshots, given again while unchanged. */
  private final LastSnapshots last = new LastSnapshots();
  /** Hands client_java this collector's metrics in their sorted order (see SortedOrder). */
  private final SortedOrder sorted = new SortedOrder();
  /** The live descendants' metrics, given again while the scan and the folded count are the same. */
  private final KeptPart keptLive = new KeptPart();
  /** The launch metrics, given again while no launch, failure or exit was recorded. */
  private final KeptPart keptLaunches = new KeptPart();
  /** One label set per state, with the base labels: made once. */
  private final Labels[] stateLabels;

  /**
   * @param sampler scans the live descendants (its {@code children()} may be null: scan off)
   * @param launches launch records, or null when launches are not recorded
   */
  public ChildrenCollector(Sampler sampler, Launches launches) {
    this(sampler, launches, Labels.EMPTY);
  }

  /** @param base labels on every sample, e.g. the daemon's {@code target} */
  public ChildrenCollector(Sampler sampler, Launches launches, Labels base) {
    this.sampler = sampler;
    this.launches = launches;
    this.base = base;
    this.stateLabels = new Labels[ChildrenSnapshot.STATES.size()];
    for (int i = 0; i < stateLabels.length; i++) {
      stateLabels[i] = Snapshots.merged(base, Snapshots.labels("state", ChildrenSnapshot.STATES.get(i)));
    }
  }

  @Override
  public MetricSnapshots collect(Predicate<String> include) {
    List<MetricSnapshot> out = new ArrayList<>(12);
    ChildrenSnapshot c = sampler.children();
    // the launch records share the command groups and are current; the scan's count may lag
    long folded = launches != null ? launches.foldedCommands() : -1;
    if (c != null && !keptLive.addTo(out, include, c, folded)) {
      int from = out.size();
      live(out, include, c, (int) Math.max(folded, c.foldedCommands()));
      keptLive.keep(out, from, include, c, folded);
    }
    if (launches != null) {
      launched(out, include);
    }
    return sorted.of(out);
  }

  private void live(List<MetricSnapshot> out, Predicate<String> include, ChildrenSnapshot c, int folded) {
    gaugeByCommand(out, include, c, LIVE, "Live descendants of the process by command.", g -> g.processes());
    gaugeByCommand(out, include, c, RSS, "Resident memory of the live descendants by command, in bytes.", g -> g.residentBytes());
    gaugeByCommand(out, include, c, THREADS, "Threads of the live descendants by command.", g -> g.threads());
    gaugeByCommand(out, include, c, FDS, "Open file descriptors of the live descendants by command (those we may read).", g -> g.openFds());
    List<ChildrenSnapshot.Group> groups = c.groups();
    if (include.test(CPU + "_total") && !groups.isEmpty()) {
      Labels[] labels = new Labels[2 * groups.size()];
      double[] values = new double[labels.length];
      int n = 0;
      for (ChildrenSnapshot.Group g : groups) {
        labels[n] = Snapshots.merged(base, Snapshots.labels("command", g.command(), "mode", "user"));
        values[n++] = g.userSeconds();
        labels[n] = Snapshots.merged(base, Snapshots.labels("command", g.command(), "mode", "system"));
        values[n++] = g.systemSeconds();
      }
      out.add(
          last.counter(
              Snapshots.metadata(CPU, "CPU seconds of every descendant seen by command, kept when they exit."),
              labels,
              values,
              n));
    }
    if (include.test(STATES)) {
      int[] states = c.states();
      double[] values = new double[states.length];
      for (int i = 0; i < states.length; i++) {
        values[i] = states[i];
      }
      out.add(
          last.gauge(
              Snapshots.metadata(STATES, "Live descendants of the process by scheduler state (a zombie has exited and was not waited for)."),
              stateLabels,
              values,
              values.length));
    }
    Snapshots s = new Snapshots(out, include, base, last);
    s.gauge(FOLDED, "Distinct child commands folded into command=other by the max_commands cap.", folded);
    s.gauge(SCAN, "Seconds the last scan for descendants took.", c.scanSeconds());
  }

  private void gaugeByCommand(
      List<MetricSnapshot> out,
      Predicate<String> include,
      ChildrenSnapshot c,
      String name,
      String help,
      ToDoubleFunction<ChildrenSnapshot.Group> value) {
    if (!include.test(name) || c.groups().isEmpty()) {
      return;
    }
    Labels[] labels = new Labels[c.groups().size()];
    double[] values = new double[labels.length];
    int n = 0;
    for (ChildrenSnapshot.Group g : c.groups()) {
      double v = value.applyAsDouble(g);
      if (v >= 0) {
        labels[n] = Snapshots.merged(base, Snapshots.labels("command", g.command()));
        values[n++] = v;
      }
    }
    if (n > 0) {
      out.add(last.gauge(Snapshots.metadata(name, help), labels, values, n));
    }
  }

  private void launched(List<MetricSnapshot> out, Predicate<String> include) {
    long changes = launches.changes(); // first: a launch recorded meanwhile is built next time
    if (keptLaunches.addTo(out, include, launches, changes)) {
      return;
    }
    int from = out.size();
    buildLaunched(out, include);
    keptLaunches.keep(out, from, include, launches, changes);
  }

  private void buildLaunched(List<MetricSnapshot> out, Predicate<String> include) {
    counterByCommand(out, include, STARTED, "Children this JVM started, by command.", launches.started());
    counterByCommand(
        out, include, FAILED, "Child launches that failed (command not found, not executable), by command.",
        launches.failed());
    Map<String, Map<Integer, Long>> exited = launches.exited();
    if (include.test(EXITED + "_total") && !exited.isEmpty()) {
      CounterSnapshot.Builder b =
          CounterSnapshot.builder().name(EXITED).help("Children this JVM started that exited, by command and exit code.");
      exited.forEach(
          (command, codes) ->
              codes.forEach(
                  (code, n) -> b.dataPoint(point(Snapshots.labels("command", command, "exit_code", Integer.toString(code)), n))));
      out.add(b.build());
    }
    Map<String, Launches.HistogramView> durations = launches.durations();
    if (include.test(DURATION) && !durations.isEmpty()) {
      HistogramSnapshot.Builder b =
          HistogramSnapshot.builder().name(DURATION).help("Run time of children this JVM started, by command, in seconds.");
      double[] bounds = new double[Launches.BUCKETS.length + 1];
      System.arraycopy(Launches.BUCKETS, 0, bounds, 0, Launches.BUCKETS.length);
      bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
      durations.forEach(
          (command, h) -> {
            long[] counts = new long[bounds.length];
            long prev = 0;
            for (int i = 0; i < counts.length; i++) {
              counts[i] = h.cumulative()[i] - prev; // client_java wants per-bucket counts
              prev = h.cumulative()[i];
            }
            b.dataPoint(
                HistogramDataPointSnapshot.builder()
                    .labels(Snapshots.merged(base, Snapshots.labels("command", command)))
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
                    .sum(h.sum())
                    .build());
          });
      out.add(b.build());
    }
  }

  private void counterByCommand(
      List<MetricSnapshot> out, Predicate<String> include, String name, String help, Map<String, Long> values) {
    if (!FilteringCollector.wants(include, name, "_total") || values.isEmpty()) {
      return;
    }
    Labels[] labels = new Labels[values.size()];
    double[] counts = new double[labels.length];
    int n = 0;
    for (Map.Entry<String, Long> e : values.entrySet()) {
      labels[n] = Snapshots.merged(base, Snapshots.labels("command", e.getKey()));
      counts[n++] = e.getValue();
    }
    out.add(last.counter(Snapshots.metadata(name, help), labels, counts, n));
  }

  private CounterDataPointSnapshot point(Labels labels, double value) {
    return CounterDataPointSnapshot.builder().labels(Snapshots.merged(base, labels)).value(value).build();
  }
}
