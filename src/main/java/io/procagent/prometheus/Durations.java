package io.procagent.prometheus;

import io.prometheus.metrics.model.snapshots.Labels;

/**
 * How long each collector's last collection took, for {@code
 * procagent_scrape_duration_seconds{collector}}: a slot per collector, given out as the registry
 * is assembled, its label set made once. Written by {@link Guarded} and read by {@link
 * SelfCollector} at every scrape, as arrays rather than a map: a concurrent map's put boxed a
 * Double, and its iteration ran code of the JDK's that the JIT was still compiling a minute into
 * a scrape a second.
 */
final class Durations {

  /** One collector's label set and the seconds of its last collection (NaN until set). */
  static final class Slot {
    final String collector;
    final Labels labels;
    private volatile double seconds = Double.NaN;

    private Slot(String collector) {
      this.collector = collector;
      this.labels = Snapshots.labels("collector", collector);
    }

    void set(double s) {
      seconds = s;
    }
  }

  /**
   * The slots in their collectors' name order (client_java's order for the points), replaced
   * whole when a slot is added.
   */
  private volatile Slot[] slots = new Slot[0];

  /** The slot of {@code collector}, made at the first call for it. */
  synchronized Slot slot(String collector) {
    Slot[] s = slots;
    int at = 0; // where it is or goes, by name
    while (at < s.length && s[at].collector.compareTo(collector) < 0) {
      at++;
    }
    if (at < s.length && s[at].collector.equals(collector)) {
      return s[at];
    }
    Slot[] more = new Slot[s.length + 1];
    System.arraycopy(s, 0, more, 0, at);
    more[at] = new Slot(collector);
    System.arraycopy(s, at, more, at + 1, s.length - at);
    slots = more;
    return more[at];
  }

  /** How many slots there are. */
  int size() {
    return slots.length;
  }

  /**
   * The slots set so far, in their collectors' order, into {@code labelsInto} and {@code
   * secondsInto}: each slot's label set (the same object at every call) and its seconds.
   *
   * @return how many were written (no more than the arrays hold)
   */
  int copy(Labels[] labelsInto, double[] secondsInto) {
    Slot[] s = slots;
    int n = 0;
    for (int i = 0; i < s.length && n < labelsInto.length && n < secondsInto.length; i++) {
      double seconds = s[i].seconds;
      if (!Double.isNaN(seconds)) {
        labelsInto[n] = s[i].labels;
        secondsInto[n++] = seconds;
      }
    }
    return n;
  }
}
