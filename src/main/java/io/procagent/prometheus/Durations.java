package io.procagent.prometheus;

import io.prometheus.metrics.model.snapshots.Labels;
import java.util.Arrays;

/**
 * How long each collector's last collection took, for {@code
 * procagent_scrape_duration_seconds{collector}}: a slot per collector, given out as the registry
 * is assembled, its label set made once. Written by {@link Guarded} and read by {@link
 * SelfCollector} at every scrape, as arrays rather than a map: a concurrent map's put boxed a
 * Double, and its iteration ran code of the JDK's that the JIT was still compiling a minute into
 * a scrape a second.
 */
final class Durations {

  private String[] names = new String[0];
  private Labels[] labels = new Labels[0];
  private double[] seconds = new double[0];
  /** The slots in the order of their collectors' names: client_java sorts points by label. */
  private int[] sorted = new int[0];

  /** A slot for {@code collector} (its own if it has one already); unset until first set. */
  synchronized int slot(String collector) {
    int i = Arrays.asList(names).indexOf(collector);
    if (i >= 0) {
      return i;
    }
    int n = names.length;
    names = Arrays.copyOf(names, n + 1);
    names[n] = collector;
    labels = Arrays.copyOf(labels, n + 1);
    labels[n] = Snapshots.labels("collector", collector);
    seconds = Arrays.copyOf(seconds, n + 1);
    seconds[n] = Double.NaN;
    int at = 0; // where it goes among the others, by name
    while (at < n && names[sorted[at]].compareTo(collector) < 0) {
      at++;
    }
    int[] order = new int[n + 1];
    System.arraycopy(sorted, 0, order, 0, at);
    order[at] = n;
    System.arraycopy(sorted, at, order, at + 1, n - at);
    sorted = order;
    return n;
  }

  synchronized void set(int slot, double s) {
    seconds[slot] = s;
  }

  /** How many slots there are. */
  synchronized int size() {
    return names.length;
  }

  /**
   * The slots set so far, in their collectors' order, into {@code labelsInto} and {@code
   * secondsInto}: each slot's label set (the same object at every call) and its seconds.
   *
   * @return how many were written (no more than the arrays hold)
   */
  synchronized int copy(Labels[] labelsInto, double[] secondsInto) {
    int n = 0;
    for (int i = 0; i < sorted.length && n < labelsInto.length && n < secondsInto.length; i++) {
      int slot = sorted[i];
      if (!Double.isNaN(seconds[slot])) {
        labelsInto[n] = labels[slot];
        secondsInto[n++] = seconds[slot];
      }
    }
    return n;
  }
}
