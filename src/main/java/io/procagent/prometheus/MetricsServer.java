package io.procagent.prometheus;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.procagent.config.BasicAuthConfig;
import io.prometheus.metrics.exporter.httpserver.DefaultHandler;
import io.prometheus.metrics.exporter.httpserver.HealthyHandler;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The endpoint: client_java's handlers ({@code /metrics} in text, OpenMetrics or protobuf by
 * Accept header, gzip, {@code name[]} filter; {@code /-/healthy}; a landing page at {@code /})
 * on a JDK HTTP server that procagent builds itself, so that it can bound the accept backlog
 * and the worker pool, and set TCP_NODELAY on its own connections ({@link TcpNoDelay}), none of
 * which client_java's {@code HTTPServer} lets a caller do.
 *
 * <p>Must be started from a daemon thread: the JDK server's dispatcher thread inherits daemon
 * status from its creator, and a non-daemon dispatcher would keep the host JVM alive.
 */
public final class MetricsServer implements AutoCloseable {

  static final int BACKLOG = 64;
  private static final int WORKERS = 2;
  private static final int QUEUE = 32;

  private final HttpServer server;
  private final ThreadPoolExecutor pool;

  private MetricsServer(HttpServer server, ThreadPoolExecutor pool) {
    this.server = server;
    this.pool = pool;
  }

  /** Opens the JDK internals {@link TcpNoDelay} needs to procagent alone (agent mode). */
  public static void allowTcpNoDelay(Instrumentation inst) {
    if (inst != null) {
      TcpNoDelay.open(inst);
    }
  }

  /** Whether procagent's connections get TCP_NODELAY (so scrapes do not wait 40 ms). */
  public static boolean tcpNoDelay() {
    return TcpNoDelay.active();
  }

  public static MetricsServer start(String host, int port, PrometheusRegistry registry) throws IOException {
    return start(host, port, registry, null);
  }

  /** @param auth credentials to require, or null for none */
  public static MetricsServer start(String host, int port, PrometheusRegistry registry, BasicAuthConfig auth)
      throws IOException {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            WORKERS,
            WORKERS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "procagent-http-" + n.incrementAndGet());
              t.setDaemon(true);
              t.setContextClassLoader(MetricsServer.class.getClassLoader());
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    pool.allowCoreThreadTimeOut(true);
    HttpServer server = null;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), BACKLOG);
      TcpNoDelay noDelay = TcpNoDelay.create();
      BasicAuth basic = auth == null ? null : new BasicAuth(auth);
      context(server, "/", new DefaultHandler("/metrics"), noDelay, basic);
      context(server, "/metrics", new MetricsHandler(Registries.properties(), registry), noDelay, basic);
      context(server, "/-/healthy", new HealthyHandler(), noDelay, auth != null && auth.healthyOpen() ? null : basic);
      server.setExecutor(pool);
      server.start();
      return new MetricsServer(server, pool);
    } catch (IOException | RuntimeException e) {
      if (server != null) {
        server.stop(0);
      }
      pool.shutdownNow();
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

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
