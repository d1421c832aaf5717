package io.procagent.agent;

import io.procagent.config.AgentConfig;
import io.procagent.config.ChildrenConfig;
import io.procagent.instrument.CompilerDirective;
import io.procagent.instrument.LaunchInstrumentation;
import io.procagent.instrument.PlatformServerWatch;
import io.procagent.jmx.AgentStatus;
import io.procagent.jmx.MBeans;
import io.procagent.log.Log;
import io.procagent.prometheus.Endpoint;
import io.procagent.prometheus.MetricsServer;
import io.procagent.prometheus.PlatformBeans;
import io.procagent.prometheus.Registries;
import io.procagent.sampler.CommandGroups;
import io.procagent.sampler.Errors;
import io.procagent.sampler.Launches;
import io.procagent.sampler.Sampler;
import io.procagent.source.Sources;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.management.JMException;

/**
 * One running procagent for this JVM: sampler, registry, HTTP server and MXBeans. Used by the
 * {@code -javaagent}/attach entry point and by {@code procagent daemon}.
 *
 * <p>Sampling runs on its own daemon thread, {@code procagent-sampler}; binding, retries and
 * JMX registration on another, {@code procagent-tasks}, idle once serving; plus the HTTP server's
 * own. A port in use is retried every {@link Endpoint#RETRY_SECONDS}s; JMX problems are logged once. The
 * MXBeans wait for the platform MBean server to exist: procagent does not make it.
 */
public final class Agent implements AgentStatus {

  private static final Log LOG = Log.get(Agent.class);

  private final AgentConfig config;
  private final String version = version();
  private final Errors errors = new Errors();
  private final ScheduledExecutorService scheduler;
  private final Sampler sampler;
  private final PrometheusRegistry registry;
  private volatile MBeans mbeans;
  private final Instrumentation inst;
  private final Launches launches;
  private LaunchInstrumentation launchInstrumentation;
  private volatile boolean watchingServer;
  private final Endpoint endpoint;
  private boolean announced;

  /**
   * @param inst the JVM's instrumentation, for recording launched children; null in the daemon
   */
  public Agent(AgentConfig config, Instrumentation inst) {
    this.config = config;
    this.inst = inst;
    PlatformBeans.open(inst); // before any collector takes the JVM's MXBeans
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "procagent-tasks");
              t.setDaemon(true);
              t.setContextClassLoader(Agent.class.getClassLoader());
              return t;
            });
    this.sampler =
        new Sampler(
            config.processCollector() ? Sources.process(ProcessHandle.current().pid()) : null,
            config.systemCollector() ? Sources.system() : null,
            config.cacheTtl(),
            Runtime.getRuntime()::availableProcessors,
            errors);
    ChildrenConfig children = config.children();
    CommandGroups groups = new CommandGroups(children.maxCommands());
    if (children.enabled()) {
      sampler.scanChildren(
          Sources.descendants(), ProcessHandle.current().pid(), groups, children.maxListed(), children.arguments());
    }
    this.launches =
        children.launches() && inst != null ? new Launches(groups, children.recentExits()) : null;
    this.registry = Registries.create(config, sampler, launches, errors, version);
    this.endpoint = new Endpoint(config, registry, scheduler, this::served);
  }

  /**
   * Starts sampling, serving and JMX.
   *
   * @return true (a second procagent in this JVM is refused by the bootstrap, before this)
   */
  public boolean start() {
    if (launches != null) {
      launchInstrumentation = LaunchInstrumentation.install(inst, launches);
    }
    if (inst != null && config.tls() != null) { // only the TLS endpoint runs on the JDK server
      MetricsServer.openJdkHttpServer(inst);
    }
    sampler.start(config.samplingInterval());
    endpoint.start();
    if (inst != null && !config.jitC2()) {
      scheduler.execute(() -> CompilerDirective.add(inst));
    }
    if (config.jmxEnabled()) {
      scheduler.schedule(this::jmx, config.jmxDelay().toMillis(), TimeUnit.MILLISECONDS);
    }
    return true;
  }

  /**
   * After {@code jmx.delay}: the MXBeans are registered as soon as the platform MBean server
   * exists, which procagent never makes itself in a host ({@link PlatformServerWatch}); in the
   * daemon (procagent's own JVM, no instrumentation) at once.
   */
  private void jmx() {
    if (inst != null && PlatformServerWatch.install(inst, () -> scheduler.execute(this::registerMBeans))) {
      watchingServer = true;
      return;
    }
    registerMBeans();
  }

  private void registerMBeans() {
    if (!registerAgentMBean()) {
      stop();
      return;
    }
    try {
      mbeans().registerTarget(sampler, config.processCollector(), config.systemCollector());
      if (config.children().enabled() || launches != null) {
        mbeans().registerChildren(sampler, launches);
      }
    } catch (JMException | RuntimeException e) {
      LOG.warn("JMX MXBeans not registered: " + e);
    }
  }

  private MBeans mbeans() {
    if (mbeans == null) {
      mbeans = new MBeans(ManagementFactory.getPlatformMBeanServer());
    }
    return mbeans;
  }

  private boolean registerAgentMBean() {
    try {
      if (!mbeans().registerAgent(version, config, this, errors)) {
        LOG.warn("procagent is already running in this JVM (see MBean " + MBeans.AGENT + "); this copy stops");
        return false;
      }
    } catch (JMException | RuntimeException e) {
      LOG.warn("JMX MXBean " + MBeans.AGENT + " not registered: " + e);
    }
    return true;
  }

  /** After every bind attempt: the start-up line once, and the state file for list/attach. */
  private void served(Endpoint e) {
    if (e.port() >= 0 && !announced) {
      announced = true;
      LOG.info(
          "procagent " + version + " serving " + e.url()
              + (config.basicAuth() != null ? " with basic auth" : "") + " (config: " + config.source()
              + ", pid " + ProcessHandle.current().pid() + ")");
    }
    StateFile.publish("agent", version, config, e);
  }

  /** The URL of the metrics endpoint, or "" while not serving. */
  public String endpoint() {
    return endpoint.url();
  }

  @Override
  public int port() {
    return endpoint.port();
  }

  @Override
  public String status() {
    return endpoint.status();
  }

  public void stop() {
    if (launchInstrumentation != null) {
      launchInstrumentation.uninstall();
    }
    if (watchingServer) {
      PlatformServerWatch.uninstall(inst);
    }
    scheduler.shutdownNow();
    sampler.stop();
    endpoint.close();
    MBeans m = mbeans;
    if (m != null) {
      m.unregisterAll();
    }
  }

  public static String version() {
    try (InputStream in = Agent.class.getResourceAsStream("/io/procagent/version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
