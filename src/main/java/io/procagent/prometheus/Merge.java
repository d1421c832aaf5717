package io.procagent.prometheus;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Joins the snapshots of several collectors that export the same metric names with different
 * labels (the daemon's targets) into one snapshot per name, as the exposition formats require.
 */
final class Merge {

  private Merge() {}

  static MetricSnapshots merge(List<MetricSnapshots> parts) {
    Map<String, List<MetricSnapshot>> byName = new LinkedHashMap<>();
    for (MetricSnapshots part : parts) {
      for (MetricSnapshot s : part) {
        byName.computeIfAbsent(s.getMetadata().getPrometheusName(), k -> new ArrayList<>(2)).add(s);
      }
    }
    MetricSnapshots.Builder out = MetricSnapshots.builder();
    for (List<MetricSnapshot> same : byName.values()) {
      out.metricSnapshot(same.size() == 1 ? same.get(0) : join(same));
    }
    return out.build();
  }

  private static MetricSnapshot join(List<MetricSnapshot> same) {
    MetricSnapshot first = same.get(0);
    String name = first.getMetadata().getName();
    String help = first.getMetadata().getHelp();
    if (first instanceof GaugeSnapshot) {
      GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
      same.forEach(s -> ((GaugeSnapshot) s).getDataPoints().forEach(b::dataPoint));
      return b.build();
    }
    if (first instanceof CounterSnapshot) {
      CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
      same.forEach(s -> ((CounterSnapshot) s).getDataPoints().forEach(b::dataPoint));
      return b.build();
    }
    if (first instanceof InfoSnapshot) {
      InfoSnapshot.Builder b = InfoSnapshot.builder().name(name).help(help);
      same.forEach(s -> ((InfoSnapshot) s).getDataPoints().forEach(b::dataPoint));
      return b.build();
    }
    if (first instanceof HistogramSnapshot) {
      HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(name).help(help);
      same.forEach(s -> ((HistogramSnapshot) s).getDataPoints().forEach(b::dataPoint));
      return b.build();
    }
    throw new IllegalArgumentException("cannot merge " + first.getClass().getSimpleName() + " " + name);
  }
}
