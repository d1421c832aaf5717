package io.procagent.prometheus;

import io.procagent.log.Log;
import io.procagent.sampler.Errors;
import io.procagent.sampler.Sampler;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.function.Predicate;

/**
 * Wraps one collector so that its failure costs only its own samples: the exception is counted
 * in {@code procagent_collector_errors_total{collector}}, logged once, and the scrape goes on.
 * Also times every collection for {@code procagent_scrape_duration_seconds{collector}}.
 */
final class Guarded implements FilteringCollector {

  private static final Log LOG = Log.get(Guarded.class);

  private final String name;
  private final MultiCollector inner;
  private final Errors errors;
  private final Durations.Slot duration;

  Guarded(String name, MultiCollector inner, Errors errors, Durations durations) {
    this.name = name;
    this.inner = inner;
    this.errors = errors;
    this.duration = durations.slot(name);
    errors.declare(name);
  }

  @Override
  public MetricSnapshots collect(Predicate<String> include) {
    long start = System.nanoTime();
    try {
      return inner.collect(include);
    } catch (RuntimeException | LinkageError e) {
      errors.record(name, e);
      LOG.warnOnce(name, "collector " + name + " failed, its samples are skipped: " + e);
      return MetricSnapshots.of();
    } finally {
      duration.set(Sampler.seconds(System.nanoTime() - start));
    }
  }
}
