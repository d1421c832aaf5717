package io.procagent.prometheus;

import io.procagent.sampler.Sampler;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

/**
 * The daemon's targets: each target's process and children metrics with a {@code target}
 * label, and whether it runs.
 *
 * <pre>
 * procagent_target_up{target="nginx"} 1
 * procagent_target_processes{target="nginx"} 5
 * process_cpu_seconds_total{target="nginx"} 12.5
 * process_children{command="sh",target="nginx"} 1
 * </pre>
 */
public final class TargetsCollector implements FilteringCollector {

  static final String UP = "procagent_target_up";
  static final String PROCESSES = "procagent_target_processes";

  /** One target as the collector sees it. */
  public record Target(String name, Sampler sampler, IntSupplier processes) {}

  private final List<Target> targets;

  public TargetsCollector(List<Target> targets) {
    this.targets = List.copyOf(targets);
  }

  @Override
  public MetricSnapshots collect(Predicate<String> include) {
    List<MetricSnapshots> parts = new ArrayList<>(targets.size() * 2 + 1);
    GaugeSnapshot.Builder up =
        GaugeSnapshot.builder().name(UP).help("1 when at least one process matches the target, else 0.");
    GaugeSnapshot.Builder processes =
        GaugeSnapshot.builder().name(PROCESSES).help("Processes matching the target (with descendants when configured).");
    for (Target t : targets) {
      Labels target = Labels.of("target", t.name());
      int n = t.processes().getAsInt();
      up.dataPoint(GaugeDataPointSnapshot.builder().labels(target).value(n > 0 ? 1 : 0).build());
      processes.dataPoint(GaugeDataPointSnapshot.builder().labels(target).value(n).build());
      parts.add(new ProcessCollector(t.sampler(), target).collect(include));
      parts.add(new ChildrenCollector(t.sampler(), null, target).collect(include));
    }
    List<io.prometheus.metrics.model.snapshots.MetricSnapshot> own = new ArrayList<>(2);
    if (include.test(UP) && !targets.isEmpty()) {
      own.add(up.build());
    }
    if (include.test(PROCESSES) && !targets.isEmpty()) {
      own.add(processes.build());
    }
    parts.add(new MetricSnapshots(own));
    return Merge.merge(parts);
  }
}
