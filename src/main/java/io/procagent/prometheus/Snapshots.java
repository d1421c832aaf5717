package io.procagent.prometheus;

import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import java.util.function.Predicate;

/**
 * Small helpers over client_java's snapshot builders. Every helper skips a NaN or negative
 * "unknown" value, so a value the OS did not give produces no sample rather than a fake 0.
 */
final class Snapshots {

  private final List<MetricSnapshot> out;
  private final Predicate<String> include;
  private final Labels base;

  Snapshots(List<MetricSnapshot> out, Predicate<String> include) {
    this(out, include, Labels.EMPTY);
  }

  /** @param base labels every data point carries (the daemon's {@code target}) */
  Snapshots(List<MetricSnapshot> out, Predicate<String> include, Labels base) {
    this.out = out;
    this.include = include;
    this.base = base;
  }

  boolean wants(String name) {
    return include.test(name);
  }

  void gauge(String name, String help, double value) {
    if (!Double.isNaN(value) && value >= 0 && include.test(name)) {
      out.add(
          GaugeSnapshot.builder()
              .name(name)
              .help(help)
              .dataPoint(GaugeDataPointSnapshot.builder().labels(base).value(value).build())
              .build());
    }
  }

  /** A counter; {@code name} is given without {@code _total}. */
  void counter(String name, String help, double value) {
    if (!Double.isNaN(value) && value >= 0 && include.test(name + "_total")) {
      out.add(
          CounterSnapshot.builder()
              .name(name)
              .help(help)
              .dataPoint(CounterDataPointSnapshot.builder().labels(base).value(value).build())
              .build());
    }
  }

  /** A counter with one label; {@code values[i]} is skipped when NaN or negative. */
  void counter(String name, String help, String label, String[] labelValues, double[] values) {
    if (!include.test(name + "_total")) {
      return;
    }
    CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
    boolean any = false;
    for (int i = 0; i < values.length; i++) {
      if (!Double.isNaN(values[i]) && values[i] >= 0) {
        b.dataPoint(
            CounterDataPointSnapshot.builder()
                .labels(base.merge(Labels.of(label, labelValues[i])))
                .value(values[i])
                .build());
        any = true;
      }
    }
    if (any) {
      out.add(b.build());
    }
  }

  /** An {@code _info} metric; {@code name} is given without {@code _info}. */
  void info(String name, String help, Labels labels) {
    if (include.test(name + "_info")) {
      out.add(
          InfoSnapshot.builder()
              .name(name)
              .help(help)
              .dataPoint(InfoDataPointSnapshot.builder().labels(base.merge(labels)).build())
              .build());
    }
  }

  void add(MetricSnapshot snapshot) {
    out.add(snapshot);
  }
}
