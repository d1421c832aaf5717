package io.procagent.prometheus;

import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Small helpers over client_java's snapshots, made through the collector's {@link LastSnapshots}
 * (an unchanged metric's last snapshot is given again). Every helper skips a NaN or negative
 * "unknown" value, so a value the OS did not give produces no sample rather than a fake 0.
 */
final class Snapshots {

  /** Metadata by name: a name is checked once, not at every scrape (client_java's builders do). */
  private static final Map<String, MetricMetadata> METADATA = new ConcurrentHashMap<>();
  /** Far more than procagent's own metric names: a bound, never expected to be reached. */
  private static final int MAX_METADATA = 1024;

  /**
   * Labels by their names and values, built once: client_java's {@code Labels.of} sorts and
   * checks every name anew (through a new {@code CharsetEncoder} each), about 0.7 KB a call,
   * and the same few label sets are made at every scrape. Bounded like {@link #METADATA}.
   */
  private static final Map<Object, Labels> LABELS = new ConcurrentHashMap<>();
  private static final int MAX_LABELS = 4096;

  /*
   * The keys' equals and hashCode are written out: a record's own are bootstrapped through
   * java.lang.runtime.ObjectMethods on first call, which spins method-handle classes in the host
   * (about 1 MB allocated at the first scrape, measured with JFR allocation samples).
   */

  private record One(String name, String value) {
    @Override
    public boolean equals(Object o) {
      return o instanceof One k && Objects.equals(name, k.name) && Objects.equals(value, k.value);
    }

    @Override
    public int hashCode() {
      return 31 * Objects.hashCode(name) + Objects.hashCode(value);
    }
  }

  private record Two(String name1, String value1, String name2, String value2) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Two k
          && Objects.equals(name1, k.name1)
          && Objects.equals(value1, k.value1)
          && Objects.equals(name2, k.name2)
          && Objects.equals(value2, k.value2);
    }

    @Override
    public int hashCode() {
      int h = 31 * Objects.hashCode(name1) + Objects.hashCode(value1);
      return 31 * (31 * h + Objects.hashCode(name2)) + Objects.hashCode(value2);
    }
  }

  /** A base label set and a collector's labels, for {@link #merged(Labels, Labels)}. */
  private record Merged(Labels base, Labels labels) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Merged k && base.equals(k.base) && labels.equals(k.labels);
    }

    @Override
    public int hashCode() {
      return 31 * base.hashCode() + labels.hashCode();
    }
  }

  /** {@code Labels.of(name, value)}, kept. */
  static Labels labels(String name, String value) {
    One key = new One(name, value);
    Labels l = LABELS.get(key);
    return l != null ? l : keep(key, Labels.of(name, value));
  }

  /** {@code Labels.of(name1, value1, name2, value2)}, kept. */
  static Labels labels(String name1, String value1, String name2, String value2) {
    Two key = new Two(name1, value1, name2, value2);
    Labels l = LABELS.get(key);
    return l != null ? l : keep(key, Labels.of(name1, value1, name2, value2));
  }

  private static Labels keep(Object key, Labels labels) {
    if (LABELS.size() < MAX_LABELS) {
      LABELS.put(key, labels);
    }
    return labels;
  }

  private final List<MetricSnapshot> out;
  private final Predicate<String> include;
  private final Labels base;
  /** The collector's last snapshots, given again while unchanged. */
  private final LastSnapshots last;

  /**
   * @param base labels every data point carries (the daemon's {@code target})
   * @param last the collector's last snapshots
   */
  Snapshots(List<MetricSnapshot> out, Predicate<String> include, Labels base, LastSnapshots last) {
    this.out = out;
    this.include = include;
    this.base = base;
    this.last = last;
  }

  boolean wants(String name) {
    return include.test(name);
  }

  /** The metadata of {@code name}, built and checked (name, help) once and shared afterwards. */
  static MetricMetadata metadata(String name, String help) {
    MetricMetadata m = METADATA.get(name);
    if (m == null || !Objects.equals(m.getHelp(), help)) {
      m = new MetricMetadata(name, help);
      if (METADATA.size() < MAX_METADATA) {
        METADATA.put(name, m);
      }
    }
    return m;
  }

  void gauge(String name, String help, double value) {
    if (!Double.isNaN(value) && value >= 0 && include.test(name)) {
      out.add(last.gauge(metadata(name, help), base, value));
    }
  }

  /** A counter; {@code name} is given without {@code _total}. */
  void counter(String name, String help, double value) {
    if (!Double.isNaN(value) && value >= 0 && FilteringCollector.wants(include, name, "_total")) {
      out.add(last.counter(metadata(name, help), base, value));
    }
  }

  /** A counter with one label; {@code values[i]} is skipped when NaN or negative. */
  void counter(String name, String help, String label, String[] labelValues, double[] values) {
    if (FilteringCollector.wants(include, name, "_total")) {
      points(name, help, label, labelValues, values, values.length);
    }
  }

  /** A counter with one label: a point per entry of {@code byValue} (label value to value). */
  void counter(String name, String help, String label, Map<String, ? extends Number> byValue) {
    if (FilteringCollector.wants(include, name, "_total")) {
      points(name, help, label, byValue);
    }
  }

  private void points(String name, String help, String label, Map<String, ? extends Number> byValue) {
    String[] labelValues = new String[byValue.size() + 4]; // entries put meanwhile (a concurrent map) wait a scrape
    double[] values = new double[labelValues.length];
    int n = 0;
    for (Map.Entry<String, ? extends Number> e : byValue.entrySet()) {
      if (n == labelValues.length) {
        break;
      }
      labelValues[n] = e.getKey();
      values[n++] = e.getValue().doubleValue();
    }
    points(name, help, label, labelValues, values, n);
  }

  /** The first {@code count} values as points of one label; each skipped when NaN or negative. */
  private void points(String name, String help, String label, String[] labelValues, double[] values, int count) {
    Labels[] labels = new Labels[count];
    for (int i = 0; i < count; i++) {
      if (!Double.isNaN(values[i]) && values[i] >= 0) {
        labels[i] = merged(labels(label, labelValues[i]));
      }
    }
    points(name, help, labels, values, count);
  }

  /**
   * A counter of a point per label set: {@code labels[i]}, made with the base labels and kept by
   * the caller (no label set looked up at each scrape), and {@code values[i]}, skipped when NaN or
   * negative.
   */
  void counter(String name, String help, Labels[] labels, double[] values) {
    if (FilteringCollector.wants(include, name, "_total")) {
      points(name, help, labels, values, values.length);
    }
  }

  private void points(String name, String help, Labels[] labels, double[] values, int count) {
    Labels[] keptLabels = new Labels[count];
    double[] kept = new double[count];
    int n = 0;
    for (int i = 0; i < count; i++) {
      if (!Double.isNaN(values[i]) && values[i] >= 0) {
        keptLabels[n] = labels[i];
        kept[n++] = values[i];
      }
    }
    if (n > 0) {
      MetricMetadata m = metadata(name, help);
      out.add(last.counter(m, keptLabels, kept, n));
    }
  }

  /** An {@code _info} metric; {@code name} is given without {@code _info}. */
  void info(String name, String help, Labels labels) {
    if (FilteringCollector.wants(include, name, "_info")) {
      out.add(last.info(metadata(name, help), merged(labels)));
    }
  }

  /** {@code labels} with the base labels (the daemon's {@code target}) in front, if any. */
  Labels merged(Labels labels) {
    return merged(base, labels);
  }

  /**
   * {@code labels} with {@code base} in front, kept (the same object for the same sets, so that
   * the daemon's targets' unchanged metrics are given again by {@link LastSnapshots}); {@code
   * labels} itself when there is no base.
   */
  static Labels merged(Labels base, Labels labels) {
    if (base.isEmpty()) {
      return labels;
    }
    Merged key = new Merged(base, labels);
    Labels l = LABELS.get(key);
    return l != null ? l : keep(key, base.merge(labels));
  }
}
