package io.procagent.prometheus;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import io.procagent.config.BasicAuthConfig;
import io.procagent.config.TlsConfig;
import io.procagent.log.Log;
import io.prometheus.metrics.exporter.httpserver.DefaultHandler;
import io.prometheus.metrics.exporter.httpserver.HealthyHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.security.GeneralSecurityException;

/**
 * The endpoint: client_java's scrape handler ({@code /metrics} in text, OpenMetrics or protobuf by
 * Accept header, gzip, {@code name[]} filter; {@code /-/healthy}; a landing page at {@code /})
 * on a JDK HTTP server that procagent builds itself, so that it can bound the accept backlog,
 * run exchanges on {@link Workers} (bounded, a deadline per request, a fair share per client),
 * and set TCP_NODELAY on its own connections ({@link TcpNoDelay}), none of which client_java's
 * {@code HTTPServer} lets a caller do.
 *
 * <p>Must be started from a daemon thread: the JDK server's dispatcher thread inherits daemon
 * status from its creator, and a non-daemon dispatcher would keep the host JVM alive.
 */
public final class MetricsServer implements AutoCloseable {

  static final int BACKLOG = 64;
  private static final Log LOG = Log.get(MetricsServer.class);
  private static final int PROBE_TIMEOUT_MS = 1000;
  private static final InetAddress LOOPBACK4 = loopback4();

  private final HttpServer server;
  private final Workers workers;
  private final Tls tls;

  private final Selector watch;

  private MetricsServer(HttpServer server, Workers workers, Tls tls) {
    this.server = server;
    this.workers = workers;
    this.tls = tls;
    this.watch = watch(server);
  }

  /**
   * A selector of procagent's own on the JDK server's listening channel (a channel may be
   * registered with several selectors), so that {@link #listening()} can ask the kernel
   * whether anything happened on the listener instead of connecting to it; null when the JDK's
   * internals are not reachable.
   */
  private static Selector watch(HttpServer server) {
    Selector selector = null;
    try {
      Field impl = server.getClass().getDeclaredField("server");
      impl.setAccessible(true);
      Object serverImpl = impl.get(server);
      Field schan = serverImpl.getClass().getDeclaredField("schan");
      schan.setAccessible(true);
      ServerSocketChannel channel = (ServerSocketChannel) schan.get(serverImpl);
      selector = Selector.open();
      channel.register(selector, SelectionKey.OP_ACCEPT);
      return selector;
    } catch (ReflectiveOperationException | IOException | RuntimeException e) {
      LOG.debug("the listener is checked by connecting to it: " + e);
      if (selector != null) {
        try {
          selector.close();
        } catch (IOException ignored) {
          // nothing held
        }
      }
      return null;
    }
  }

  /**
   * Opens {@code sun.net.httpserver} to procagent alone (agent mode): {@link TcpNoDelay} and
   * {@link Workers} (request deadlines, per-client share) reach the exchange's socket through it.
   */
  public static void openJdkHttpServer(Instrumentation inst) {
    if (inst != null) {
      TcpNoDelay.open(inst);
    }
  }

  /** Whether procagent's connections get TCP_NODELAY (so scrapes do not wait 40 ms). */
  public static boolean tcpNoDelay() {
    return TcpNoDelay.active();
  }

  public static MetricsServer start(String host, int port, PrometheusRegistry registry) throws IOException {
    return start(host, port, registry, null, null);
  }

  /**
   * @param auth credentials to require, or null for none
   * @param tlsConfig TLS settings, or null for plain HTTP
   * @throws IOException also when the TLS material cannot be loaded (the message names the file)
   */
  public static MetricsServer start(
      String host, int port, PrometheusRegistry registry, BasicAuthConfig auth, TlsConfig tlsConfig)
      throws IOException {
    Tls tls;
    try {
      tls = tlsConfig == null ? null : Tls.load(tlsConfig);
    } catch (GeneralSecurityException | IOException e) {
      String from = tlsConfig.keystore() != null ? tlsConfig.keystore() : tlsConfig.certFile() + " / " + tlsConfig.keyFile();
      throw new IOException("cannot load TLS material from " + from + ": " + e.getMessage(), e);
    }
    ScrapePolicy policy = Registries.policy(registry);
    Workers workers = new Workers(policy);
    HttpServer server = null;
    try {
      InetSocketAddress address = new InetSocketAddress(host, port);
      if (tls != null) {
        HttpsServer https = HttpsServer.create(address, BACKLOG);
        https.setHttpsConfigurator(tls.configurator());
        server = https;
      } else {
        server = HttpServer.create(address, BACKLOG);
      }
      TcpNoDelay noDelay = TcpNoDelay.create();
      BasicAuth basic = auth == null ? null : new BasicAuth(auth);
      context(server, "/", new DefaultHandler("/metrics"), noDelay, basic);
      context(server, "/metrics", new ScrapeHandler(registry, policy), noDelay, basic);
      context(server, "/-/healthy", new HealthyHandler(), noDelay, auth != null && auth.healthyOpen() ? null : basic);
      server.setExecutor(workers);
      server.start();
      return new MetricsServer(server, workers, tls);
    } catch (IOException | RuntimeException e) {
      if (server != null) {
        server.stop(0);
      }
      workers.shutdown();
      throw e;
    }
  }

  private static void context(
      HttpServer server, String path, HttpHandler handler, TcpNoDelay noDelay, BasicAuth auth) {
    HttpContext context = server.createContext(path, handler);
    if (auth != null) {
      context.setAuthenticator(auth);
    }
    if (noDelay != null) {
      context.getFilters().add(noDelay);
    }
  }

  private static InetAddress loopback4() {
    try {
      return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Picks up a renewed certificate (no-op without TLS). */
  public void reloadTls() {
    if (tls != null) {
      tls.reloadIfChanged();
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * Whether something still listens on the bound port: a connection to it is not refused. The
   * JDK server does not notice when its listening socket is closed from outside (for example
   * by {@code ss -K}); its dispatcher then spins on the failing accept.
   */
  public boolean listening() {
    Selector w = watch;
    if (w != null) {
      try {
        int ready = w.selectNow();
        w.selectedKeys().clear();
        if (ready == 0) {
          return true; // no connection waiting and no error: a destroyed listener reads as ready
        }
      } catch (IOException | RuntimeException e) {
        // ask by connecting
      }
    }
    InetSocketAddress bound = server.getAddress();
    InetAddress ip = bound.getAddress();
    if (ip.isAnyLocalAddress()) {
      ip = ip instanceof Inet6Address ? InetAddress.getLoopbackAddress() : LOOPBACK4;
    }
    try (Socket probe = new Socket()) {
      probe.connect(new InetSocketAddress(ip, bound.getPort()), PROBE_TIMEOUT_MS);
      return true;
    } catch (ConnectException e) {
      return false;
    } catch (IOException e) {
      return true; // a timeout or an unreachable route says nothing about the listener
    }
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdown();
    if (watch != null) {
      try {
        watch.close();
      } catch (IOException e) {
        LOG.debug("closing the listener's selector", e);
      }
    }
  }
}
