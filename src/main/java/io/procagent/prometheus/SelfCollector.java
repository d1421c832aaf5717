package io.procagent.prometheus;

import io.procagent.sampler.Errors;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * procagent observing itself.
 *
 * <pre>
 * procagent_build_info{version="0.1.0"} 1
 * procagent_scrape_duration_seconds{collector="process"} 1.2e-04
 * procagent_collector_errors_total{collector="process"} 0
 * </pre>
 */
final class SelfCollector implements FilteringCollector {

  static final String BUILD = "procagent_build";
  static final String DURATION = "procagent_scrape_duration_seconds";
  static final String ERRORS = "procagent_collector_errors";
  static final String TIMED_OUT = "procagent_http_requests_timed_out";
  static final String THROTTLED = "procagent_scrape_throttled_seconds";
  static final String RESTARTS = "procagent_http_restarts";

  private final String version;
  private final Errors errors;
  private final Durations durations;
  private final ScrapePolicy policy;
  /** This collector's last snapshots, given again while unchanged. */
  private final LastSnapshots last = new LastSnapshots();
  /** Hands client_java this collector's metrics in their sorted order (see SortedOrder). */
  private final SortedOrder sorted = new SortedOrder();

  /** The error counts, given again while no error was recorded. */
  private final KeptPart keptErrors = new KeptPart();

  SelfCollector(String version, Errors errors, Durations durations, ScrapePolicy policy) {
    this.version = version;
    this.errors = errors;
    this.durations = durations;
    this.policy = policy;
  }

  @Override
  public MetricSnapshots collect(Predicate<String> include) {
    List<MetricSnapshot> out = new ArrayList<>(6);
    Snapshots s = new Snapshots(out, include, Labels.EMPTY, last);
    s.info(BUILD, "procagent's version.", Snapshots.labels("version", version));
    if (include.test(DURATION)) {
      int n = durations.size();
      Labels[] labels = new Labels[n];
      double[] seconds = new double[n];
      n = durations.copy(labels, seconds);
      if (n > 0) {
        out.add(last.gauge(Snapshots.metadata(DURATION, "Seconds the last collection of each collector took."), labels, seconds, n));
      }
    }
    long changes = errors.changes(); // first: an error recorded meanwhile is counted next time
    if (!keptErrors.addTo(out, include, errors, changes)) {
      int from = out.size();
      // the map's order, which is the labels' (client_java sorts points by label)
      s.counter(ERRORS, "Failed reads or collections per collector; their samples were skipped.", "collector", errors.counts());
      keptErrors.keep(out, from, include, errors, changes);
    }
    if (policy != null) {
      s.counter(TIMED_OUT, "Requests cut off by http.request_timeout (slow or stalled clients).",
          policy.timedOut.sum());
      s.counter(THROTTLED, "Seconds scrapes waited because the endpoint had used its http.cpu_limit.",
          policy.throttledNanos.sum() / 1e9);
      s.counter(RESTARTS, "Times the endpoint was bound again after its socket was closed from outside.",
          policy.restarts.sum());
    }
    return sorted.of(out);
  }
}
