package io.procagent.sampler;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counts failures per collector, for {@code procagent_collector_errors_total} and JMX. */
public final class Errors {

  /** Sorted by collector name: scrapes read it as it is, with no copy to sort. */
  private final NavigableMap<String, LongAdder> counts = new ConcurrentSkipListMap<>();
  private final Map<String, LongAdder> view = Collections.unmodifiableMap(counts);
  private volatile String last = "";
  /** Errors recorded and collectors declared so far, counted after each (see {@link #changes}). */
  private final AtomicLong changes = new AtomicLong();

  public void record(String collector, Throwable cause) {
    counts.computeIfAbsent(collector, k -> new LongAdder()).increment();
    last = collector + ": " + cause;
    changes.incrementAndGet();
  }

  /** Makes {@code collector} appear with 0 before its first error, so rate() works at once. */
  public void declare(String collector) {
    counts.computeIfAbsent(collector, k -> new LongAdder());
    changes.incrementAndGet();
  }

  /**
   * How many errors were recorded and collectors declared so far, counted once each is in the
   * counts: a reader that reads this first, then the counts, and finds it unchanged next time,
   * finds the same counts.
   */
  public long changes() {
    return changes.get();
  }

  /** Collector name to error count, sorted by name. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Collector name to its live count, sorted by name; read-only. */
  public Map<String, ? extends Number> counts() {
    return view;
  }

  /** The most recent error, "" if none. */
  public String last() {
    return last;
  }
}
