package io.procagent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A child JVM started for a test; its output goes to files; closed by PID in {@code close}. */
final class Jvm implements AutoCloseable {

  static final Path AGENT = Path.of(System.getProperty("procagent.jar", "target/procagent.jar"));
  static final Path TEST_CLASSES =
      Path.of(System.getProperty("procagent.testClasses", "target/test-classes"));
  static final Path TEMURIN_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final Process process;
  final Path out;
  final Path err;

  private Jvm(Process process, Path out, Path err) {
    this.process = process;
    this.out = out;
    this.err = err;
  }

  /**
   * The JDKs every integration test runs on: the build's own (17) and Temurin 25. A machine
   * without Temurin 25 skips those cases, unless {@code PROCAGENT_REQUIRE_JDK25=1} (set by
   * .ci/run) makes its absence a failure.
   */
  static Stream<String> javaHomes() {
    List<String> homes = new ArrayList<>();
    homes.add(System.getProperty("java.home"));
    if (Files.isExecutable(TEMURIN_25.resolve("bin/java"))
        || "1".equals(System.getenv("PROCAGENT_REQUIRE_JDK25"))) {
      homes.add(TEMURIN_25.toString());
    }
    return homes.stream();
  }

  static Jvm start(String javaHome, Path workDir, List<String> jvmArgs, String mainClass, String... args)
      throws IOException {
    assertThat(Path.of(javaHome, "bin", "java")).as("JDK at " + javaHome).exists();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(javaHome, "bin", "java").toString());
    cmd.add("-Xshare:auto");
    cmd.addAll(jvmArgs);
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(workDir, "stdout", ".txt");
    Path err = Files.createTempFile(workDir, "stderr", ".txt");
    ProcessBuilder pb =
        new ProcessBuilder(cmd).directory(workDir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
    return new Jvm(pb.start(), out, err);
  }

  static Jvm app(String javaHome, Path workDir, String agentArgs, long millis, String... extraJvmArgs)
      throws IOException {
    List<String> jvm = new ArrayList<>(List.of(extraJvmArgs));
    if (agentArgs != null) {
      jvm.add(0, "-javaagent:" + AGENT.toAbsolutePath() + (agentArgs.isEmpty() ? "" : "=" + agentArgs));
    }
    jvm.add("-cp");
    jvm.add(TEST_CLASSES.toAbsolutePath().toString());
    return start(javaHome, workDir, jvm, SleepApp.class.getName(), Long.toString(millis));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  long pid() {
    return process.pid();
  }

  String stdout() throws IOException {
    return Files.readString(out);
  }

  String stderr() throws IOException {
    return Files.readString(err);
  }

  /** Lines of stderr that procagent wrote. */
  List<String> agentLines() throws IOException {
    return stderr().lines().filter(l -> l.contains("procagent")).toList();
  }

  /** Waits for the JVM to exit by itself; returns its exit code. */
  int waitFor(Duration max) throws Exception {
    assertThat(process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS))
        .as("JVM exited within " + max + "; stderr: " + stderr())
        .isTrue();
    return process.exitValue();
  }

  /** GETs a URL until it answers 200 or the deadline passes. */
  static String scrape(String url, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r =
            HTTP.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return r.body();
        }
        last = new IOException("status " + r.statusCode());
      } catch (IOException e) {
        last = e;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no answer from " + url + " within " + max, last);
  }

  /** The value of the first sample line starting with {@code series + " "}. */
  static double value(String scrape, String series) {
    return scrape
        .lines()
        .filter(l -> l.startsWith(series + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no sample " + series + " in scrape"));
  }

  /**
   * Stops the JVM, then the children it started that are still alive (by their pids, taken
   * before it went: a JVM ends without its children, which would live on as orphans).
   */
  @Override
  public void close() {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    children.forEach(ProcessHandle::destroyForcibly); // a handle checks its process's start time, so a reused pid is safe
  }
}
