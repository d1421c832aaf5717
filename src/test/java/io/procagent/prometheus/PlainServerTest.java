package io.procagent.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.procagent.Fakes;
import io.procagent.config.AgentConfig;
import io.procagent.sampler.Errors;
import io.procagent.sampler.Sampler;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * procagent's plain HTTP/1.1 server over raw sockets: keep-alive and pipelining, HEAD, the
 * answers to what it does not serve, HTTP/1.0, request bodies, and a response written to a
 * client that reads slowly.
 */
class PlainServerTest {

  final Fakes.Process process = new Fakes.Process();
  final Fakes.System system = new Fakes.System();
  MetricsServer server;
  Socket socket;

  @BeforeEach
  void start() throws IOException {
    process.next = Fakes.process(1, 2, System.nanoTime());
    system.next = Fakes.system(1, 2, System.nanoTime());
    Errors errors = new Errors();
    Sampler sampler = new Sampler(process, system, Duration.ofSeconds(1), () -> 2, errors);
    server = MetricsServer.start("127.0.0.1", 0, Registries.create(AgentConfig.defaults(), sampler, errors, "t"));
  }

  @AfterEach
  void stop() throws IOException {
    if (socket != null) {
      socket.close();
    }
    server.close();
  }

  Socket connect() throws IOException {
    return connect(0);
  }

  /** @param receiveBuffer SO_RCVBUF to set before connecting (shrinking it later can stall TCP), or 0 */
  Socket connect(int receiveBuffer) throws IOException {
    socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  void send(String request) throws IOException {
    socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  /** One response: status line and headers (lower-cased names), and a body of Content-Length bytes. */
  record Response(String status, List<String> headers, String body) {
    String header(String name) {
      return headers.stream().filter(h -> h.startsWith(name.toLowerCase(Locale.ROOT) + ": ")).map(h -> h.substring(name.length() + 2))
          .findFirst().orElse(null);
    }
  }

  Response read(boolean head) throws IOException {
    InputStream in = socket.getInputStream();
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("closed after " + lines + line);
      }
      if (c == '\n') {
        String l = line.toString();
        line.setLength(0);
        if (l.equals("\r")) {
          break;
        }
        lines.add(l.substring(0, l.length() - 1));
      } else {
        line.append((char) c);
      }
    }
    List<String> headers = new ArrayList<>();
    for (String h : lines.subList(1, lines.size())) {
      int colon = h.indexOf(':');
      headers.add(h.substring(0, colon).toLowerCase(Locale.ROOT) + h.substring(colon));
    }
    Response r = new Response(lines.get(0), headers, "");
    int length = Integer.parseInt(r.header("Content-Length"));
    byte[] body = head ? new byte[0] : in.readNBytes(length);
    return new Response(r.status, headers, new String(body, StandardCharsets.UTF_8));
  }

  boolean closedByServer() throws IOException {
    try {
      return socket.getInputStream().read() == -1;
    } catch (java.net.SocketException reset) {
      return true;
    }
  }

