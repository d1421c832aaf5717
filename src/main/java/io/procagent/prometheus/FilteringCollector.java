package io.procagent.prometheus;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.function.Predicate;

/**
 * A collector that builds only the metrics a name filter accepts: {@link #collect()} is that
 * with every name, once here rather than in each collector.
 */
public interface FilteringCollector extends MultiCollector {

  @Override
  default MetricSnapshots collect() {
    return collect(name -> true);
  }

  /** The metrics whose names (client_java's Prometheus names) {@code include} accepts. */
  @Override
  MetricSnapshots collect(Predicate<String> include);
}
