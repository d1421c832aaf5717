package io.procagent.prometheus;

import io.procagent.sampler.Sampler;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

/**
 * The daemon's targets: each target's process and children metrics with a {@code target}
 * label, and whether it runs. Each target's collectors and label are made once, so that what did
 * not change since the last scrape is given again ({@link LastSnapshots}).
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
  private static final MetricMetadata UP_METADATA =
      Snapshots.metadata(UP, "1 when at least one process matches the target, else 0.");
  private static final MetricMetadata PROCESSES_METADATA =
      Snapshots.metadata(PROCESSES, "Processes matching the target (with descendants when configured).");

  /** One target as the collector sees it. */
  public record Target(String name, Sampler sampler, IntSupplier processes) {}

  private final List<Target> targets;
  /** By target, in {@link #targets}' order. */
  private final Labels[] labels;
  private final ProcessCollector[] processCollectors;
  private final ChildrenCollector[] childrenCollectors;
  private final LastSnapshots last = new LastSnapshots();

  public TargetsCollector(List<Target> targets) {
    this.targets = List.copyOf(targets);
    int n = this.targets.size();
    labels = new Labels[n];
    processCollectors = new ProcessCollector[n];
    childrenCollectors = new ChildrenCollector[n];
    for (int i = 0; i < n; i++) {
      Target t = this.targets.get(i);
      labels[i] = Labels.of("target", t.name());
      processCollectors[i] = new ProcessCollector(t.sampler(), labels[i]);
      childrenCollectors[i] = new ChildrenCollector(t.sampler(), null, labels[i]);
    }
  }

  @Override
  public MetricSnapshots collect(Predicate<String> include) {
    int n = targets.size();
    List<MetricSnapshots> parts = new ArrayList<>(n * 2 + 1);
    double[] up = new double[n];
    double[] processes = new double[n];
    for (int i = 0; i < n; i++) {
      int count = targets.get(i).processes().getAsInt();
      up[i] = count > 0 ? 1 : 0;
      processes[i] = count;
      parts.add(processCollectors[i].collect(include));
      parts.add(childrenCollectors[i].collect(include));
    }
    List<MetricSnapshot> own = new ArrayList<>(2);
    if (include.test(UP) && n > 0) {
      own.add(last.gauge(UP_METADATA, labels, up, n));
    }
    if (include.test(PROCESSES) && n > 0) {
      own.add(last.gauge(PROCESSES_METADATA, labels, processes, n));
    }
    parts.add(new MetricSnapshots(own));
    return Merge.merge(parts);
  }
}
