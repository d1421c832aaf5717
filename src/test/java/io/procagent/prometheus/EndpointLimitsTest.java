package io.procagent.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.procagent.Fakes;
import io.procagent.config.AgentConfig;
import io.procagent.config.ConfigFile;
import io.procagent.sampler.Errors;
import io.procagent.sampler.Sampler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the endpoint may cost, over real sockets: slow clients are cut off and cannot take the
 * workers other clients need, responses are reused within the cache TTL, and a CPU limit makes
 * scrapes wait rather than fail.
 */
class EndpointLimitsTest {

  final Fakes.Process process = new Fakes.Process();
  final Fakes.System system = new Fakes.System();
  final List<Socket> sockets = new ArrayList<>();
  MetricsServer server;

  MetricsServer start(String yaml) throws Exception {
    process.next = Fakes.process(1, 2, System.nanoTime());
    system.next = Fakes.system(1, 2, System.nanoTime());
    AgentConfig config = ConfigFile.parse("t.yaml", yaml, AgentConfig.defaults());
    Errors errors = new Errors();
    Sampler sampler = new Sampler(process, system, Duration.ZERO, () -> 2, errors);
    server = MetricsServer.start("127.0.0.1", 0, Registries.create(config, sampler, errors, "t"));
    return server;
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** A connection from {@code from} that sends the start of a request and then nothing. */
  Socket slowClient(String from) throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
    s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    return s;
  }

  /** A whole GET from {@code from} on a fresh connection; the response as text. */
  String scrape(String from, String... headers) throws IOException {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
      s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
      s.setSoTimeout(20_000);
      StringBuilder req = new StringBuilder("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
      for (int i = 0; i < headers.length; i += 2) {
        req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
      }
      OutputStream out = s.getOutputStream();
      out.write(req.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Whether the server closed the connection: end of stream, or a reset (it left our bytes unread). */
  static boolean closedByServer(Socket s) throws IOException {
    try {
      return s.getInputStream().read() == -1;
    } catch (java.net.SocketException reset) {
      return reset.getMessage().contains("reset");
    }
  }

  static String body(String response) {
    return response.substring(response.indexOf("\r\n\r\n") + 4);
  }

  @Test
  void slowClientsHoldNoThreadAndOneAddressCannotTakeEveryConnection() throws Exception {
    start("http:\n  request_timeout: 60s\n");
    for (int i = 0; i < PlainServer.PER_CLIENT; i++) {
      slowClient("127.0.0.1");
    }
    // one more from the same address is closed at once
    Socket over = slowClient("127.0.0.1");
    over.setSoTimeout(10_000);
    assertThat(closedByServer(over)).as("closed at once").isTrue();
    // the stalled requests hold no thread: another client is served (the read times out after 20 s)
    String r = scrape("127.0.0.2");
    assertThat(r).startsWith("HTTP/1.1 200").contains("process_cpu_seconds_total");
  }

  @Test
  void aStalledRequestIsCutOffAtTheTimeout() throws Exception {
    start("http:\n  request_timeout: 1s\n");
    Socket slow = slowClient("127.0.0.1");
    slow.setSoTimeout(15_000);
    InputStream in = slow.getInputStream();
    assertThat(in.read()).as("the server closed the stalled connection").isEqualTo(-1);
    assertThat(scrape("127.0.0.1")).contains("procagent_http_requests_timed_out_total 1.0");
  }

  @Test
  void stalledRequestsStartedApartAreEachCutOff() throws Exception {
    start("http:\n  request_timeout: 1s\n");
    Socket first = slowClient("127.0.0.1");
    Thread.sleep(500);
    Socket second = slowClient("127.0.0.3"); // its deadline is after the check that cuts the first
    for (Socket s : List.of(first, second)) {
      s.setSoTimeout(15_000);
      assertThat(s.getInputStream().read()).as("the server closed the stalled connection").isEqualTo(-1);
    }
    Thread.sleep(1500); // nothing running: no check pending until the next exchange starts
    Socket third = slowClient("127.0.0.4");
    third.setSoTimeout(15_000);
    assertThat(third.getInputStream().read()).isEqualTo(-1);
    assertThat(scrape("127.0.0.1")).contains("procagent_http_requests_timed_out_total 3.0");
  }

  @Test
  void responsesAreReusedWithinTheCacheTtl() throws Exception {
    start("sampling:\n  interval: 60s\n  cache_ttl: 30s\n");
    String first = scrape("127.0.0.1");
    assertThat(first).contains("process_cpu_seconds_total 3.0\n");
    process.next = Fakes.process(10, 20, System.nanoTime());
    assertThat(body(scrape("127.0.0.1"))).isEqualTo(body(first));
    // another format is another response, collected now
    assertThat(scrape("127.0.0.1", "Accept", "application/openmetrics-text; version=1.0.0"))
        .contains("process_cpu_seconds_total 30.0\n");
    // gzip is kept compressed, with its length
    assertThat(scrape("127.0.0.1", "Accept-Encoding", "gzip")).containsIgnoringCase("Content-Encoding: gzip").containsIgnoringCase("Content-Length: ");
  }

  @Test
  void withoutTheCacheEveryScrapeIsFresh() throws Exception {
    start("sampling:\n  cache_ttl: 0s\n");
    assertThat(scrape("127.0.0.1")).contains("process_cpu_seconds_total 3.0\n");
    process.next = Fakes.process(10, 20, System.nanoTime());
    assertThat(scrape("127.0.0.1")).contains("process_cpu_seconds_total 30.0\n");
  }

  @Test
  void aCpuLimitMakesScrapesWaitNotFail() throws Exception {
    // 0.1% of one CPU: 10 ms in the bucket, paid back at 1 ms per second; waits capped at 1 s
    start("http:\n  cpu_limit: 0.1%\n  request_timeout: 2s\nsampling:\n  cache_ttl: 0s\n");
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try {
      double throttled = 0;
      for (int round = 0; round < 20 && throttled == 0; round++) {
        List<Future<String>> all = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          all.add(clients.submit(() -> scrape("127.0.0.1")));
        }
        for (Future<String> f : all) {
          String r = f.get();
          assertThat(r).startsWith("HTTP/1.1 200");
          throttled = Math.max(throttled, value(r, "procagent_scrape_throttled_seconds_total"));
        }
      }
      assertThat(throttled).isPositive();
    } finally {
      clients.shutdownNow();
    }
  }

  static double value(String response, String name) {
    return body(response).lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
        .findFirst().orElseThrow();
  }
}