  @Test
  void keepAliveAndPipelinedRequestsAreAnsweredInOrder() throws Exception {
    connect();
    send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    Response first = read(false);
    assertThat(first.status()).isEqualTo("HTTP/1.1 200 OK");
    assertThat(first.header("Content-Type")).startsWith("text/plain; version=0.0.4");
    assertThat(first.body()).contains("process_cpu_seconds_total 3.0\n");
    assertThat(first.header("Connection")).isNull();
    // three at once on the same connection
    send("GET /-/healthy HTTP/1.1\r\n\r\nHEAD /metrics HTTP/1.1\r\n\r\nGET /metrics?name[]=process_open_fds HTTP/1.1\r\n\r\n");
    assertThat(read(false).body()).isEqualTo("Exporter is healthy.\n");
    Response head = read(true);
    assertThat(head.status()).isEqualTo("HTTP/1.1 200 OK");
    assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(first.body().getBytes(StandardCharsets.UTF_8).length));
    Response filtered = read(false);
    assertThat(filtered.body().lines().filter(l -> !l.startsWith("#"))).containsExactly("process_open_fds 23.0");
    // HEAD sent no body: the next response starts right after its head
    send("GET / HTTP/1.1\r\n\r\n");
    assertThat(read(false).body()).contains("href=\"/metrics\"");
  }

  /**
   * One keep-alive connection whose requests differ only in a header or a byte of it: the server
   * reuses the previous request's strings when the bytes are the same and the handler its cache
   * key, so each answer must still follow its own request, kept ones included.
   */
  @Test
  void eachRequestOnAConnectionGetsItsOwnFormatAndEncodingFromTheCache() throws Exception {
    connect();
    String om = "Accept: application/openmetrics-text; version=1.0.0\r\n";
    String[][] requests = {
      {"GET /metrics HTTP/1.1\r\n" + om + "\r\n", "application/openmetrics-text", null},
      {"GET /metrics HTTP/1.1\r\n" + om + "\r\n", "application/openmetrics-text", null},
      {"GET /metrics HTTP/1.1\r\nAccept: application/openmetrics-text; version=1.0.1\r\n\r\n", "application/openmetrics-text", null},
      {"GET /metrics HTTP/1.1\r\nAccept: text/plain\r\n\r\n", "text/plain; version=0.0.4", null},
      {"GET /metrics HTTP/1.1\r\nAccept: text/plain\r\nAccept-Encoding: gzip\r\n\r\n", "text/plain; version=0.0.4", "gzip"},
      {"GET /metrics HTTP/1.1\r\nAccept: text/plain\r\nAccept-Encoding: gzap\r\n\r\n", "text/plain; version=0.0.4", null},
      {"GET /metrics HTTP/1.1\r\n" + om + "Accept-Encoding: gzip\r\n\r\n", "application/openmetrics-text", "gzip"},
      {"HEAD /metrics HTTP/1.1\r\n" + om + "\r\n", "application/openmetrics-text", null},
      {"GET /metrict HTTP/1.1\r\n" + om + "\r\n", null, null},
      {"GET /metrics HTTP/1.1\r\n\r\n", "text/plain; version=0.0.4", null},
    };
    for (String[] r : requests) {
      send(r[0]);
      Response response = read(r[0].startsWith("HEAD"));
      if (r[1] == null) {
        assertThat(response.status()).as(r[0]).isEqualTo("HTTP/1.1 404 Not Found");
        continue;
      }
      assertThat(response.status()).as(r[0]).isEqualTo("HTTP/1.1 200 OK");
      assertThat(response.header("Content-Type")).as(r[0]).startsWith(r[1]);
      assertThat(response.header("Content-Encoding")).as(r[0]).isEqualTo(r[2]);
      if (r[2] == null && !r[0].startsWith("HEAD")) {
        assertThat(response.body().endsWith("# EOF\n")).as(r[0]).isEqualTo(r[1].startsWith("application/openmetrics-text"));
      }
    }
  }

  @Test
  void aRequestHeadArrivingByteByByteIsServed() throws Exception {
    connect();
    for (byte b : "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)) {
      socket.getOutputStream().write(b);
      socket.getOutputStream().flush();
    }
    assertThat(read(false).status()).isEqualTo("HTTP/1.1 200 OK");
  }

  @Test
  void whatIsNotServedIsAnsweredPlainly() throws Exception {
    connect();
    send("GET /nothing HTTP/1.1\r\n\r\n");
    assertThat(read(false).status()).isEqualTo("HTTP/1.1 404 Not Found");
    send("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    Response post = read(false);
    assertThat(post.status()).isEqualTo("HTTP/1.1 405 Method Not Allowed");
    assertThat(post.header("Allow")).isEqualTo("GET, HEAD");
    // a request with a body is answered, then its connection closed: the body is never parsed as a request
    send("GET /-/healthy HTTP/1.1\r\nContent-Length: 27\r\n\r\nGET /metrics HTTP/1.1\r\n\r\n");
    Response withBody = read(false);
    assertThat(withBody.status()).isEqualTo("HTTP/1.1 200 OK");
    assertThat(withBody.header("Connection")).isEqualTo("close");
    assertThat(closedByServer()).isTrue();
  }

  @Test
  void aRequestWithAnUnreadBodyGetsItsResponseThenAHalfCloseNotAReset() throws Exception {
    connect();
    // five requests first, pipelined, so that the whole body has arrived when the last is answered
    byte[] head = ("GET /-/healthy HTTP/1.1\r\n\r\n".repeat(5) + "GET /-/healthy HTTP/1.1\r\nContent-Length: 65536\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    byte[] request = java.util.Arrays.copyOf(head, head.length + 65536);
    Thread sender = new Thread(() -> {
      try {
        socket.getOutputStream().write(request);
      } catch (IOException e) {
        // the server may close before all of it is sent: fine
      }
    });
    sender.start();
    for (int i = 0; i < 5; i++) {
      assertThat(read(false).header("Connection")).isNull();
    }
    Response r = read(false);
    assertThat(r.status()).isEqualTo("HTTP/1.1 200 OK");
    assertThat(r.body()).isEqualTo("Exporter is healthy.\n");
    assertThat(r.header("Connection")).isEqualTo("close");
    sender.join(10_000);
    // the server shut its side and reads on, dropping what comes: more sent after the response
    // is taken, not reset (closing with unread input would send a reset, which can destroy a
    // response the client has not read yet)
    Thread.sleep(200);
    for (int i = 0; i < 4; i++) {
      socket.getOutputStream().write(new byte[16 * 1024]);
      socket.getOutputStream().flush();
      Thread.sleep(50);
    }
    socket.shutdownOutput();
    assertThat(socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
  }

  @Test
  void malformedRequestsAre400AndTheConnectionCloses() throws Exception {
    for (String bad : List.of("GET metrics HTTP/1.1\r\n\r\n", "get /metrics HTTP/1.1\r\n\r\n", "GET /metrics HTTP/1.1\r\nNo colon\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nX: a\r\n folded\r\n\r\n", "GET /metrics\r\n\r\n", "GET /metrics HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nContent-Length:\r\n\r\n")) {
      connect();
      send(bad);
      Response r = read(false);
      assertThat(r.status()).as(bad).isEqualTo("HTTP/1.1 400 Bad Request");
      assertThat(r.header("Connection")).isEqualTo("close");
      assertThat(closedByServer()).isTrue();
      socket.close();
    }
    connect();
    send("GET /metrics HTTP/2.0\r\n\r\n");
    assertThat(read(false).status()).isEqualTo("HTTP/1.1 505 HTTP Version Not Supported");
  }

  @Test
  void aQueryThatIsNotUrlEncodedIs400NamingThePieceAndTheNextRequestIsServed() throws Exception {
    connect();
    send("GET /metrics?name[]=process_open_fds&name[]=%zz&x=1 HTTP/1.1\r\n\r\n");
    Response bad = read(false);
    assertThat(bad.status()).isEqualTo("HTTP/1.1 400 Bad Request");
    assertThat(bad.body()).isEqualTo("procagent: the query is not URL-encoded ('%' without two hex digits after it) in 'name[]=%zz'\n");
    send("GET /metrics?name[]=process_open_fds% HTTP/1.1\r\n\r\n");
    assertThat(read(false).body()).endsWith("in 'name[]=process_open_fds%'\n");
    send("GET /metrics?name[]=process%5Fopen%5ffds HTTP/1.1\r\n\r\n");
    Response good = read(false);
    assertThat(good.status()).isEqualTo("HTTP/1.1 200 OK");
    assertThat(good.body().lines().filter(l -> !l.startsWith("#"))).containsExactly("process_open_fds 23.0");
    assertThat(ScrapeHandler.notUrlEncoded("a=%41&b=%2f")).isNull();
    assertThat(ScrapeHandler.notUrlEncoded("a=%4")).isEqualTo("a=%4");
    assertThat(ScrapeHandler.notUrlEncoded("a=%g1&b")).isEqualTo("a=%g1");
    assertThat(ScrapeHandler.notUrlEncoded("b&name[]=" + "x".repeat(100) + "%")).isEqualTo("name[]=" + "x".repeat(ScrapeHandler.QUOTED - 7));
  }

  @Test
  void anOversizedHeadIs431() throws Exception {
    connect();
    send("GET /metrics HTTP/1.1\r\nX-Big: " + "a".repeat(PlainServer.MAX_HEAD) + "\r\n\r\n");
    assertThat(read(false).status()).isEqualTo("HTTP/1.1 431 Request Header Fields Too Large");
    connect();
    send("GET /metrics HTTP/1.1\r\n" + "X-H: 1\r\n".repeat(PlainServer.MAX_HEADERS + 1) + "\r\n");
    assertThat(read(false).status()).isEqualTo("HTTP/1.1 431 Request Header Fields Too Large");
  }

  @Test
  void http10ClosesUnlessAskedToKeepAlive() throws Exception {
    connect();
    send("GET /-/healthy HTTP/1.0\r\n\r\n");
    assertThat(read(false).header("Connection")).isEqualTo("close");
    assertThat(closedByServer()).isTrue();
    connect();
    send("GET /-/healthy HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
    assertThat(read(false).header("Connection")).isEqualTo("keep-alive");
    send("GET /-/healthy HTTP/1.0\r\n\r\n");
    assertThat(read(false).status()).isEqualTo("HTTP/1.1 200 OK");
    assertThat(closedByServer()).isTrue();
  }

  @Test
  void aLargeResponseReachesASlowReaderWhileOthersAreServed() throws Exception {
    connect(4096);
    send("GET /metrics HTTP/1.1\r\n\r\n");
    int n = 8 * 1024 * 1024 / read(false).body().length() + 1;
    // pipelined scrapes the client does not read yet: more than the kernel's socket buffers hold (4 MB at most here)
    send("GET /metrics HTTP/1.1\r\n\r\n".repeat(n));
    Thread.sleep(300);
    try (Socket other = new Socket()) {
      other.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
      other.setSoTimeout(5000);
      other.getOutputStream().write("GET /-/healthy HTTP/1.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(new String(other.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200 OK");
    }
    for (int i = 0; i < n; i++) {
      assertThat(read(false).body()).contains("process_cpu_seconds_total");
    }
  }

  @Test
  void aCollectionStuckInTheKernelHoldsNeitherHealthChecksNorOtherConnections() throws Exception {
    java.util.concurrent.CountDownLatch stuck = new java.util.concurrent.CountDownLatch(1);
    io.procagent.source.ProcessSource blocking = () -> {
      try {
        stuck.await(); // a /proc read that does not come back
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Fakes.process(1, 2, System.nanoTime());
    };
    Errors errors = new Errors();
    Sampler sampler = new Sampler(blocking, system, Duration.ZERO, () -> 2, errors);
    try (MetricsServer slow = MetricsServer.start("127.0.0.1", 0, Registries.create(AgentConfig.defaults(), sampler, errors, "t"));
        Socket scraper = new Socket();
        Socket checker = new Socket()) {
      scraper.connect(new InetSocketAddress("127.0.0.1", slow.port()), 5000);
      scraper.getOutputStream().write("GET /metrics HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      Thread.sleep(300); // the scrape is collecting, stuck
      checker.connect(new InetSocketAddress("127.0.0.1", slow.port()), 5000);
      checker.setSoTimeout(3000); // well under the 5 s a stuck collection may hold a scrape
      checker.getOutputStream().write("GET /-/healthy HTTP/1.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(new String(checker.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
          .startsWith("HTTP/1.1 200 OK").endsWith("Exporter is healthy.\n");
      // the scraper's next request arrives while its first is collected: read once the reply
      // is sent, and the connection not watched meanwhile (a level-triggered key would spin)
      scraper.getOutputStream().write("GET /-/healthy HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      long loopCpu = loopThreadCpuNanos();
      Thread.sleep(1000);
      assertThat(loopThreadCpuNanos() - loopCpu).as("the HTTP loop's CPU while a request waits").isLessThan(500_000_000L);
      stuck.countDown();
      scraper.setSoTimeout(10_000);
      String first = response(scraper.getInputStream());
      assertThat(first).startsWith("HTTP/1.1 200 OK").contains("process_cpu_seconds_total");
      assertThat(response(scraper.getInputStream())).startsWith("HTTP/1.1 200 OK").endsWith("Exporter is healthy.\n");
    } finally {
      stuck.countDown();
    }
  }

  /** One response with a Content-Length, head and body, read from {@code in}. */
  static String response(java.io.InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new java.io.EOFException("closed within a response head: " + head);
      }
      head.append((char) c);
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    assertThat(m.find()).as("Content-Length in %s", head).isTrue();
    return head + new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.UTF_8);
  }

  /** CPU time of the HTTP loop threads ("procagent-http") of this JVM. */
  static long loopThreadCpuNanos() {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (t != null && t.getThreadName().equals("procagent-http")) {
        sum += Math.max(0, mx.getThreadCpuTime(t.getThreadId()));
      }
    }
    return sum;
  }

  @Test
  void datesAreImfFixdates() {
    DateTimeFormatter imf = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    Random random = new Random(7);
    List<Long> seconds = new ArrayList<>(List.of(0L, 784111777L, 951782400L, 4107542399L, -1L, Instant.now().getEpochSecond()));
    for (int i = 0; i < 10_000; i++) {
      seconds.add((long) (random.nextDouble() * 8_000_000_000L) - 1_000_000_000L);
    }
    for (long s : seconds) {
      assertThat(HttpDate.format(s)).as("%d", s).isEqualTo(imf.format(Instant.ofEpochSecond(s)));
    }
    assertThat(HttpDate.format(784111777L)).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
  }
}
