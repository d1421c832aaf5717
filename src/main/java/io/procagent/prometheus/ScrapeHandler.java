package io.procagent.prometheus;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.procagent.log.Log;
import io.prometheus.metrics.exporter.common.PrometheusHttpExchange;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusHttpResponse;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * {@code /metrics}: client_java's {@link PrometheusScrapeHandler} (formats, gzip, name[]) over
 * the JDK exchange. Used instead of client_java's {@code MetricsHandler}, whose adapter writes a
 * SEVERE record with a stack trace through the application's java.util.logging whenever a
 * client goes away mid-response: a scraper timing out must never print into the host's logs.
 * Here such failures are procagent DEBUG lines, and a request that fails before its headers
 * went out gets a short 500 without a stack trace.
 *
 * <p>What a scrape may cost is bounded by its {@link ScrapePolicy}: a GET answered less than
 * {@code sampling.cache_ttl} ago is answered again with the same bytes (the values are no older
 * than the sampler's cache allows anyway), and while the CPU budget is in debt a scrape waits.
 */
final class ScrapeHandler implements HttpHandler {

  private static final Log LOG = Log.get(ScrapeHandler.class);
  /** Distinct requests (format, compression, name[] filter) whose responses are kept. */
  private static final int CACHED_REQUESTS = 8;

  private final PrometheusScrapeHandler scrape;
  private final ScrapePolicy policy;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  ScrapeHandler(PrometheusRegistry registry, ScrapePolicy policy) {
    this.scrape = new PrometheusScrapeHandler(Registries.properties(), registry);
    this.policy = policy;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    policy.throttle();
    long cpu = ScrapePolicy.threadCpu();
    try {
      String key = policy.cacheNanos() > 0 ? cacheKey(exchange) : null;
      Cached cached = key == null ? null : cache.get(key);
      if (cached != null && System.nanoTime() - cached.at < policy.cacheNanos()) {
        cached.send(exchange);
        return;
      }
      scrape.handleRequest(new Exchange(exchange, key == null ? null : kept -> keep(key, kept)));
    } finally {
      policy.chargeSince(cpu);
    }
  }

  /**
   * Called before the response goes out, so that a client asking again as soon as it has the
   * response (on another connection, hence another worker) is answered from the cache.
   */
  private void keep(String key, Cached kept) {
    if (cache.size() >= CACHED_REQUESTS && !cache.containsKey(key)) {
      cache.clear();
    }
    cache.put(key, kept);
  }

  /** What selects a response: path, query (name[], debug), Accept, and whether gzip is accepted. */
  private static String cacheKey(HttpExchange exchange) {
    if (!"GET".equals(exchange.getRequestMethod())) {
      return null;
    }
    Headers h = exchange.getRequestHeaders();
    List<String> accept = h.get("Accept");
    List<String> encoding = h.get("Accept-Encoding");
    boolean gzip = encoding != null && String.join(",", encoding).contains("gzip");
    return exchange.getRequestURI().getRawPath() + '?' + exchange.getRequestURI().getRawQuery()
        + '\n' + (accept == null ? "" : String.join(",", accept)) + '\n' + gzip;
  }

  /** A complete response as sent: its headers and body. */
  private record Cached(long at, List<Map.Entry<String, String>> headers, byte[] body) {
    void send(HttpExchange exchange) throws IOException {
      try (exchange) {
        Headers out = exchange.getResponseHeaders();
        for (Map.Entry<String, String> e : headers) {
          out.set(e.getKey(), e.getValue());
        }
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      }
    }
  }

  private static final class Exchange implements PrometheusHttpExchange, PrometheusHttpRequest, PrometheusHttpResponse {
    private final HttpExchange exchange;
    private final List<Map.Entry<String, String>> headers;
    private boolean headersSent;
    /** The body while it is being written, when the response is to be kept. */
    private ByteArrayOutputStream capture;
    /** Told of a complete response before it is sent; null when responses are not kept. */
    private final Consumer<Cached> keep;

    Exchange(HttpExchange exchange, Consumer<Cached> keep) {
      this.exchange = exchange;
      this.keep = keep;
      this.headers = keep != null ? new ArrayList<>(3) : null;
    }

    @Override
    public PrometheusHttpRequest getRequest() {
      return this;
    }

    @Override
    public PrometheusHttpResponse getResponse() {
      return this;
    }

    @Override
    public String getQueryString() {
      return exchange.getRequestURI().getRawQuery();
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      List<String> values = exchange.getRequestHeaders().get(name);
      return Collections.enumeration(values == null ? List.of() : values);
    }

    @Override
    public String getMethod() {
      return exchange.getRequestMethod();
    }

    @Override
    public String getRequestPath() {
      return exchange.getRequestURI().getPath();
    }

    @Override
    public void setHeader(String name, String value) {
      exchange.getResponseHeaders().set(name, value);
      if (headers != null && !name.equalsIgnoreCase("Content-Length")) {
        headers.add(Map.entry(name, value));
      }
    }

    @Override
    public OutputStream sendHeadersAndGetBody(int status, int contentLength) throws IOException {
      if (headers != null && status == 200 && !headersSent) {
        // kept: the body is collected first and sent with its length in close()
        capture = new ByteArrayOutputStream(Math.max(contentLength, 1024));
        return capture;
      }
      headersSent = true;
      exchange.sendResponseHeaders(status, contentLength > 0 ? contentLength : 0);
      return exchange.getResponseBody();
    }

    @Override
    public void handleException(IOException e) {
      LOG.debug("scrape not completed (client gone?)", e);
      fail();
    }

    @Override
    public void handleException(RuntimeException e) {
      LOG.warnOnce("scrape-" + e.getClass().getName(), "a scrape failed: " + e);
      fail();
    }

    private void fail() {
      capture = null;
      if (!headersSent) {
        try {
          byte[] body = "procagent: the scrape failed; see the agent's log\n".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(500, body.length);
          exchange.getResponseBody().write(body);
        } catch (IOException | RuntimeException ignored) {
          // the client is gone
        }
      }
      close();
    }

    @Override
    public void close() {
      ByteArrayOutputStream body = capture;
      capture = null;
      if (body != null) {
        Cached kept = new Cached(System.nanoTime(), List.copyOf(headers), body.toByteArray());
        keep.accept(kept);
        try {
          headersSent = true;
          kept.send(exchange);
        } catch (IOException | RuntimeException e) {
          LOG.debug("scrape not completed (client gone?)", e);
        }
        return;
      }
      exchange.close();
    }
  }
}
