package io.procagent.sampler;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts failures per collector, for {@code procagent_collector_errors_total} and JMX. */
public final class Errors {

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private volatile String last = "";

  public void record(String collector, Throwable cause) {
    counts.computeIfAbsent(collector, k -> new LongAdder()).increment();
    last = collector + ": " + cause;
  }

  /** Makes {@code collector} appear with 0 before its first error, so rate() works at once. */
  public void declare(String collector) {
    counts.computeIfAbsent(collector, k -> new LongAdder());
  }

  /** Collector name to error count, sorted by name. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** The most recent error, "" if none. */
  public String last() {
    return last;
  }
}
