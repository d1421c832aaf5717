package io.procagent.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.procagent.Fakes;
import io.procagent.config.AgentConfig;
import io.procagent.sampler.Errors;
import io.procagent.sampler.Sampler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real HTTP scrape of client_java's server as procagent configures it. */
class MetricsServerTest {

  final Fakes.Process process = new Fakes.Process();
  final Fakes.System system = new Fakes.System();
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  MetricsServer server;

  @BeforeEach
  void start() throws IOException {
    process.next = Fakes.process(1, 2, System.nanoTime());
    system.next = Fakes.system(1, 2, System.nanoTime());
    Errors errors = new Errors();
    Sampler sampler = new Sampler(process, system, Duration.ofSeconds(1), () -> 2, errors);
    // the host's client_java settings must not move procagent's port
    System.setProperty("io.prometheus.exporter.httpServer.port", "1");
    try {
      server =
          MetricsServer.start(
              "127.0.0.1", 0, Registries.create(AgentConfig.defaults(), sampler, errors, "t"));
    } finally {
      System.clearProperty("io.prometheus.exporter.httpServer.port");
    }
  }

  @AfterEach
  void stop() {
    server.close();
  }

  HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static String body(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void ownPortAndPrometheusText() throws Exception {
    assertThat(server.port()).isGreaterThan(1);
    HttpResponse<byte[]> r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
    assertThat(body(r)).contains("process_cpu_seconds_total 3.0\n").contains("system_load1 0.5\n");
  }

  @Test
  void openMetricsProtobufAndGzip() throws Exception {
    HttpResponse<byte[]> om = get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0");
    assertThat(om.headers().firstValue("Content-Type").orElse("")).startsWith("application/openmetrics-text");
    assertThat(body(om)).contains("# TYPE process info").endsWith("# EOF\n");
    HttpResponse<byte[]> pb =
        get("/metrics", "Accept", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited");
    assertThat(pb.headers().firstValue("Content-Type").orElse("")).contains("protobuf");
    assertThat(pb.body().length).isGreaterThan(100);
    HttpResponse<byte[]> gz = get("/metrics", "Accept-Encoding", "gzip");
    assertThat(gz.headers().firstValue("Content-Encoding")).hasValue("gzip");
    String unzipped =
        new String(new GZIPInputStream(new ByteArrayInputStream(gz.body())).readAllBytes(), StandardCharsets.UTF_8);
    assertThat(unzipped).contains("process_open_fds 23.0");
  }

  @Test
  void nameFilterAndHealth() throws Exception {
    String only = body(get("/metrics?name[]=process_open_fds&name[]=process_cpu_seconds_total"));
    assertThat(only.lines().filter(l -> !l.startsWith("#")))
        .containsExactlyInAnyOrder("process_cpu_seconds_total 3.0", "process_open_fds 23.0");
    HttpResponse<byte[]> h = get("/-/healthy");
    assertThat(h.statusCode()).isEqualTo(200);
    assertThat(body(h)).contains("Exporter is healthy");
  }

  @Test
  void ownConnectionsGetTcpNoDelay() throws Exception {
    assertThat(get("/metrics").statusCode()).isEqualTo(200);
    assertThat(MetricsServer.tcpNoDelay()).isTrue();
    assertThat(body(get("/"))).contains("/metrics");
  }

  @Test
  void basicAuthAsksForCredentialsAndHealthMayStayOpen() throws Exception {
    String hash = PasswordHash.bcrypt("s3cret".toCharArray());
    Errors errors = new Errors();
    Sampler sampler = new Sampler(process, system, Duration.ofSeconds(1), () -> 2, errors);
    try (MetricsServer secured =
        MetricsServer.start("127.0.0.1", 0, Registries.create(AgentConfig.defaults(), sampler, errors, "t"),
            new io.procagent.config.BasicAuthConfig("prometheus", hash, true), null)) {
      String base = "http://127.0.0.1:" + secured.port();
      HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic realm=\"procagent\""));
      for (String[] wrong : new String[][] {{"prometheus", "nope"}, {"admin", "s3cret"}}) {
        assertThat(client.send(authed(base + "/metrics", wrong[0], wrong[1]), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
      }
      for (int i = 0; i < 3; i++) { // the second and third reuse the accepted digest
        HttpResponse<String> ok = client.send(authed(base + "/metrics", "prometheus", "s3cret"), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("process_cpu_seconds_total");
      }
      assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/-/healthy")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }
    try (MetricsServer closed =
        MetricsServer.start("127.0.0.1", 0, Registries.create(AgentConfig.defaults(), sampler, errors, "t"),
            new io.procagent.config.BasicAuthConfig("prometheus", hash, false), null)) {
      assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + closed.port() + "/-/healthy")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    }
  }

  static HttpRequest authed(String url, String user, String password) {
    String token = java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Basic " + token).build();
  }

  @Test
  void workerThreadsAreDaemonsNamedProcagent() throws Exception {
    get("/metrics");
    assertThat(Thread.getAllStackTraces().keySet())
        .filteredOn(t -> t.getName().startsWith("procagent-http"))
        .isNotEmpty()
        .allMatch(Thread::isDaemon);
  }

  /** Each way a bind fails says which: an address this host lacks was once "port N is in use". */
  @Test
  void aFailedBindSaysWhy() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    int taken = server.port();
    assertThat(failure("127.0.0.1", taken, registry)).isEqualTo("port " + taken + " on 127.0.0.1 is in use");
    assertThat(failure("192.0.2.1", taken, registry)) // TEST-NET-1: never this host's
        .isEqualTo("cannot serve on 192.0.2.1:" + taken + ": Cannot assign requested address (not an address of this host)");
    assertThat(failure("no-such-host.invalid", taken, registry))
        .isEqualTo("cannot serve on no-such-host.invalid:" + taken + ": the host name does not resolve");
    assertThat(Endpoint.bindFailure("h", 80, new java.net.BindException("Permission denied")))
        .isEqualTo("cannot serve on h:80: Permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)");
    assertThat(Endpoint.bindFailure("h", 1, new IllegalStateException())).isEqualTo("cannot serve on h:1: java.lang.IllegalStateException");
  }

  private static String failure(String host, int port, PrometheusRegistry registry) {
    try {
      MetricsServer.start(host, port, registry).close();
      throw new AssertionError("bound " + host + ":" + port);
    } catch (IOException | RuntimeException e) {
      return Endpoint.bindFailure(host, port, e);
    }
  }
}
