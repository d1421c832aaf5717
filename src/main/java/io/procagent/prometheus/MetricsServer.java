package io.procagent.prometheus;

import com.sun.net.httpserver.Headers;
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
import java.net.URI;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;

/**
 * The endpoint: client_java's scrape handler ({@code /metrics} in text, OpenMetrics or protobuf by
 * Accept header, gzip, {@code name[]} filter), {@code /-/healthy} and a landing page at {@code /}.
 * Plain HTTP is served by {@link PlainServer}, procagent's own (one thread, a deadline per
 * request, connections served in turn, TCP_NODELAY). TLS is served by a JDK HTTPS server that
 * procagent builds itself, so that it can bound the accept backlog, run exchanges on {@link
 * Workers} (bounded, a deadline per request, a fair share per client) and set TCP_NODELAY on its
 * own connections ({@link TcpNoDelay}), none of which client_java's {@code HTTPServer} lets a
 * caller do.
 *
 * <p>Must be started from a daemon thread: the JDK server's dispatcher thread inherits daemon
 * status from its creator, and a non-daemon dispatcher would keep the host JVM alive.
 */
public final class MetricsServer implements AutoCloseable {

  static final int BACKLOG = 64;
  private static final Log LOG = Log.get(MetricsServer.class);
  private static final int PROBE_TIMEOUT_MS = 1000;
  private static final InetAddress LOOPBACK4 = loopback4();
  private static volatile boolean noDelay;

  /** The plain server, or null with TLS. */
  private final PlainServer plain;
  /** The JDK's HTTPS server and its workers, or null without TLS. */
  private final HttpServer server;
  private final Workers workers;
  private final Tls tls;

  private final Selector watch;

  private MetricsServer(PlainServer plain) {
    this.plain = plain;
    this.server = null;
    this.workers = null;
    this.tls = null;
    this.watch = null;
  }

  private MetricsServer(HttpServer server, Workers workers, Tls tls) {
    this.plain = null;
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
   * Opens {@code sun.net.httpserver} to procagent alone (agent mode, with TLS): {@link TcpNoDelay}
   * and {@link Workers} (request deadlines, per-client share) reach the exchange's socket through
   * it.
   */
  public static void openJdkHttpServer(Instrumentation inst) {
    if (inst != null) {
      TcpNoDelay.open(inst);
    }
  }

  /** Whether procagent's connections get TCP_NODELAY (so scrapes do not wait 40 ms). */
  public static boolean tcpNoDelay() {
    return noDelay;
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
    ScrapeHandler scrape = new ScrapeHandler(registry, Registries.policy(registry));
    BasicAuth basic = auth == null ? null : new BasicAuth(auth);
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (tls == null) {
      MetricsServer plain = new MetricsServer(PlainServer.start(address, scrape, basic, auth != null && auth.healthyOpen()));
      noDelay = true;
      return plain;
    }
    Workers workers = new Workers(scrape.policy());
    HttpsServer server = null;
    try {
      server = HttpsServer.create(address, BACKLOG);
      server.setHttpsConfigurator(tls.configurator());
      TcpNoDelay filter = TcpNoDelay.create();
      context(server, "/", new DefaultHandler("/metrics"), filter, basic);
      context(server, "/metrics", jdk(scrape), filter, basic);
      context(server, "/-/healthy", new HealthyHandler(), filter, auth != null && auth.healthyOpen() ? null : basic);
      server.setExecutor(workers);
      server.start();
      noDelay = TcpNoDelay.active();
      return new MetricsServer(server, workers, tls);
    } catch (IOException | RuntimeException e) {
      if (server != null) {
        server.stop(0);
      }
      workers.shutdown();
      throw e;
    }
  }

  /** {@code /metrics} on the JDK server: waits for the CPU budget on its worker, then replies. */
  private static HttpHandler jdk(ScrapeHandler scrape) {
    return exchange -> {
      try (exchange) {
        String method = exchange.getRequestMethod();
        boolean head = method.equals("HEAD");
        if (!head && !method.equals("GET")) {
          exchange.getResponseHeaders().set("Allow", "GET, HEAD");
          exchange.sendResponseHeaders(405, -1);
          return;
        }
        scrape.policy().throttle();
        URI uri = exchange.getRequestURI();
        Headers headers = exchange.getRequestHeaders();
        Reply reply = scrape.scrape(new ScrapeHandler.Request() {
          @Override
          public String query() {
            return uri.getRawQuery();
          }

          @Override
          public String header(String name) {
            List<String> values = headers.get(name);
            return values == null ? null : String.join(",", values);
          }
        });
        Headers out = exchange.getResponseHeaders();
        for (Map.Entry<String, String> e : reply.headers) {
          out.set(e.getKey(), e.getValue());
        }
        if (head || reply.body.length == 0) {
          exchange.sendResponseHeaders(reply.status, -1);
        } else {
          exchange.sendResponseHeaders(reply.status, reply.body.length);
          exchange.getResponseBody().write(reply.body);
        }
      } catch (IOException e) {
        LOG.debug("scrape not completed (client gone?)", e);
      }
    };
  }

  private static void context(
      HttpServer server, String path, HttpHandler handler, TcpNoDelay noDelay, BasicAuth auth) {
    HttpContext context = server.createContext(path, handler);
    if (auth != null) {
      context.setAuthenticator(auth.jdk());
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

  /**
   * Runs {@code r} when the plain server's accept fails (see {@link PlainServer#onAcceptFailure});
   * the TLS server has no such signal: its owner polls {@link #listening} instead.
   *
   * @return whether the signal exists, so polling is not needed
   */
  public boolean onAcceptFailure(Runnable r) {
    if (plain != null) {
      plain.onAcceptFailure(r);
      return true;
    }
    return false;
  }

  /** Picks up a renewed certificate (no-op without TLS). */
  public void reloadTls() {
    if (tls != null) {
      tls.reloadIfChanged();
    }
  }

  public int port() {
    return plain != null ? plain.port() : server.getAddress().getPort();
  }

  /**
   * Whether something still listens on the bound port: a connection to it is not refused. The
   * JDK server does not notice when its listening socket is closed from outside (for example
   * by {@code ss -K}); its dispatcher then spins on the failing accept.
   */
  public boolean listening() {
    if (plain != null) {
      return plain.listening();
    }
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
    return probe(server.getAddress());
  }

  /**
   * Whether a connection to {@code bound} (the loopback address for a wildcard) is not refused;
   * a timeout or an unreachable route says nothing about the listener, so it counts as yes.
   */
  static boolean probe(InetSocketAddress bound) {
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
      return true;
    }
  }

  @Override
  public void close() {
    if (plain != null) {
      plain.close();
      return;
    }
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
