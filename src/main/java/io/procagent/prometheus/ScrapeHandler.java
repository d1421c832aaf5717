package io.procagent.prometheus;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.procagent.log.Log;
import io.prometheus.metrics.exporter.common.PrometheusHttpExchange;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusHttpResponse;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * {@code /metrics}: client_java's {@link PrometheusScrapeHandler} (formats, gzip, name[]) over
 * the JDK exchange. Used instead of client_java's {@code MetricsHandler}, whose adapter writes a
 * SEVERE record with a stack trace through the application's java.util.logging whenever a
 * client goes away mid-response: a scraper timing out must never print into the host's logs.
 * Here such failures are procagent DEBUG lines, and a request that fails before its headers
 * went out gets a short 500 without a stack trace.
 */
final class ScrapeHandler implements HttpHandler {

  private static final Log LOG = Log.get(ScrapeHandler.class);

  private final PrometheusScrapeHandler scrape;

  ScrapeHandler(PrometheusRegistry registry) {
    this.scrape = new PrometheusScrapeHandler(Registries.properties(), registry);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    scrape.handleRequest(new Exchange(exchange));
  }

  private static final class Exchange implements PrometheusHttpExchange, PrometheusHttpRequest, PrometheusHttpResponse {
    private final HttpExchange exchange;
    private boolean headersSent;

    Exchange(HttpExchange exchange) {
      this.exchange = exchange;
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
    }

    @Override
    public OutputStream sendHeadersAndGetBody(int status, int contentLength) throws IOException {
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
      exchange.close();
    }
  }
}
