package io.procagent.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.procagent.Fakes;
import io.procagent.config.AgentConfig;
import io.procagent.prometheus.MetricsServer;
import io.procagent.prometheus.Registries;
import io.procagent.sampler.Errors;
import io.procagent.sampler.Sampler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Throws the corpus in src/test/resources/fuzz/http (malformed request lines, huge headers,
 * invalid name[], odd Accept headers, truncated and pipelined requests) and 300 seeded random
 * byte strings at a real endpoint: every answer is a 2xx/3xx/4xx or a closed connection, never a
 * 5xx, nothing hangs past the client's timeout, nothing prints a stack trace, and the endpoint
 * still serves afterwards.
 */
class HttpFuzzTest {

  static final int RANDOM_CASES = 300;
  static MetricsServer server;
  static PrintStream realErr;
  static ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeAll
  static void start() throws IOException {
    Fakes.Process process = new Fakes.Process();
    Fakes.System system = new Fakes.System();
    process.next = Fakes.process(1, 1, System.nanoTime());
    system.next = Fakes.system(1, 1, System.nanoTime());
    Errors errors = new Errors();
    Sampler sampler = new Sampler(process, system, Duration.ofSeconds(1), () -> 2, errors);
    realErr = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    server = MetricsServer.start("127.0.0.1", 0, Registries.create(AgentConfig.defaults(), sampler, errors, "fuzz"));
  }

  @AfterAll
  static void stop() {
    server.close();
    System.setErr(realErr);
  }

  static List<byte[]> corpus() throws IOException, URISyntaxException {
    Path dir = Path.of(HttpFuzzTest.class.getResource("/fuzz/http").toURI());
    List<byte[]> cases = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        cases.add(Files.readAllBytes(f));
      }
    }
    Random random = new Random(42);
    for (int i = 0; i < RANDOM_CASES; i++) {
      byte[] garbage = new byte[1 + random.nextInt(i % 10 == 0 ? 8192 : 256)];
      random.nextBytes(garbage);
      if (i % 3 == 0) { // garbage after a plausible start, to get past the request line
        byte[] start = "GET /metrics HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] both = new byte[start.length + garbage.length];
        System.arraycopy(start, 0, both, 0, start.length);
        System.arraycopy(garbage, 0, both, start.length, garbage.length);
        garbage = both;
      }
      cases.add(garbage);
    }
    return cases;
  }

  /** Sends one case and returns the first status code answered, or -1 for a closed connection. */
  static int send(byte[] request) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      try {
        out.write(request);
        out.flush();
        s.shutdownOutput();
      } catch (IOException closedEarly) {
        return -1; // the server refused the rest: fine
      }
      InputStream in = s.getInputStream();
      byte[] head = new byte[12];
      int n = 0;
      try {
        int r;
        while (n < head.length && (r = in.read(head, n, head.length - n)) > 0) {
          n += r;
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no answer and no close within 5 s", e);
      } catch (IOException reset) {
        return -1;
      }
      if (n < 12) {
        return -1;
      }
      String status = new String(head, StandardCharsets.US_ASCII);
      return status.startsWith("HTTP/1.") ? Integer.parseInt(status.substring(9, 12)) : -1;
    }
  }

  @Test
  void everyCaseIsAnsweredWithoutServerErrorAndTheEndpointSurvives() throws Exception {
    List<byte[]> cases = corpus();
    assertThat(cases).hasSizeGreaterThan(RANDOM_CASES);
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      int status = send(cases.get(i));
      if (status >= 500 && status != 505) { // 505: an HTTP version other than 1.x, a deliberate answer
        failures.add("case " + i + ": " + status + " for " + new String(cases.get(i), 0, Math.min(80, cases.get(i).length), StandardCharsets.ISO_8859_1));
      }
    }
    assertThat(failures).isEmpty();
    assertThat(send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo(200);
    assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("Exception").doesNotContain("\tat ");
  }
}
