import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one scrape costs the JVM that carries procagent, by the agent's threads: CPU and bytes
 * allocated per scrape (ThreadMXBean), over one keep-alive connection. Run as the application,
 * with the agent:
 *   java -javaagent:target/procagent.jar=127.0.0.1:PORT[:CONFIG] bench/ScrapeBench.java PORT SCRAPES PAUSE_MS
 * PAUSE_MS 0 is back-to-back (warm code, and with the default cache_ttl mostly cached
 * responses); 1000 is one scrape a second, where the code run once per scrape stays cold.
 * 50 scrapes are made first and not counted. bench/scrape.sh runs the usual three cases.
 */
public class ScrapeBench {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int n = Integer.parseInt(args[1]);
    long pause = Long.parseLong(args[2]);
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long deadline = System.nanoTime() + 30_000_000_000L;
    Socket socket = null;
    while (socket == null) {
      try {
        socket = new Socket("127.0.0.1", port);
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
    try (Socket s = socket) {
      s.setTcpNoDelay(true);
      s.setSoTimeout(30_000);
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      byte[] request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < 50; i++) {
        scrape(in, out, request);
      }
      Map<String, long[]> before = byGroup(threads);
      long body = 0;
      for (int i = 0; i < n; i++) {
        body += scrape(in, out, request);
        if (pause > 0) {
          Thread.sleep(pause);
        }
      }
      Map<String, long[]> after = byGroup(threads);
      long cpu = 0;
      long bytes = 0;
      StringBuilder parts = new StringBuilder();
      for (Map.Entry<String, long[]> e : after.entrySet()) {
        long[] b = before.getOrDefault(e.getKey(), new long[2]);
        long c = e.getValue()[0] - b[0];
        long a = e.getValue()[1] - b[1];
        cpu += c;
        bytes += a;
        parts.append(String.format("  %-10s %7.3f ms %8d B%n", e.getKey(), c / 1e6 / n, a / n));
      }
      System.out.printf("scrapes=%d pause_ms=%d body_B=%d cpu_ms_per_scrape=%.3f allocated_B_per_scrape=%d%n%s",
          n, pause, body / n, cpu / 1e6 / n, bytes / n, parts);
    }
    System.exit(0);
  }

  /** CPU ns and allocated bytes of the agent's threads, by what they do. */
  static Map<String, long[]> byGroup(com.sun.management.ThreadMXBean threads) {
    Map<String, long[]> groups = new TreeMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String name = t.getName();
      String group =
          name.equals("HTTP-Dispatcher") ? "jdk-http"
              : name.equals("procagent-http") ? "http"
              : name.startsWith("procagent-http") ? "workers"
              : name.equals("procagent-collect") ? "collect"
              : name.equals("procagent-sampler") ? "sampler"
              : name.startsWith("procagent") ? "other" : null;
      if (group != null) {
        long[] g = groups.computeIfAbsent(group, k -> new long[2]);
        g[0] += Math.max(0, threads.getThreadCpuTime(t.getId()));
        g[1] += Math.max(0, threads.getThreadAllocatedBytes(t.getId()));
      }
    }
    return groups;
  }

  /** One GET, the whole body read; returns its length. */
  static int scrape(InputStream in, OutputStream out, byte[] request) throws IOException {
    out.write(request);
    out.flush();
    int length = -1;
    StringBuilder line = new StringBuilder();
    while (true) {
      line.setLength(0);
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new EOFException("connection closed mid-response");
        }
        if (c != '\r') {
          line.append((char) c);
        }
      }
      if (line.length() == 0) {
        break;
      }
      if (line.toString().regionMatches(true, 0, "Content-Length:", 0, 15)) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    if (length < 0) {
      throw new IOException("response without Content-Length");
    }
    if (in.readNBytes(length).length != length) {
      throw new EOFException("body cut short");
    }
    return length;
  }
}
