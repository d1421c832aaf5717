package io.procagent.prometheus;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.function.Predicate;

/**
 * A collector that builds only the metrics a name filter accepts: {@link #collect()} is that
 * with every name, once here rather than in each collector.
 */
public interface FilteringCollector extends MultiCollector {

  /** Every name: what an unfiltered scrape passes, so that a collector need not build a name to test it. */
  Predicate<String> ALL = name -> true;

  @Override
  default MetricSnapshots collect() {
    return collect(ALL);
  }

  /** Whether {@code include} accepts {@code name + suffix}; that name is not built for {@link #ALL}. */
  static boolean wants(Predicate<String> include, String name, String suffix) {
    return include == ALL || include.test(name + suffix);
  }

  /** The metrics whose names (client_java's Prometheus names) {@code include} accepts. */
  @Override
  MetricSnapshots collect(Predicate<String> include);
}
