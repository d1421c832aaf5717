package io.procagent.prometheus;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A collector's last snapshot of each of its metrics, given again while its points are the
 * same. Snapshots are immutable, and client_java's constructors copy, sort and check every
 * point anew: most of a scrape's values (limits, sizes, counts, identities, the JVM's pools
 * between two GCs) do not change from one scrape to the next, and at one scrape a second the
 * sort was the JIT's largest compilation left in a scrape. Points are the same when their label
 * sets are the same objects (collectors keep them: {@link Snapshots#labels}, arrays built once)
 * and their values the same bits; anything else makes a new snapshot.
 *
 * <p>Keyed by the metric's {@link MetricMetadata} object, which collectors keep too. Safe for
 * collections running at once (a filtered scrape beside an unfiltered one): either one's
 * snapshot is a true one.
 */
final class LastSnapshots {

  /** One metric's last snapshot and what it was made of. */
  private static final class Last {
    final MetricSnapshot snapshot;
    final Labels[] labels;
    final double[] values;

    Last(MetricSnapshot snapshot, Labels[] labels, double[] values) {
      this.snapshot = snapshot;
      this.labels = labels;
      this.values = values;
    }

    boolean same(Labels[] l, double[] v, int n) {
      return same(l, n, v, n);
    }

    /** The first {@code n} label sets and the first {@code m} values. */
    boolean same(Labels[] l, int n, double[] v, int m) {
      if (n != labels.length || m != values.length) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        if (l[i] != labels[i]) {
          return false;
        }
      }
      for (int i = 0; i < m; i++) {
        if (Double.doubleToRawLongBits(v[i]) != Double.doubleToRawLongBits(values[i])) {
          return false;
        }
      }
      return true;
    }

    boolean same(Labels l, double v) {
      return values.length == 1
          && labels[0] == l
          && Double.doubleToRawLongBits(v) == Double.doubleToRawLongBits(values[0]);
    }
  }

  /** Far more than a collector's metrics: a bound, never expected to be reached. */
  private static final int MAX = 256;

  private final Map<MetricMetadata, Last> last = new ConcurrentHashMap<>();

  /** A gauge of one point. */
  GaugeSnapshot gauge(MetricMetadata m, Labels labels, double value) {
    Last l = last.get(m);
    if (l != null && l.snapshot instanceof GaugeSnapshot g && l.same(labels, value)) {
      return g;
    }
    GaugeSnapshot g = new GaugeSnapshot(m, List.of(new GaugeDataPointSnapshot(value, labels, null)));
    keep(m, g, new Labels[] {labels}, new double[] {value});
    return g;
  }

  /** A gauge of the first {@code n} points of {@code labels} and {@code values}. */
  GaugeSnapshot gauge(MetricMetadata m, Labels[] labels, double[] values, int n) {
    Last l = last.get(m);
    if (l != null && l.snapshot instanceof GaugeSnapshot g && l.same(labels, values, n)) {
      return g;
    }
    List<GaugeDataPointSnapshot> points = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      points.add(new GaugeDataPointSnapshot(values[i], labels[i], null));
    }
    GaugeSnapshot g = new GaugeSnapshot(m, points);
    keep(m, g, Arrays.copyOf(labels, n), Arrays.copyOf(values, n));
    return g;
  }

  /** A counter of one point (no created timestamp, as everywhere in procagent). */
  CounterSnapshot counter(MetricMetadata m, Labels labels, double value) {
    Last l = last.get(m);
    if (l != null && l.snapshot instanceof CounterSnapshot c && l.same(labels, value)) {
      return c;
    }
    CounterSnapshot c = new CounterSnapshot(m, List.of(new CounterDataPointSnapshot(value, labels, null, 0)));
    keep(m, c, new Labels[] {labels}, new double[] {value});
    return c;
  }

  /** A counter of the first {@code n} points of {@code labels} and {@code values}. */
  CounterSnapshot counter(MetricMetadata m, Labels[] labels, double[] values, int n) {
    Last l = last.get(m);
    if (l != null && l.snapshot instanceof CounterSnapshot c && l.same(labels, values, n)) {
      return c;
    }
    List<CounterDataPointSnapshot> points = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      points.add(new CounterDataPointSnapshot(values[i], labels[i], null, 0));
    }
    CounterSnapshot c = new CounterSnapshot(m, points);
    keep(m, c, Arrays.copyOf(labels, n), Arrays.copyOf(values, n));
    return c;
  }

  /**
   * A summary without quantiles of {@code labels.length} points: their counts, then their sums,
   * in {@code countsAndSums}.
   */
  SummarySnapshot summary(MetricMetadata m, Labels[] labels, double[] countsAndSums) {
    int n = labels.length;
    Last l = last.get(m);
    if (l != null && l.snapshot instanceof SummarySnapshot s && l.same(labels, n, countsAndSums, 2 * n)) {
      return s;
    }
    List<SummaryDataPointSnapshot> points = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      points.add(
          new SummaryDataPointSnapshot(
              (long) countsAndSums[i], countsAndSums[n + i], Quantiles.EMPTY, labels[i], Exemplars.EMPTY, 0));
    }
    SummarySnapshot s = new SummarySnapshot(m, points);
    keep(m, s, labels.clone(), Arrays.copyOf(countsAndSums, 2 * n));
    return s;
  }

  /** An info metric of one label set. */
  InfoSnapshot info(MetricMetadata m, Labels labels) {
    Last l = last.get(m);
    if (l != null && l.snapshot instanceof InfoSnapshot i && l.same(labels, 1)) {
      return i;
    }
    InfoSnapshot i = new InfoSnapshot(m, List.of(new InfoDataPointSnapshot(labels)));
    keep(m, i, new Labels[] {labels}, new double[] {1});
    return i;
  }

  private void keep(MetricMetadata m, MetricSnapshot s, Labels[] labels, double[] values) {
    if (last.size() < MAX || last.containsKey(m)) {
      last.put(m, new Last(s, labels, values));
    }
  }
}
