package io.procagent.prometheus;

import io.procagent.log.Log;
import io.procagent.sampler.Errors;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Bounds what scrapes cost: concurrent scrapes share one collection in flight, which runs on one
 * procagent thread; a scrape waits for it at most {@code timeout} and otherwise gets the last
 * complete result, counting {@code procagent_collector_errors_total{collector="timeout"}}. A
 * storm of scrapes therefore costs one collection at a time, and a collection stuck in the
 * kernel cannot pile up HTTP workers.
 */
final class SingleFlight implements MultiCollector {

  static final String TIMEOUT = "timeout";
  private static final Log LOG = Log.get(SingleFlight.class);

  private final MultiCollector inner;
  private final long timeoutNanos;
  private final Errors errors;
  private final ScrapePolicy policy;
  private final ExecutorService runner =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "procagent-collect");
            t.setDaemon(true);
            t.setContextClassLoader(SingleFlight.class.getClassLoader());
            return t;
          });
  private CompletableFuture<MetricSnapshots> inFlight;
  private volatile MetricSnapshots last = MetricSnapshots.of();

  SingleFlight(MultiCollector inner, Duration timeout, Errors errors) {
    this(inner, timeout, errors, null);
  }

  /** @param policy charged with each collection's CPU, or null */
  SingleFlight(MultiCollector inner, Duration timeout, Errors errors, ScrapePolicy policy) {
    this.policy = policy;
    this.inner = inner;
    this.timeoutNanos = timeout.toNanos();
    this.errors = errors;
    errors.declare(TIMEOUT);
  }

  /** The whole collection, as it was made (no copy through a filter). */
  @Override
  public MetricSnapshots collect() {
    return collect((Predicate<String>) null);
  }

  /** @param include a name[] filter, or null for everything */
  @Override
  public MetricSnapshots collect(Predicate<String> include) {
    CompletableFuture<MetricSnapshots> f;
    synchronized (this) {
      if (inFlight == null || inFlight.isDone()) {
        inFlight = CompletableFuture.supplyAsync(this::collectAll, runner);
      }
      f = inFlight;
    }
    MetricSnapshots all;
    try {
      all = f.get(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      errors.record(TIMEOUT, e);
      LOG.warnOnce("timeout", "a collection took longer than " + timeoutNanos / 1_000_000 + " ms; scrapes get the last complete result meanwhile");
      all = last;
    } catch (ExecutionException e) {
      all = last;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      all = last;
    }
    return include == null ? all : filter(all, include);
  }

  private MetricSnapshots collectAll() {
    long cpu = policy == null ? -1 : ScrapePolicy.threadCpu();
    try {
      MetricSnapshots all = inner.collect(FilteringCollector.ALL);
      last = all;
      return all;
    } finally {
      if (policy != null) {
        policy.chargeSince(cpu);
      }
    }
  }

  /** The snapshots a name[] filter keeps, tested by the names a sample line carries. */
  static MetricSnapshots filter(MetricSnapshots all, Predicate<String> include) {
    MetricSnapshots.Builder out = MetricSnapshots.builder();
    for (MetricSnapshot s : all) {
      String name = s.getMetadata().getPrometheusName();
      boolean keep =
          s instanceof CounterSnapshot
              ? include.test(name + "_total") || include.test(name)
              : s instanceof InfoSnapshot
                  ? include.test(name + "_info")
                  : s instanceof HistogramSnapshot
                      ? include.test(name) || include.test(name + "_bucket")
                      : include.test(name);
      if (keep) {
        out.metricSnapshot(s);
      }
    }
    return out.build();
  }

  void shutdown() {
    runner.shutdownNow();
  }
}
