import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Starts the same small app (io.procagent.it.BenchApp, 100 sleep children) with each exporter,
 * interleaved run by run, and prints the medians of: time to app ready, RSS idle and after 10k
 * scrapes, scrape latency over one keep-alive connection, CPU per scrape back-to-back and at one
 * scrape per second after a warm-up, idle CPU, and time from main's return to JVM exit.
 *
 * Time to ready is also taken alone over {@code -Dstartups=N} (15) interleaved start-ups, with
 * no children: a figure of tens of ms on a shared machine needs more than the long runs' samples.
 *
 * <p>Loopback only; every process it starts is stopped by its PID. Run by bench/compare.sh.
 * Usage: java bench/Compare.java RUNS WARMUP_S MEASURE_S CLASSPATH PROCAGENT_JAR JMX_EXPORTER_JAR
 * EMPTY_AGENT_JAR (an agent whose premain does nothing: what any -javaagent costs the JVM); or
 * java bench/Compare.java threads PROCAGENT_JAR PORT [WARMUP_S] [MEASURE_S] (see {@link #threads}); or
 * java bench/Compare.java rss PROCAGENT_JAR PORT [JVM_ARG...] (see {@link #rss}); or
 * java bench/Compare.java windows PROCAGENT_JAR PORT [SCRAPES] (see {@link #windows}).
 */
public class Compare {

  static final int CHILDREN = Integer.getInteger("children", 100);
  static final int LATENCY_SCRAPES = 2000;
  static final int TOTAL_SCRAPES = Integer.getInteger("scrapes", 10_000);
  static final long CLK_TCK = 100;
  static final int STARTUPS = Integer.getInteger("startups", 15);

  record Variant(String name, List<String> jvmArgs, String mode, int port) {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("threads")) {
      threads(args);
      return;
    }
    if (args[0].equals("rss")) {
      rss(args);
      return;
    }
    if (args[0].equals("windows")) {
      windows(args);
      return;
    }
    int runs = Integer.parseInt(args[0]);
    int warmup = Integer.parseInt(args[1]);
    int measure = Integer.parseInt(args[2]);
    String cp = args[3];
    Path procagent = Path.of(args[4]).toAbsolutePath();
    Path jmxExporter = Path.of(args[5]).toAbsolutePath();
    Path emptyAgent = Path.of(args[6]).toAbsolutePath();
    Path dir = Files.createTempDirectory("procagent-compare");
    Path jmxConfig = Files.writeString(dir.resolve("jmx.yaml"), "rules:\n  - pattern: \".*\"\n");
    Path noCache = Files.writeString(dir.resolve("nocache.yaml"), "http:\n  cpu_limit: off\nsampling:\n  cache_ttl: 0s\n");
    List<Variant> variants =
        List.of(
            new Variant("no agent", List.of(), "plain", 0),
            new Variant("empty -javaagent (JVM's own cost)", List.of("-javaagent:" + emptyAgent), "plain", 0),
            new Variant("jmx_exporter 1.0.1", List.of("-javaagent:" + jmxExporter + "=127.0.0.1:19711:" + jmxConfig), "plain", 19711),
            new Variant("client_java 1.5.0", List.of(), "clientjava:19712", 19712),
            new Variant("procagent", List.of("-javaagent:" + procagent + "=127.0.0.1:19713"), "plain", 19713),
            new Variant("procagent, no cache or CPU limit", List.of("-javaagent:" + procagent + "=127.0.0.1:19714:" + noCache), "plain", 19714));
    Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
    // start-up alone, many times: 3 long runs give 3 samples of a figure that varies by tens of ms
    for (int i = 1; i <= STARTUPS; i++) {
      List<Variant> order = new ArrayList<>(variants);
      java.util.Collections.rotate(order, i - 1);
      for (Variant v : order) {
        double ms = startup(v, cp);
        results.computeIfAbsent(v.name(), n -> new LinkedHashMap<>()).computeIfAbsent("ready_ms", n -> new ArrayList<>()).add(ms);
      }
    }
    System.err.println("start-ups: " + results);
    for (int run = 1; run <= runs; run++) {
      List<Variant> order = new ArrayList<>(variants);
      java.util.Collections.rotate(order, run - 1); // interleaved: each run starts elsewhere
      for (Variant v : order) {
        System.err.printf("run %d/%d: %s%n", run, runs, v.name());
        Map<String, Double> r = measure(v, cp, warmup, measure);
        System.err.println("  " + r);
        r.forEach((k, x) -> results.computeIfAbsent(v.name(), n -> new LinkedHashMap<>()).computeIfAbsent(k, n -> new ArrayList<>()).add(x));
      }
    }
    print(variants, results);
  }

  /**
   * The app's own classes only, unless it runs client_java's server itself. Not the bench's
   * whole test classpath: the JVM looks an agent's premain class up through every jar on the
   * class path before the agent's own, opening each (about 40 ms for the ~30 test jars here,
   * for an empty agent as for any other), jars a real app opens for its own classes anyway.
   */
  static String appClasspath(Variant v, String cp) {
    return v.mode().equals("plain") ? cp.split(java.io.File.pathSeparator)[0] : cp;
  }

  /** The JVM running BenchApp for {@code v} with {@code children} sleep children. */
  static List<String> command(Variant v, String cp, int children) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(v.jvmArgs());
    cmd.addAll(List.of("-cp", appClasspath(v, cp), "io.procagent.it.BenchApp", v.mode(), Integer.toString(children)));
    return cmd;
  }

  /** Time from starting the JVM to the app's "ready" line; the app is then told to quit. */
  static double startup(Variant v, String cp) throws Exception {
    List<String> cmd = command(v, cp, 0);
    long start = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
      for (String l; (l = in.readLine()) != null; ) {
        if (l.equals("ready")) {
          double ms = (System.nanoTime() - start) / 1e6;
          p.getOutputStream().write("quit\n".getBytes(StandardCharsets.US_ASCII));
          p.getOutputStream().close();
          if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(v.name() + ": JVM did not exit within 30 s");
          }
          Thread.sleep(500); // let the machine settle between starts
          return ms;
        }
      }
      throw new IllegalStateException(v.name() + ": no 'ready' line");
    } finally {
      p.destroyForcibly();
      p.waitFor();
    }
  }

  static Map<String, Double> measure(Variant v, String cp, int warmup, int measure) throws Exception {
    List<String> cmd = command(v, cp, CHILDREN);
    Map<String, Double> r = new LinkedHashMap<>();
    long start = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    BlockingQueue<Map.Entry<String, Long>> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
        for (String l; (l = in.readLine()) != null; ) {
          lines.add(Map.entry(l, System.nanoTime()));
        }
      } catch (IOException ignored) {
        // process gone
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      r.put("ready_run_ms", (expect(lines, "ready").getValue() - start) / 1e6);
      expect(lines, "children");
      long pid = p.pid();
      if (v.port() > 0) {
        waitForEndpoint(v.port());
      }
      Thread.sleep(10_000); // settle: agent start-up, first samples, JIT of start-up code
      r.put("rss_idle_mb", rssKb(pid) / 1024.0);
      Scraper s = v.port() > 0 ? new Scraper(v.port()) : null;
      try {
        double c1 = 0;
        double c1ns = 0;
        double secs = 0;
        if (s != null) {
          for (int i = 0; i < warmup; i++) { // one scrape per second
            s.scrape();
            Thread.sleep(1000);
          }
          c1 = cpuMs(pid);
          Map<String, Long> n1 = threadNanos(pid);
          long t1 = System.nanoTime();
          for (int i = 0; i < measure; i++) {
            s.scrape();
            Thread.sleep(1000);
          }
          secs = (System.nanoTime() - t1) / 1e9;
          c1 = cpuMs(pid) - c1;
          // the same window in ns by thread: the process's ticks are 10 ms, +-0.33 ms a scrape over
          // 30; a thread that ended within it takes its share with it (counted, and shown)
          Map<String, Long> n2 = threadNanos(pid);
          c1ns = nanosBetween(n1, n2) / 1e6;
          r.put("threads_ended_1s", (double) n1.keySet().stream().filter(t -> !n2.containsKey(t)).count());
          s.close(); // an idle keep-alive connection would be closed by some servers meanwhile
        }
        // idle: nobody scrapes for 30 s, after the warm-up (start-up and JIT are over)
        // in ns per thread (schedstat): the process's ticks are 10 ms, +-0.3 ms/s over 30 s
        Map<String, Long> t0 = threadNanos(pid);
        Thread.sleep(30_000);
        double idlePerS = cpuNanosSince(pid, t0) / 1e6 / 30.0;
        r.put("idle_cpu_ms_per_s", idlePerS);
        if (s != null) {
          r.put("cpu_ms_per_scrape_1s", (c1 - idlePerS * secs) / measure);
          r.put("cpu_ms_per_scrape_1s_ns", (c1ns - idlePerS * secs) / measure);
          s = new Scraper(v.port());
          for (int i = 0; i < 200; i++) {
            s.scrape();
          }
          double[] ms = new double[LATENCY_SCRAPES];
          double c2 = cpuMs(pid);
          long t2 = System.nanoTime();
          for (int i = 0; i < LATENCY_SCRAPES; i++) {
            long t = System.nanoTime();
            s.scrape();
            ms[i] = (System.nanoTime() - t) / 1e6;
          }
          double b2bSecs = (System.nanoTime() - t2) / 1e9;
          r.put("cpu_ms_per_scrape_b2b", ((cpuMs(pid) - c2) - idlePerS * b2bSecs) / LATENCY_SCRAPES);
          Arrays.sort(ms);
          r.put("p50_ms", ms[LATENCY_SCRAPES / 2]);
          r.put("p99_ms", ms[(int) (LATENCY_SCRAPES * 0.99)]);
          r.put("body_kb", s.lastBody / 1024.0);
          for (int i = warmup + measure + 200 + LATENCY_SCRAPES; i < TOTAL_SCRAPES; i++) {
            s.scrape();
          }
          Thread.sleep(2000);
          r.put("rss_10k_mb", rssKb(pid) / 1024.0);
        }
      } finally {
        if (s != null) {
          s.close();
        }
      }
      try (Writer w = new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
        w.write("quit\n");
      }
      long exiting = expect(lines, "exiting").getValue();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(v.name() + ": JVM did not exit within 30 s");
      }
      r.put("exit_ms", (System.nanoTime() - exiting) / 1e6);
      return r;
    } finally {
      p.destroyForcibly();
      p.waitFor();
    }
  }

  static Map.Entry<String, Long> expect(BlockingQueue<Map.Entry<String, Long>> lines, String prefix) throws Exception {
    while (true) {
      Map.Entry<String, Long> e = lines.poll(60, TimeUnit.SECONDS);
      if (e == null) {
        throw new IllegalStateException("no line '" + prefix + "' within 60 s");
      }
      if (e.getKey().startsWith(prefix)) {
        return e;
      }
    }
  }

  static void waitForEndpoint(int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try (Scraper s = new Scraper(port)) {
        s.scrape();
        return;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("no endpoint on " + port);
  }

  static long rssKb(long pid) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (l.startsWith("VmRSS:")) {
        return Long.parseLong(l.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("no VmRSS");
  }

  /**
   * {@code threads JAR PORT [WARMUP_S] [MEASURE_S]}: where the CPU of one scrape a second goes, by
   * thread name of the JVM that carries procagent (the JIT's threads included, nothing recording
   * in it, unlike bench/jit.sh): the table's app and scraper, WARMUP_S scrapes a second apart,
   * then MEASURE_S more, each thread's CPU (schedstat) over those, per scrape. {@code
   * -Devery_ms=15000} scrapes at Prometheus's default interval instead (the warm-up and the
   * measure are then counts of those scrapes); {@code -Dconfig=FILE} gives procagent a config file.
   */
  static void threads(String[] args) throws Exception {
    int port = Integer.parseInt(args[2]);
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 60;
    int measure = args.length > 4 ? Integer.parseInt(args[4]) : 30;
    long every = Long.getLong("every_ms", 1000); // Prometheus's default: -Devery_ms=15000
    String config = System.getProperty("config"); // -Dconfig=FILE: the agent's config file
    String agent = "-javaagent:" + Path.of(args[1]).toAbsolutePath() + "=127.0.0.1:" + port
        + (config == null ? "" : ":" + Path.of(config).toAbsolutePath());
    Variant v = new Variant("procagent", List.of(agent), "plain", port);
    Process p = new ProcessBuilder(command(v, "target/test-classes", CHILDREN))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      System.out.println("app pid " + p.pid()); // for bench/profile.sh
      waitForEndpoint(port);
      Thread.sleep(10_000); // as the table's runs: start-up, first samples
      try (Scraper s = new Scraper(port)) {
        for (int i = 0; i < warmup; i++) {
          s.scrape();
          Thread.sleep(every);
        }
        System.out.printf("measuring scrapes %d-%d%n", warmup + 1, warmup + measure);
        System.out.flush();
        Map<String, Long> before = byName(threadNanos(p.pid()), p.pid());
        for (int i = 0; i < measure; i++) {
          s.scrape();
          Thread.sleep(every);
        }
        Map<String, Long> after = byName(threadNanos(p.pid()), p.pid());
        System.out.printf("CPU per scrape over scrapes %d-%d at one every %d ms, by thread (ms, schedstat):%n", warmup + 1, warmup + measure, every);
        double all = 0;
        List<Map.Entry<String, Double>> rows = new ArrayList<>();
        for (Map.Entry<String, Long> e : after.entrySet()) {
          double ms = (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 1e6 / measure;
          all += ms;
          rows.add(Map.entry(e.getKey(), ms));
        }
        rows.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        rows.stream().filter(r -> r.getValue() >= 0.03).forEach(r -> System.out.printf("  %7.3f %s%n", r.getValue(), r.getKey()));
        System.out.printf("  %7.3f all threads%n", all);
      }
    } finally {
      p.destroy(); // by its PID
      p.waitFor();
    }
  }

  /**
   * {@code windows JAR PORT [SCRAPES]}: the table's app and scraper at one scrape a second for
   * SCRAPES (120) scrapes, printing every ten scrapes the wall-clock time and the CPU per scrape
   * of procagent's and the JIT's threads (schedstat). Two of these started a little apart show
   * whether a costly stretch comes with the JVM's age (the same scrapes in both) or from the
   * machine (the same clock time in both).
   */
  static void windows(String[] args) throws Exception {
    int port = Integer.parseInt(args[2]);
    int scrapes = args.length > 3 ? Integer.parseInt(args[3]) : 120;
    Variant v = new Variant("procagent", List.of("-javaagent:" + Path.of(args[1]).toAbsolutePath() + "=127.0.0.1:" + port), "plain", port);
    Process p = new ProcessBuilder(command(v, "target/test-classes", CHILDREN))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      waitForEndpoint(port);
      Thread.sleep(10_000);
      try (Scraper s = new Scraper(port)) {
        Map<String, Long> before = byName(threadNanos(p.pid()), p.pid());
        for (int i = 1; i <= scrapes; i++) {
          s.scrape();
          Thread.sleep(1000);
          if (i % 10 == 0) {
            Map<String, Long> after = byName(threadNanos(p.pid()), p.pid());
            StringBuilder row = new StringBuilder(String.format("%s scrapes %3d-%3d:", java.time.LocalTime.now().withNano(0), i - 9, i));
            double sum = 0;
            for (Map.Entry<String, Long> e : after.entrySet()) {
              String name = e.getKey();
              if (name.startsWith("procagent") || name.startsWith("C1 ") || name.startsWith("C2 ")) {
                double ms = (e.getValue() - before.getOrDefault(name, 0L)) / 1e6 / 10;
                sum += ms;
                row.append(String.format(" %s %.2f", name.replace("procagent-", "").replace(" CompilerThre", ""), ms));
              }
            }
            System.out.println(row.append(String.format("  all %.2f", sum)));
            before = after;
          }
        }
      }
    } finally {
      p.destroy(); // by its PID
      p.waitFor();
    }
  }

  /**
   * {@code rss JAR PORT [JVM_ARG...]}: the table's run of one procagent JVM up to its RSS after
   * 10k scrapes (the same scrapes, pauses and idle spell), with the JVM's native memory tracking
   * ({@code -XX:NativeMemoryTracking=summary}): prints the RSS idle and after the scrapes, and
   * where the JVM's committed memory grew in between (jcmd VM.native_memory summary.diff).
   */
  static void rss(String[] args) throws Exception {
    int port = Integer.parseInt(args[2]);
    List<String> jvm = new ArrayList<>(List.of("-XX:NativeMemoryTracking=summary",
        "-javaagent:" + Path.of(args[1]).toAbsolutePath() + "=127.0.0.1:" + port));
    jvm.addAll(Arrays.asList(args).subList(3, args.length));
    Variant v = new Variant("procagent", jvm, "plain", port);
    Process p = new ProcessBuilder(command(v, "target/test-classes", CHILDREN))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String pid = Long.toString(p.pid());
    try {
      waitForEndpoint(port);
      Thread.sleep(10_000);
      System.out.printf("rss idle %.1f MB%n", rssKb(p.pid()) / 1024.0);
      System.out.println(jcmd(pid, "GC.heap_info"));
      jcmd(pid, "VM.native_memory", "baseline");
      try (Scraper s = new Scraper(port)) {
        for (int i = 0; i < 90; i++) {
          s.scrape();
          Thread.sleep(1000);
        }
      }
      Thread.sleep(30_000);
      try (Scraper s = new Scraper(port)) {
        for (int i = 90; i < TOTAL_SCRAPES; i++) {
          s.scrape();
        }
      }
      Thread.sleep(2000);
      System.out.printf("rss after %d scrapes %.1f MB%n", TOTAL_SCRAPES, rssKb(p.pid()) / 1024.0);
      System.out.println(jcmd(pid, "GC.heap_info"));
      System.out.println(jcmd(pid, "VM.native_memory", "summary.diff"));
    } finally {
      p.destroy(); // by its PID
      p.waitFor();
    }
  }

  static String jcmd(String pid, String... command) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), pid));
    cmd.addAll(List.of(command));
    Process j = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    j.waitFor();
    return out;
  }

  /** Thread CPU by thread id summed by thread name (threads of one pool together). */
  static Map<String, Long> byName(Map<String, Long> byTid, long pid) {
    Map<String, Long> out = new java.util.TreeMap<>();
    for (Map.Entry<String, Long> e : byTid.entrySet()) {
      try {
        String name = Files.readString(Path.of("/proc/" + pid + "/task/" + e.getKey() + "/comm")).strip();
        out.merge(name, e.getValue(), Long::sum);
      } catch (IOException gone) {
        // the thread ended meanwhile
      }
    }
    return out;
  }

  /** CPU ns of each live thread of {@code pid} (schedstat), by thread id. */
  static Map<String, Long> threadNanos(long pid) throws IOException {
    Map<String, Long> out = new LinkedHashMap<>();
    try (var tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : tasks) {
        try {
          String s = Files.readString(t.resolve("schedstat"));
          out.put(t.getFileName().toString(), Long.parseLong(s.substring(0, s.indexOf(' '))));
        } catch (IOException | RuntimeException gone) {
          // the thread ended while listed
        }
      }
    }
    return out;
  }

  /**
   * CPU ns used since {@code before} by threads alive now (new threads count from 0); a thread
   * that ended in between takes its share with it, which an idle JVM hardly has.
   */
  static double cpuNanosSince(long pid, Map<String, Long> before) throws IOException {
    return nanosBetween(before, threadNanos(pid));
  }

  /** CPU ns from {@code before} to {@code after} of the threads alive at {@code after}. */
  static double nanosBetween(Map<String, Long> before, Map<String, Long> after) {
    double sum = 0;
    for (Map.Entry<String, Long> e : after.entrySet()) {
      sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
    }
    return sum;
  }

  /** utime + stime of the process in ms. */
  static double cpuMs(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000.0 / CLK_TCK;
  }

  /** GET /metrics over one keep-alive HTTP/1.1 connection, the whole body read each time. */
  static final class Scraper implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    final byte[] request;
    final byte[] buf = new byte[1 << 16];
    int lastBody;

    Scraper(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(30_000);
      in = new java.io.BufferedInputStream(socket.getInputStream(), 1 << 16);
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
      boolean chunked = false;
      for (String h; !(h = line()).isEmpty(); ) {
        String lower = h.toLowerCase();
        if (lower.startsWith("content-length:")) {
          length = Integer.parseInt(h.substring(15).trim());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
      }
      int total = 0;
      if (chunked) {
        for (int n; (n = Integer.parseInt(line().split(";")[0].trim(), 16)) > 0; ) {
          skip(n);
          total += n;
          line();
        }
        line();
      } else {
        skip(length);
        total = length;
      }
      lastBody = total;
    }

    void skip(int n) throws IOException {
      while (n > 0) {
        int r = in.read(buf, 0, Math.min(n, buf.length));
        if (r < 0) {
          throw new IOException("connection closed");
        }
        n -= r;
      }
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

  static void print(List<Variant> variants, Map<String, Map<String, List<Double>>> results) {
    String[][] rows = {
      {"ready_ms", "added time to app ready (ms), " + STARTUPS + " start-ups", "added"},
      {"ready_run_ms", "added time to app ready (ms), in the long runs", "added"},
      {"rss_idle_mb", "added RSS idle (MB)", "added"},
      {"rss_10k_mb", "added RSS after 10k scrapes (MB)", "added"},
      {"p50_ms", "scrape p50, one keep-alive connection (ms)", ""},
      {"p99_ms", "scrape p99, one keep-alive connection (ms)", ""},
      {"cpu_ms_per_scrape_b2b", "CPU per scrape, back-to-back (ms)", ""},
      {"cpu_ms_per_scrape_1s", "CPU per scrape at 1/s after warm-up (ms)", ""},
      {"cpu_ms_per_scrape_1s_ns", "the same, by thread in ns (schedstat) (ms)", ""},
      {"threads_ended_1s", "threads that ended in that window (their CPU not in the ns figure)", ""},
      {"idle_cpu_ms_per_s", "added idle CPU (ms per s)", "added"},
      {"exit_ms", "added time to JVM exit (ms)", "added"},
      {"body_kb", "response body (KB)", ""},
    };
    StringBuilder out = new StringBuilder("| figure (median) |");
    StringBuilder sep = new StringBuilder("|---|");
    for (Variant v : variants.subList(1, variants.size())) {
      out.append(' ').append(v.name()).append(" |");
      sep.append("---|");
    }
    out.append('\n').append(sep).append('\n');
    for (String[] row : rows) {
      out.append("| ").append(row[1]).append(" |");
      // no scrapes without an agent: RSS after 10k scrapes is compared with the idle app
      String baseKey = row[0].equals("rss_10k_mb") ? "rss_idle_mb" : row[0];
      double base = row[2].isEmpty() ? 0 : median(results.get(variants.get(0).name()).get(baseKey));
      for (Variant v : variants.subList(1, variants.size())) {
        List<Double> xs = results.get(v.name()).get(row[0]);
        out.append(xs == null ? " — |" : String.format(" %s |", fmt(median(xs) - base)));
      }
      out.append('\n');
    }
    System.out.print(out);
    System.out.println();
    System.out.println("no agent, absolute: ready " + fmt(median(results.get("no agent").get("ready_ms"))) + " ms, RSS idle "
        + fmt(median(results.get("no agent").get("rss_idle_mb"))) + " MB, idle CPU "
        + fmt(median(results.get("no agent").get("idle_cpu_ms_per_s"))) + " ms/s, exit " + fmt(median(results.get("no agent").get("exit_ms"))) + " ms");
  }

  static String fmt(double x) {
    return Math.abs(x) >= 100 ? String.format("%.0f", x) : Math.abs(x) >= 10 ? String.format("%.1f", x) : String.format("%.2f", x);
  }

  static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }
}
