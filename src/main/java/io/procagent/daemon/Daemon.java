package io.procagent.daemon;

import io.procagent.config.AgentConfig;
import io.procagent.config.TargetConfig;
import io.procagent.jmx.AgentStatus;
import io.procagent.jmx.MBeans;
import io.procagent.log.Log;
import io.procagent.prometheus.Endpoint;
import io.procagent.prometheus.Registries;
import io.procagent.prometheus.TargetsCollector;
import io.procagent.sampler.CommandGroups;
import io.procagent.sampler.Errors;
import io.procagent.sampler.Sampler;
import io.procagent.source.Sources;
import io.procagent.source.linux.LinuxDescendantSource;
import io.procagent.source.linux.ProcessTable;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.management.JMException;

/**
 * {@code procagent daemon}: watches the host and a list of targets (processes selected by pid,
 * pidfile, name, command line or user), any of them, JVM or not. Every round one pass over
 * /proc re-matches every target, so a target that restarts with a new pid is followed without
 * a restart of the daemon.
 */
public final class Daemon implements AgentStatus {

  private static final Log LOG = Log.get(Daemon.class);

  private final AgentConfig config;
  private final String version;
  private final Path proc = Path.of(System.getProperty("procagent.procfs", "/proc"));
  private final Errors errors = new Errors();
  private final ScheduledExecutorService scheduler;
  private final Sampler host;
  private final List<Target> targets = new ArrayList<>();
  private final LinuxDescendantSource descendants = new LinuxDescendantSource(proc);
  private final Endpoint endpoint;
  private volatile ProcessTable table;
  private boolean announced;

  private record Target(TargetConfig config, TargetProcessSource source, Sampler sampler) {}

  public Daemon(AgentConfig config, String version) {
    this.config = config;
    this.version = version;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "procagent-sampler");
              t.setDaemon(true);
              return t;
            });
    this.host =
        new Sampler(null, config.systemCollector() ? Sources.system() : null, config.cacheTtl(), () -> 1, errors);
    List<TargetConfig> configured = config.targets().isEmpty() ? List.of(TargetConfig.self()) : config.targets();
    List<TargetsCollector.Target> views = new ArrayList<>();
    int cpus = Runtime.getRuntime().availableProcessors();
    for (TargetConfig tc : configured) {
      TargetProcessSource source = new TargetProcessSource(tc, proc);
      Sampler sampler = new Sampler(source, null, config.cacheTtl(), () -> cpus, errors);
      if (config.children().enabled()) {
        sampler.scanChildren(
            (root, withArgs) -> {
              ProcessTable t = table;
              return t == null ? List.of() : descendants.descendants(t, source.roots(), withArgs);
            },
            -1,
            new CommandGroups(config.children().maxCommands()),
            config.children().maxListed(),
            config.children().arguments());
      }
      targets.add(new Target(tc, source, sampler));
      views.add(new TargetsCollector.Target(tc.name(), sampler, () -> source.matched().size()));
    }
    errors.declare(Registries.TARGETS);
    PrometheusRegistry registry =
        Registries.daemon(config, host, new TargetsCollector(views), errors, version);
    this.endpoint = new Endpoint(config, registry, scheduler, this::served);
  }

  /** Samples every {@code sampling.interval}, serves, registers the MXBeans. */
  public void start() {
    scheduler.scheduleAtFixedRate(this::round, 0, config.samplingInterval().toMillis(), TimeUnit.MILLISECONDS);
    endpoint.start();
    if (config.jmxEnabled()) {
      scheduler.schedule(this::registerMBeans, config.jmxDelay().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** One round: one pass over /proc, every target re-matched and sampled, the host sampled. */
  void round() {
    try {
      ProcessTable t = ProcessTable.scan(proc);
      table = t;
      for (Target target : targets) {
        target.source.rematch(t);
        String problem = target.source.pidfileProblem();
        if (problem != null) {
          errors.record(Registries.TARGETS, new IOException(problem));
          LOG.warnOnce("pidfile-" + target.config.name(), "target " + target.config.name() + " is down: " + problem);
        }
        target.sampler.tick();
        int unreadable = target.source.unreadable();
        if (unreadable > 0) {
          errors.record(Registries.TARGETS, new IOException(
              unreadable + " /proc entries of target " + target.config.name() + " may not be read"));
          LOG.warnOnce("unreadable-" + target.config.name(),
              "target " + target.config.name() + ": some /proc entries (fds, cwd) of its processes may not be read; "
                  + "they are left out");
        }
      }
    } catch (Exception e) {
      errors.record(Registries.TARGETS, e);
      LOG.warnOnce("round", "cannot scan processes: " + e);
    }
    host.tick();
  }

  private void registerMBeans() {
    try {
      MBeans mbeans = new MBeans(ManagementFactory.getPlatformMBeanServer());
      mbeans.registerAgent(version, config, this, errors);
      if (config.systemCollector()) {
        mbeans.registerSystem(host);
      }
      for (Target t : targets) {
        mbeans.registerDaemonTarget(t.config.name(), t.sampler);
      }
    } catch (JMException | RuntimeException e) {
      LOG.warn("JMX MXBeans not registered: " + e);
    }
  }

  private void served(Endpoint e) {
    io.procagent.agent.StateFile.publish("daemon", version, config, e);
    if (e.port() >= 0 && !announced) {
      announced = true;
      List<String> names = targets.stream().map(t -> t.config.name()).toList();
      LOG.info("procagent " + version + " daemon serving " + e.url() + " (config: " + config.source()
          + ", targets: " + String.join(", ", names) + ")");
    }
  }

  @Override
  public int port() {
    return endpoint.port();
  }

  @Override
  public String status() {
    return endpoint.status();
  }

  public String url() {
    return endpoint.url();
  }

  public void stop() {
    scheduler.shutdownNow();
    endpoint.close();
  }
}
