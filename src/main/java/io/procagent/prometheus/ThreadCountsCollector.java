package io.procagent.prometheus;

import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The cheap part of client_java's {@code JvmThreadsMetrics}: counts only, same names. The full
 * collector takes a thread dump and runs deadlock detection on every scrape, which pauses a JVM
 * with thousands of threads; it is registered instead when {@code collectors.jvm.thread_states}
 * is on.
 *
 * <pre>
 * jvm_threads_current 23
 * jvm_threads_daemon 12
 * jvm_threads_peak 25
 * jvm_threads_started_total 31
 * </pre>
 */
final class ThreadCountsCollector implements FilteringCollector {

  /** This collector's last snapshots, given again while unchanged. */
  private final LastSnapshots last = new LastSnapshots();
  /** Hands client_java this collector's metrics in their sorted order (see SortedOrder). */
  private final SortedOrder sorted = new SortedOrder();

  private final ThreadMXBean threads = PlatformBeans.threads();

  @Override
  public MetricSnapshots collect(Predicate<String> include) {
    List<MetricSnapshot> out = new ArrayList<>(4);
    Snapshots s = new Snapshots(out, include, Labels.EMPTY, last);
    s.gauge("jvm_threads_current", "Current thread count of a JVM", threads.getThreadCount());
    s.gauge("jvm_threads_daemon", "Daemon thread count of a JVM", threads.getDaemonThreadCount());
    s.gauge("jvm_threads_peak", "Peak thread count of a JVM", threads.getPeakThreadCount());
    s.counter(
        "jvm_threads_started",
        "Started thread count of a JVM",
        threads.getTotalStartedThreadCount());
    return sorted.of(out);
  }
}
