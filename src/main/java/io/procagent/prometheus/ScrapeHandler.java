package io.procagent.prometheus;

import io.procagent.log.Log;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.exporter.common.PrometheusHttpExchange;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusHttpResponse;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /metrics}: client_java's {@link PrometheusScrapeHandler} (formats, gzip, name[]) made
 * into a {@link Reply}, whichever server carries it. Used instead of client_java's {@code
 * MetricsHandler}, whose adapter writes a SEVERE record with a stack trace through the
 * application's java.util.logging whenever a client goes away mid-response: a scraper timing out
 * must never print into the host's logs. A scrape that fails is a short 500 and one procagent
 * WARN line per kind of failure.
 *
 * <p>A GET answered less than {@code sampling.cache_ttl} ago is answered again with the same
 * reply (the values are no older than the sampler's cache allows anyway). Waiting while the CPU
 * budget is in debt is the server's part ({@link ScrapePolicy#throttleNanos()}).
 */
final class ScrapeHandler {

  private static final Log LOG = Log.get(ScrapeHandler.class);
  /** Distinct requests (format, compression, name[] filter) whose responses are kept. */
  private static final int CACHED_REQUESTS = 8;

  /** What a scrape needs of a GET or HEAD request to {@code /metrics}. */
  interface Request {
    /** The raw query, or null. */
    String query();

    /** A header's values joined with ",", or null when absent. */
    String header(String name);
  }

  /**
   * client_java's handler, made at the first request TextFormat does not serve (a {@code name[]}
   * filter, protobuf, {@code debug}): making it loads client_java's {@code PrometheusProperties},
   * 1.4 MB of the host's heap at start-up for what most agents never see.
   */
  private PrometheusScrapeHandler scrape;
  private final PrometheusRegistry registry;
  private final ScrapePolicy policy;
  /** The text of the last collection, kept for the next (guarded by itself). */
  private final TextFormat.Bytes text = new TextFormat.Bytes(16 * 1024);
  /** The last text written, by family, for the next (guarded by {@link #text}). */
  private final TextFormat.Memo memo = new TextFormat.Memo();
  /** Compresses into gzip for every scrape that accepts it (guarded by {@link #text}). */
  private final Gzip gzip = new Gzip();
  private final Map<String, Reply> cache = new ConcurrentHashMap<>();

  ScrapeHandler(PrometheusRegistry registry, ScrapePolicy policy) {
    this.registry = registry;
    this.policy = policy;
  }

  ScrapePolicy policy() {
    return policy;
  }

  /** The kept reply to this request if it is still fresh, else null; never collects. */
  Reply kept(Request request) {
    if (policy.cacheNanos() <= 0) {
      return null;
    }
    Reply cached = cache.get(cacheKey(request));
    return cached != null && System.nanoTime() - cached.at < policy.cacheNanos() ? cached : null;
  }

  /** The reply to a GET (or HEAD) of {@code /metrics}; its CPU is charged to the budget. */
  Reply scrape(Request request) {
    long cpu = ScrapePolicy.threadCpu();
    try {
      String key = policy.cacheNanos() > 0 ? cacheKey(request) : null;
      Reply cached = key == null ? null : cache.get(key);
      if (cached != null && System.nanoTime() - cached.at < policy.cacheNanos()) {
        return cached;
      }
      Reply fresh = collect(request);
      if (key != null && fresh.status == 200) {
        if (cache.size() >= CACHED_REQUESTS && !cache.containsKey(key)) {
          cache.clear();
        }
        cache.put(key, fresh);
      }
      return fresh;
    } finally {
      policy.chargeSince(cpu);
    }
  }

  /** What selects a response: query (name[], debug), Accept, and whether gzip is accepted. */
  private String cacheKey(Request request) {
    String query = request.query();
    String accept = request.header("Accept");
    String encodings = request.header("Accept-Encoding");
    Key last = lastKey;
    if (last != null && last.query == query && last.accept == accept && last.encodings == encodings) {
      return last.key; // the same request again (the server gives the same strings for the same bytes)
    }
    boolean gzip = gzip(encodings);
    String key = query + '\n' + (accept == null ? "" : accept) + '\n' + gzip;
    lastKey = new Key(query, accept, encodings, gzip, key);
    return key;
  }

  /** The last cache key and what it was made of (the strings compared by identity). */
  private record Key(String query, String accept, String encodings, boolean gzip, String key) {}

  /** Whether the request accepts gzip: the last cache key's answer when the header is the same String. */
  private boolean gzipped(Request request) {
    String encodings = request.header("Accept-Encoding");
    Key last = lastKey;
    return last != null && last.encodings == encodings ? last.gzip : gzip(encodings);
  }

  private volatile Key lastKey;

  private Reply collect(Request request) {
    String accept = request.header("Accept");
    if (request.query() == null && TextFormat.serves(accept)) {
      try {
        return text(registry.scrape(), accept, gzipped(request));
      } catch (IOException | RuntimeException e) {
        LOG.warnOnce("scrape-" + e.getClass().getName(), "a scrape failed: " + e);
        return Reply.text(500, "procagent: the scrape failed; see the agent's log\n");
      }
    }
    String bad = request.query() == null ? null : notUrlEncoded(request.query());
    if (bad != null) { // client_java's URLDecoder would throw, and the scrape be a 500
      return Reply.text(400, "procagent: the query is not URL-encoded ('%' without two hex digits after it) in '" + bad + "'\n");
    }
    return handled(request); // name[] and debug queries, protobuf, escaping that changes names
  }

  /** Longest piece of a bad query quoted back. */
  static final int QUOTED = 64;

  /**
   * The piece of {@code query} (between {@code &}s, at most {@link #QUOTED} characters of it)
   * holding a {@code %} not followed by two hex digits, which {@code URLDecoder} rejects; null when
   * there is none. client_java decodes the query's pieces with it for {@code name[]} and {@code
   * debug}.
   */
  static String notUrlEncoded(String query) {
    for (int i = query.indexOf('%'); i >= 0; i = query.indexOf('%', i + 1)) {
      if (i + 2 >= query.length() || Character.digit(query.charAt(i + 1), 16) < 0 || Character.digit(query.charAt(i + 2), 16) < 0) {
        int from = query.lastIndexOf('&', i) + 1;
        int amp = query.indexOf('&', i);
        int to = Math.min(amp < 0 ? query.length() : amp, from + QUOTED);
        return query.substring(from, to);
      }
    }
    return null;
  }

  /**
   * A scrape in either text format (what Prometheus and curl ask for), written by {@link
   * TextFormat}, or by client_java's writer when the snapshots hold what that alone writes.
   */
  private Reply text(MetricSnapshots snapshots, String accept, boolean gzipped) throws IOException {
    boolean openMetrics = accept != null && accept.indexOf("application/openmetrics-text") >= 0; // see TextFormat.serves
    byte[] body;
    synchronized (text) {
      if (!TextFormat.write(snapshots, openMetrics, text, memo)) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.array().length);
        (openMetrics ? OpenMetricsTextFormatWriter.create() : PrometheusTextFormatWriter.create())
            .write(out, snapshots, EscapingScheme.fromAcceptHeader(accept)); // as client_java's handler
        text.reset();
        text.bytes(out.toByteArray());
      }
      body = gzipped ? gzip.compress(text.array(), text.length()) : text.toArray();
    }
    return new Reply(200, openMetrics ? (gzipped ? OPENMETRICS_GZIP : OPENMETRICS) : (gzipped ? PROMETHEUS_GZIP : PROMETHEUS), body);
  }

  /* A text reply's headers, made once: List.of and Map.entry at each scrape ran interpreted. */
  private static final List<Map.Entry<String, String>> PROMETHEUS = headers(TextFormat.PROMETHEUS_CONTENT_TYPE, false);
  private static final List<Map.Entry<String, String>> PROMETHEUS_GZIP = headers(TextFormat.PROMETHEUS_CONTENT_TYPE, true);
  private static final List<Map.Entry<String, String>> OPENMETRICS = headers(TextFormat.OPENMETRICS_CONTENT_TYPE, false);
  private static final List<Map.Entry<String, String>> OPENMETRICS_GZIP = headers(TextFormat.OPENMETRICS_CONTENT_TYPE, true);

  private static List<Map.Entry<String, String>> headers(String type, boolean gzipped) {
    return gzipped ? List.of(Map.entry("Content-Type", type), Map.entry("Content-Encoding", "gzip"))
        : List.of(Map.entry("Content-Type", type));
  }

  /**
   * Whether an Accept-Encoding header's value (null when absent) accepts gzip, as client_java
   * decides it (a comma-separated value that is "gzip" but for blanks and case), without
   * splitting the header: kept replies ask it too.
   */
  static boolean gzip(String encodings) {
    if (encodings == null) {
      return false;
    }
    for (int from = 0, n = encodings.length(); from <= n; ) {
      int comma = encodings.indexOf(',', from);
      int end = comma < 0 ? n : comma;
      int a = from;
      int b = end;
      while (a < b && encodings.charAt(a) <= ' ') { // as String.trim
        a++;
      }
      while (b > a && encodings.charAt(b - 1) <= ' ') {
        b--;
      }
      if (b - a == 4 && encodings.regionMatches(true, a, "gzip", 0, 4)) {
        return true;
      }
      from = end + 1;
    }
    return false;
  }

  private synchronized PrometheusScrapeHandler clientJavaHandler() {
    if (scrape == null) {
      scrape = new PrometheusScrapeHandler(Registries.properties(), registry);
    }
    return scrape;
  }

  /** Through client_java's {@link PrometheusScrapeHandler}. */
  private Reply handled(Request request) {
    Capture capture = new Capture(request);
    try {
      clientJavaHandler().handleRequest(capture);
    } catch (IOException e) { // not thrown by the capture; handled like the others
      capture.handleException(e);
    }
    if (capture.failed || capture.body == null) {
      return Reply.text(500, "procagent: the scrape failed; see the agent's log\n");
    }
    return new Reply(capture.status, List.copyOf(capture.headers), capture.body.bytes());
  }

  /** A body sized to the length client_java announces, handed over without a last copy when full. */
  private static final class Body extends ByteArrayOutputStream {
    Body(int size) {
      super(size);
    }

    byte[] bytes() {
      return count == buf.length ? buf : toByteArray();
    }
  }

  /** client_java's exchange, answered into memory. */
  private static final class Capture implements PrometheusHttpExchange, PrometheusHttpRequest, PrometheusHttpResponse {
    private final Request request;
    final List<Map.Entry<String, String>> headers = new ArrayList<>(3);
    int status;
    Body body;
    boolean failed;

    Capture(Request request) {
      this.request = request;
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
      return request.query();
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      String value = request.header(name);
      return value == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(value));
    }

    @Override
    public String getMethod() {
      return "GET"; // a HEAD is answered with the GET's headers and no body by the server
    }

    @Override
    public String getRequestPath() {
      return "/metrics";
    }

    @Override
    public void setHeader(String name, String value) {
      if (!name.equalsIgnoreCase("Content-Length")) {
        headers.add(Map.entry(name, value));
      }
    }

    @Override
    public OutputStream sendHeadersAndGetBody(int status, int contentLength) {
      this.status = status;
      this.body = new Body(contentLength > 0 ? contentLength : 4096); // 0: gzip, length unknown
      return body;
    }

    @Override
    public void handleException(IOException e) {
      LOG.warnOnce("scrape-" + e.getClass().getName(), "a scrape failed: " + e);
      failed = true;
    }

    @Override
    public void handleException(RuntimeException e) {
      LOG.warnOnce("scrape-" + e.getClass().getName(), "a scrape failed: " + e);
      failed = true;
    }

    @Override
    public void close() {
      // nothing held
    }
  }
}
