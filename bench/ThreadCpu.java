import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the CPU of one scrape a second goes, by thread of the JVM that carries procagent: the
 * README table's app (BenchApp, 100 sleep children), one keep-alive connection as in
 * bench/Compare.java, WARMUP_S scrapes a second apart, then MEASURE_S more; prints each thread
 * name's CPU (schedstat) over the measured scrapes, per scrape, the JIT's threads included, and
 * no recording in the JVM (bench/jit.sh has one, which costs CPU of its own). Loopback only; the
 * app is stopped by its PID.
 *
 * <p>Usage: {@code java bench/ThreadCpu.java JAR PORT [WARMUP_S] [MEASURE_S] [JVM_ARG...]} (from
 * the project's root, after {@code mvn package} and {@code mvn test-compile}).
 */
public class ThreadCpu {

  public static void main(String[] args) throws Exception {
    String jar = args[0];
    int port = Integer.parseInt(args[1]);
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 60;
    int measure = args.length > 3 ? Integer.parseInt(args[3]) : 30;
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (int i = 4; i < args.length; i++) {
      cmd.add(args[i]);
    }
    cmd.addAll(List.of("-javaagent:" + jar + "=127.0.0.1:" + port, "-cp", "target/test-classes", "io.procagent.it.BenchApp", "plain", "100"));
    Process app = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      Thread.sleep(10_000); // as Compare: start-up, first samples
      try (Scraper s = new Scraper(port)) {
        for (int i = 0; i < warmup; i++) {
          s.scrape();
          Thread.sleep(1000);
        }
        Map<String, Long> before = threads(app.pid());
        for (int i = 0; i < measure; i++) {
          s.scrape();
          Thread.sleep(1000);
        }
        Map<String, Long> after = threads(app.pid());
        double all = 0;
        System.out.printf("CPU per scrape over scrapes %d-%d at one a second, by thread (ms, schedstat):%n", warmup + 1, warmup + measure);
        List<Map.Entry<String, Double>> rows = new ArrayList<>();
        for (Map.Entry<String, Long> e : after.entrySet()) {
          double ms = (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 1e6 / measure;
          all += ms;
          rows.add(Map.entry(e.getKey(), ms));
        }
        rows.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        for (Map.Entry<String, Double> r : rows) {
          if (r.getValue() >= 0.03) {
            System.out.printf("  %7.3f %s%n", r.getValue(), r.getKey());
          }
        }
        System.out.printf("  %7.3f all threads%n", all);
      }
    } finally {
      app.destroy(); // by its PID
      app.waitFor();
    }
  }

  /** Each thread name's CPU nanoseconds so far (threads of one name summed). */
  static Map<String, Long> threads(long pid) throws IOException {
    Map<String, Long> out = new TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          String name = Files.readString(t.resolve("comm")).strip();
          long ns = Long.parseLong(Files.readString(t.resolve("schedstat")).split(" ")[0]);
          out.merge(name, ns, Long::sum);
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
    }
    return out;
  }

  /** One keep-alive connection, as bench/Compare.java's (no gzip, TCP_NODELAY). */
  static final class Scraper implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    final byte[] request;

    Scraper(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(30_000);
      in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
      out = socket.getOutputStream();
      request = ("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    void scrape() throws IOException {
      out.write(request);
      out.flush();
      String status = line();
      if (!status.startsWith("HTTP/1.1 200")) {
        throw new IOException("status " + status);
      }
      int length = -1;
      for (String h; !(h = line()).isEmpty(); ) {
        if (h.toLowerCase().startsWith("content-length:")) {
          length = Integer.parseInt(h.substring(15).trim());
        }
      }
      if (length < 0) {
        throw new IOException("no Content-Length");
      }
      in.readNBytes(length);
    }

    String line() throws IOException {
      StringBuilder b = new StringBuilder();
      for (int c; (c = in.read()) != '\n'; ) {
        if (c < 0) {
          throw new IOException("connection closed");
        }
        if (c != '\r') {
          b.append((char) c);
        }
      }
      return b.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
