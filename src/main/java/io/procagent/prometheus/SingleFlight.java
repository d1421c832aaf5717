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
  /** Collections asked for and collections done (guarded by lock): asked > done while one runs. */
  private final Object lock = new Object();
  private long asked;
  private long done;
  /** The collection thread, started at the first collection (guarded by lock, as is stopped). */
  private Thread runner;
  private boolean stopped;
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

  /**
   * Joins the collection in flight or starts one, and waits for it at most the timeout. The
   * hand-off is one monitor, run by the JVM's own code: a {@code CompletableFuture} on an
   * executor runs tens of JDK methods a scrape, interpreted at one scrape a second and compiled
   * by the JIT for minutes (see {@link Worker}).
   *
   * @param include a name[] filter, or null for everything
   */
  @Override
  public MetricSnapshots collect(Predicate<String> include) {
    boolean complete;
    boolean running;
    synchronized (lock) {
      if (asked == done && !stopped) {
        asked++;
        start();
        lock.notifyAll();
      }
      long mine = asked;
      long deadline = System.nanoTime() + timeoutNanos;
      try {
        for (long left = timeoutNanos; done < mine && !stopped && left > 0; left = deadline - System.nanoTime()) {
          lock.wait(Math.max(1, left / 1_000_000));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      complete = done >= mine;
      running = !stopped;
    }
    if (!complete && running && !Thread.currentThread().isInterrupted()) {
      errors.record(TIMEOUT, new TimeoutException("collection over " + timeoutNanos / 1_000_000 + " ms"));
      LOG.warnOnce("timeout", "a collection took longer than " + timeoutNanos / 1_000_000 + " ms; scrapes get the last complete result meanwhile");
    }
    MetricSnapshots all = last; // this collection's, or the last complete one (timed out, failed)
    return include == null ? all : filter(all, include);
  }

  /** Starts the collection thread if it is not running (under lock). */
  private void start() {
    if (runner == null) {
      runner = Worker.daemon("procagent-collect", this::run);
      runner.start();
    }
  }

  private void run() {
    while (true) {
      synchronized (lock) {
        try {
          while (asked == done && !stopped) {
            lock.wait();
          }
        } catch (InterruptedException e) {
          // shutdown, or an interrupt meant for the last collection: stopped tells
        }
        if (stopped) {
          return;
        }
        if (asked == done) {
          continue;
        }
      }
      try {
        collectAll();
      } catch (Throwable e) { // as an executor would: the scrapes get the last complete result
        LOG.debug("a collection failed", e);
      }
      synchronized (lock) {
        done = asked;
        lock.notifyAll();
      }
    }
  }

  private void collectAll() {
    long cpu = policy == null ? -1 : ScrapePolicy.threadCpu();
    try {
      last = inner.collect(FilteringCollector.ALL);
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
    synchronized (lock) {
      stopped = true;
      if (runner != null) {
        runner.interrupt();
      }
      lock.notifyAll();
    }
  }
}
