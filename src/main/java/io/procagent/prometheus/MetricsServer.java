package io.procagent.prometheus;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * client_java's HTTPServer ({@code /metrics} in text, OpenMetrics or protobuf by Accept header,
 * gzip, {@code name[]} filter, {@code /-/healthy}) on a small bounded pool of daemon threads
 * named {@code procagent-http-N}.
 *
 * <p>Must be started from a daemon thread: the JDK server's dispatcher thread inherits daemon
 * status from its creator, and a non-daemon dispatcher would keep the host JVM alive.
 */
public final class MetricsServer implements AutoCloseable {

  private static final int WORKERS = 2;
  private static final int QUEUE = 32;

  private final HTTPServer server;

  private MetricsServer(HTTPServer server) {
    this.server = server;
  }

  public static MetricsServer start(String host, int port, PrometheusRegistry registry)
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
    try {
      HTTPServer server =
          HTTPServer.builder(Registries.properties())
              .hostname(host)
              .port(port)
              .registry(registry)
              .executorService(pool)
              .buildAndStart();
      return new MetricsServer(server);
    } catch (IOException | RuntimeException e) {
      pool.shutdownNow();
      throw e;
    }
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
  }
}
