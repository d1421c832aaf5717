package io.procagent.prometheus;

import io.procagent.config.AgentConfig;
import io.procagent.sampler.Errors;
import io.procagent.sampler.Launches;
import io.procagent.sampler.Sampler;
import io.prometheus.metrics.config.MetricsProperties;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.registry.PrometheusScrapeRequest;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Builds procagent's own {@link PrometheusRegistry} (never client_java's default registry, which
 * belongs to the application) with every enabled collector, each wrapped in {@link Guarded}.
 */
public final class Registries {

  static final String JVM = "jvm";
  public static final String TARGETS = "targets";

  private Registries() {}

  /**
   * Properties built in code, so the host's {@code prometheus.properties} and {@code
   * io.prometheus.*} system properties cannot change procagent's port or behaviour; for what
   * procagent still leaves to client_java (its scrape handler, the threads by state). Exemplars
   * off: procagent's metrics have no trace to point to, and a client_java counter with them on
   * starts client_java's exemplar scheduler thread (and its OpenTelemetry lookup) in the host.
   */
  public static PrometheusProperties properties() {
    return PrometheusProperties.builder()
        .defaultMetricsProperties(MetricsProperties.builder().exemplarsEnabled(false).build())
        .build();
  }

  public static PrometheusRegistry create(
      AgentConfig config, Sampler sampler, Errors errors, String version) {
    return create(config, sampler, null, errors, version);
  }

  /**
   * @param launches launch records of this JVM's children, or null when not recorded
   */
  public static PrometheusRegistry create(
      AgentConfig config, Sampler sampler, Launches launches, Errors errors, String version) {
    Durations durations = new Durations();
    List<MultiCollector> collectors = new ArrayList<>();
    if (config.processCollector()) {
      collectors.add(
          new Guarded(Sampler.PROCESS, new ProcessCollector(sampler), errors, durations));
    }
    if (config.systemCollector()) {
      collectors.add(
          new Guarded(Sampler.SYSTEM, new SystemCollector(sampler), errors, durations));
    }
    if (config.children().enabled() || launches != null) {
      collectors.add(
          new Guarded(Sampler.CHILDREN, new ChildrenCollector(sampler, launches), errors, durations));
    }
    if (config.jvmCollector()) {
      collectors.add(
          new Guarded(JVM, jvm(config.jvmThreadStates()), errors, durations));
    }
    return assemble(collectors, version, errors, durations, policy(config));
  }

  private static ScrapePolicy policy(AgentConfig config) {
    return new ScrapePolicy(config.httpLimits(), config.cacheTtl());
  }

  /** The policy a registry of {@link #create} or {@link #daemon} was made with; defaults otherwise. */
  static ScrapePolicy policy(PrometheusRegistry registry) {
    return registry instanceof InfoAwareRegistry r ? r.policy : ScrapePolicy.defaults();
  }

  /** How long a scrape waits for a collection before it gets the last complete one. */
  static final java.time.Duration SCRAPE_TIMEOUT = java.time.Duration.ofSeconds(5);

  /**
   * The daemon's registry: the host, every target (process and children metrics with a {@code
   * target} label, plus {@code procagent_target_up/processes}), the daemon's own JVM.
   */
  public static PrometheusRegistry daemon(
      AgentConfig config, Sampler host, MultiCollector targets, Errors errors, String version) {
    Durations durations = new Durations();
    List<MultiCollector> collectors = new ArrayList<>();
    if (config.systemCollector()) {
      collectors.add(new Guarded(Sampler.SYSTEM, new SystemCollector(host), errors, durations));
    }
    collectors.add(new Guarded(TARGETS, targets, errors, durations));
    if (config.jvmCollector()) {
      collectors.add(
          new Guarded(JVM, jvm(config.jvmThreadStates()), errors, durations));
    }
    return assemble(collectors, version, errors, durations, policy(config));
  }

  /** Self-observation last (so its counts include this very scrape), behind one single flight. */
  private static PrometheusRegistry assemble(
      List<MultiCollector> collectors, String version, Errors errors, Durations durations,
      ScrapePolicy policy) {
    collectors.add(new SelfCollector(version, errors, durations, policy));
    SingleFlight all = new SingleFlight(new InOrder(collectors), SCRAPE_TIMEOUT, errors, policy);
    PrometheusRegistry registry = new InfoAwareRegistry(policy, all);
    registry.register(all);
    return registry;
  }

  /**
   * client_java's {@code name[]} filter matches a metric when a requested name starts with the
   * metric's base name (so {@code x_total} finds counter {@code x}); the base name of {@code
   * process_info} is {@code process}, which every {@code process_*} request starts with. This
   * registry tests info metrics by their full name too.
   */
  private static final class InfoAwareRegistry extends PrometheusRegistry {
    final ScrapePolicy policy;
    /** The one collector this registry holds: an unfiltered scrape is its result as it is. */
    private final MultiCollector only;

    InfoAwareRegistry(ScrapePolicy policy, MultiCollector only) {
      this.policy = policy;
      this.only = only;
    }

    /**
     * What the registry's own scrape would give (it is sorted and checked for duplicate names
     * already), without copying it into a new set of snapshots at every scrape.
     */
    @Override
    public MetricSnapshots scrape() {
      return only.collect();
    }

    @Override
    public MetricSnapshots scrape(Predicate<String> include) {
      return fix(super.scrape(include), include);
    }

    @Override
    public MetricSnapshots scrape(Predicate<String> include, PrometheusScrapeRequest request) {
      return fix(super.scrape(include, request), include);
    }

    private static MetricSnapshots fix(MetricSnapshots all, Predicate<String> include) {
      if (include == null) {
        return all;
      }
      MetricSnapshots.Builder out = MetricSnapshots.builder();
      for (MetricSnapshot s : all) {
        if (!(s instanceof InfoSnapshot) || include.test(s.getMetadata().getPrometheusName() + "_info")) {
          out.metricSnapshot(s);
        }
      }
      return out.build();
    }
  }

  /**
   * Runs collectors in a fixed order (a registry's own order is unspecified) into one set of
   * snapshots, sorted by name with duplicate names refused, as a registry's ({@link SortedOrder}).
   */
  private static final class InOrder implements FilteringCollector {
    private final List<MultiCollector> collectors;
    private final SortedOrder sorted = new SortedOrder();

    InOrder(List<MultiCollector> collectors) {
      this.collectors = collectors;
    }

    @Override
    public MetricSnapshots collect(Predicate<String> include) {
      List<MetricSnapshot> all = new ArrayList<>(128);
      for (int i = 0; i < collectors.size(); i++) {
        MetricSnapshots part = collectors.get(i).collect(include);
        for (int j = 0, n = part.size(); j < n; j++) {
          all.add(part.get(j));
        }
      }
      return sorted.of(all);
    }
  }

  /**
   * The JVM metrics client_java's {@code JvmMetrics} has, served as one collector: procagent's
   * own collectors with client_java's series, except the threads by state, client_java's (off by
   * default: it takes a full thread dump).
   */
  private static MultiCollector jvm(boolean threadStates) {
    List<MultiCollector> parts = new ArrayList<>(4);
    parts.add(new JvmRuntimeCollector());
    parts.add(PoolAllocationCollector.listening());
    parts.add(new MemoryCollector());
    if (threadStates) {
      PrometheusRegistry threads = new PrometheusRegistry();
      JvmThreadsMetrics.builder(properties()).register(threads);
      parts.add((FilteringCollector) threads::scrape);
    } else {
      parts.add(new ThreadCountsCollector());
    }
    return new InOrder(parts);
  }

}
