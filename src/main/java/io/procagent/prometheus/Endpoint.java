package io.procagent.prometheus;

import io.procagent.log.Log;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.BindException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The HTTP endpoint's life: bind, and when the port is taken (or binding fails otherwise) say so
 * once and retry every {@link #RETRY_SECONDS}s on the given scheduler, never failing the host.
 * A listening socket closed from outside (for example {@code ss -K}) is noticed and the port
 * bound again: plain HTTP checks a second after its accept fails (a destroyed listener shows so);
 * with TLS, every {@link #CHECK_SECONDS}s it picks up a renewed certificate and checks that the
 * port still listens (the JDK server would spin on its failing accept). Without TLS nothing is
 * polled: each wake of an idle thread running cold code costs milliseconds of CPU.
 */
public final class Endpoint {

  public static final int RETRY_SECONDS = 10;
  /** How often a changed certificate or key file is looked for, and the listener checked. */
  public static final int CHECK_SECONDS = 5;
  private static final Log LOG = Log.get(Endpoint.class);

  private final String host;
  private final int port;
  private final io.procagent.config.BasicAuthConfig auth;
  private final io.procagent.config.TlsConfig tls;
  private final PrometheusRegistry registry;
  private final ScheduledExecutorService scheduler;
  private final Consumer<Endpoint> onChange;
  private volatile MetricsServer server;
  private volatile String status = "starting";
  private volatile boolean closed;
  private boolean warned;
  private boolean checking;
  /** The port to bind: the configured one, then the one last served (when 0 picked one). */
  private int bindPort;

  /**
   * @param onChange told after every bind attempt (for the state file and the start-up line)
   */
  public Endpoint(
      io.procagent.config.AgentConfig config, PrometheusRegistry registry, ScheduledExecutorService scheduler,
      Consumer<Endpoint> onChange) {
    this.host = config.host();
    this.port = config.port();
    this.bindPort = port;
    this.auth = config.basicAuth();
    this.tls = config.tls();
    this.registry = registry;
    this.scheduler = scheduler;
    this.onChange = onChange;
  }

  /** Binds now on the scheduler's thread (a daemon thread: the JDK server's threads inherit it). */
  public void start() {
    scheduler.execute(this::bind);
  }

  private void bind() {
    if (closed) {
      return;
    }
    try {
      server = MetricsServer.start(host, bindPort, registry, auth, tls);
      status = "serving";
      boolean signalled = server.onAcceptFailure(this::checkSoon);
      if (!checking) {
        checking = true;
        stopAtExit();
        if (!signalled) {
          scheduler.scheduleWithFixedDelay(this::check, CHECK_SECONDS, CHECK_SECONDS, TimeUnit.SECONDS);
        }
      }
    } catch (IOException | RuntimeException e) {
      status = bindFailure(host, bindPort, e) + "; retrying every " + RETRY_SECONDS + "s";
      if (!warned) {
        warned = true;
        LOG.warn(status + " (the application is not affected)");
      } else {
        LOG.debug(status);
      }
      scheduler.schedule(this::bind, RETRY_SECONDS, TimeUnit.SECONDS);
    }
    onChange.accept(this);
  }

  /**
   * Why binding {@code host:port} failed, in words: a port in use is the common case, but an
   * address this host does not have, a port below 1024 without the right, or a name that does
   * not resolve each say so (a BindException is all three of the first).
   */
  static String bindFailure(String host, int port, Throwable e) {
    String where = "cannot serve on " + host + ":" + port + ": ";
    if (e instanceof UnresolvedAddressException || e.getCause() instanceof UnresolvedAddressException) {
      return where + "the host name does not resolve";
    }
    Throwable bind = e instanceof BindException ? e : e.getCause() instanceof BindException ? e.getCause() : null;
    if (bind == null) {
      return where + e;
    }
    String message = String.valueOf(bind.getMessage());
    if (message.contains("in use")) {
      return "port " + port + " on " + host + " is in use";
    } else if (message.contains("assign requested address")) {
      return where + message + " (not an address of this host)";
    } else if (message.contains("Permission denied")) {
      return where + message + " (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
    }
    return where + message;
  }

  /**
   * Stops the server when the JVM exits: left running, the JDK server's dispatcher holds the
   * JVM's exit for about 300 ms, which short-lived JVMs (CLI tools, batch jobs) would pay.
   */
  private void stopAtExit() {
    try {
      Thread hook = new Thread(this::close, "procagent-stop-http");
      hook.setDaemon(true);
      Runtime.getRuntime().addShutdownHook(hook);
    } catch (IllegalStateException e) {
      close(); // the JVM is already shutting down
    }
  }

  /** A check a second from now (the server's own thread calls this; it must not block). */
  private void checkSoon() {
    try {
      scheduler.schedule(this::check, 1, TimeUnit.SECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // shut down: the agent stops
    }
  }

  private void check() {
    MetricsServer s = server;
    if (s == null || closed) {
      return;
    }
    s.reloadTls();
    if (!s.listening() && !closed) {
      Registries.policy(registry).restarts.increment();
      LOG.warn(
          "the endpoint's socket on " + host + ":" + s.port()
              + " was closed from outside procagent; serving it again (the application is not affected)");
      server = null;
      bindPort = s.port();
      status = "rebinding after the socket was closed from outside";
      s.close();
      warned = false;
      bind();
    }
  }

  /** The bound port, -1 while not serving. */
  public int port() {
    MetricsServer s = server;
    return s == null ? -1 : s.port();
  }

  public String host() {
    return host;
  }

  /** "serving", or why not. */
  public String status() {
    return status;
  }

  /** {@code http://HOST:PORT/metrics}, or "" while not serving. */
  public String url() {
    int p = port();
    if (p < 0) {
      return "";
    }
    return (tls != null ? "https" : "http") + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + p + "/metrics";
  }

  public void close() {
    closed = true;
    MetricsServer s = server;
    if (s != null) {
      s.close();
    }
  }
}
