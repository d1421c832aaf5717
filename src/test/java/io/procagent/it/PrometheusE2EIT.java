package io.procagent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * End to end against a real Prometheus (Debian's package, installed by .ci/run): an app with
 * the agent launching failing children, a daemon watching a process, Prometheus scraping both
 * every second with prometheus/rules.yml loaded. Every dashboard query must answer with data,
 * the scrapes must lint clean, every target must be up, and the child-failure alert must fire.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusE2EIT {

  static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  static final Path PROMTOOL = Path.of("/usr/bin/promtool");
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static Path dir;
  static Jvm app;
  static Jvm daemon;
  static Process sleeper;
  /** The sleeper's cgroup with a CPU quota, or null where none can be made. */
  static Path cgroup;
  static Process prometheus;
  static int appPort;
  static int daemonPort;
  static int promPort;

  static void requireTools() {
    boolean present = Files.isExecutable(PROMETHEUS) && Files.isExecutable(PROMTOOL);
    if ("1".equals(System.getenv("PROCAGENT_REQUIRE_PROMETHEUS"))) {
      assertThat(present).as("prometheus and promtool (Debian package prometheus)").isTrue();
    }
    assumeTrue(present, "Debian's prometheus package is not installed (.ci/run installs it)");
  }

  @BeforeAll
  static void startEverything() throws Exception {
    requireTools();
    dir = Files.createTempDirectory("procagent-e2e");
    appPort = Jvm.freePort();
    daemonPort = Jvm.freePort();
    promPort = Jvm.freePort();
    Path config = dir.resolve("agent.yaml");
    Files.writeString(config, "sampling:\n  interval: 1s\n");
    app =
        Jvm.start(
            System.getProperty("java.home"), dir,
            List.of("-javaagent:" + Jvm.AGENT.toAbsolutePath() + "=127.0.0.1:" + appPort + ":" + config, "-cp",
                Jvm.TEST_CLASSES.toAbsolutePath().toString()),
            ChildrenApp.class.getName());
    ChildrenIT.awaitStdout(app, "app ready");
    OutputStream stdin = app.process.getOutputStream();
    ChildrenIT.send(stdin, "go");
    ChildrenIT.send(stdin, "churn");
    ChildrenIT.awaitStdout(app, "churning");

    Path exe = dir.resolve("pa-e2e-sleep");
    Files.copy(Path.of("/bin/sleep"), exe);
    Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
    // the daemon's target in a cgroup with a CPU quota, as a systemd service with CPUQuota=50%,
    // so that the dashboard's throttling query has its series
    cgroup = CgroupIT.quotaOfHalfACpu("procagent-e2e-" + ProcessHandle.current().pid()).orElse(null);
    sleeper = cgroup == null
        ? new ProcessBuilder(exe.toString(), "600").start()
        : new ProcessBuilder("/bin/sh", "-c", "echo $$ > " + cgroup.resolve("cgroup.procs") + " && exec " + exe + " 600").start();
    daemon =
        Jvm.start(
            System.getProperty("java.home"), dir, List.of("-jar", Jvm.AGENT.toAbsolutePath().toString()), "daemon",
            "--host", "127.0.0.1", "--port", Integer.toString(daemonPort), "--config", config.toString(),
            "--target", "e2e=comm:^pa-e2e-sleep$");

    Path promConfig = dir.resolve("prometheus.yml");
    Files.writeString(
        promConfig,
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            + "rule_files:\n  - " + Path.of("prometheus/rules.yml").toAbsolutePath() + "\n"
            + "scrape_configs:\n"
            + "  - job_name: procagent\n    static_configs:\n      - targets: ['127.0.0.1:" + appPort + "']\n"
            + "  - job_name: procagent-daemon\n    static_configs:\n      - targets: ['127.0.0.1:" + daemonPort + "']\n");
    prometheus =
        new ProcessBuilder(
                PROMETHEUS.toString(), "--config.file=" + promConfig, "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + promPort)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    Jvm.scrape("http://127.0.0.1:" + promPort + "/-/ready", Duration.ofSeconds(30));
    Thread.sleep(15_000); // a few scrapes and rule evaluations, so rates have data
  }

  @AfterAll
  static void stopEverything() throws Exception {
    for (Process p : new Process[] {prometheus, sleeper}) {
      if (p != null) {
        p.destroy();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (app != null) {
      app.close();
    }
    if (daemon != null) {
      daemon.close();
    }
    if (cgroup != null) {
      Files.deleteIfExists(cgroup); // empty once the sleeper is gone
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  static Map<String, Object> api(String path) throws Exception {
    HttpResponse<String> r =
        HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + promPort + path)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    @SuppressWarnings("unchecked")
    Map<String, Object> json = (Map<String, Object>) yaml().load(r.body());
    return json;
  }

  static Yaml yaml() {
    return new Yaml(new SafeConstructor(new LoaderOptions()));
  }

  @SuppressWarnings("unchecked")
  static List<Object> query(String promql) throws Exception {
    Map<String, Object> r = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    assertThat(r.get("status")).as(promql + " -> " + r).isEqualTo("success");
    return (List<Object>) ((Map<String, Object>) r.get("data")).get("result");
  }

  /** Every expression of every panel of grafana/procagent.json, variables substituted. */
  @SuppressWarnings("unchecked")
  static List<String[]> dashboardQueries() throws Exception {
    Map<String, Object> dash = (Map<String, Object>) yaml().load(Files.readString(Path.of("grafana/procagent.json")));
    List<String[]> out = new ArrayList<>();
    for (Object o : (List<Object>) dash.get("panels")) {
      Map<String, Object> panel = (Map<String, Object>) o;
      for (Object t : (List<Object>) panel.getOrDefault("targets", List.of())) {
        String expr = (String) ((Map<String, Object>) t).get("expr");
        out.add(new String[] {(String) panel.get("title"),
            expr.replace("$job", ".+").replace("$instance", ".+").replace("$target", ".*").replace("$__rate_interval", "1m")});
      }
    }
    return out;
  }

  @Test
  @Order(1)
  void everyTargetIsUp() throws Exception {
    List<Object> up = query("up");
    assertThat(up).hasSize(2);
    assertThat(up.toString()).contains("127.0.0.1:" + appPort).contains("127.0.0.1:" + daemonPort).doesNotContain("\"0\"");
    assertThat(query("up == 1")).hasSize(2);
  }

  @Test
  @Order(2)
  void everyDashboardQueryHasData() throws Exception {
    List<String[]> queries = dashboardQueries();
    assertThat(queries).hasSizeGreaterThan(40);
    Map<String, String> empty = new LinkedHashMap<>();
    for (String[] q : queries) {
      if (cgroup == null && q[1].contains("process_cgroup_")) {
        System.err.println("PrometheusE2EIT: no cgroup with a CPU quota could be made here; not asked: " + q[1]);
        continue;
      }
      if (query(q[1]).isEmpty()) {
        empty.put(q[0], q[1]);
      }
    }
    assertThat(empty).as("panels whose query returned nothing").isEmpty();
    for (String variable : List.of("job", "instance")) {
      Map<String, Object> values = api("/api/v1/label/" + variable + "/values?match[]=procagent_build_info");
      assertThat(values.get("data").toString()).as(variable).isNotEqualTo("[]");
    }
    assertThat(api("/api/v1/label/target/values?match[]=procagent_target_up").get("data").toString()).contains("e2e");
  }

  @Test
  @Order(3)
  void scrapesLintClean() throws Exception {
    for (int port : new int[] {appPort, daemonPort}) {
      String scrape = Jvm.scrape("http://127.0.0.1:" + port + "/metrics", Duration.ofSeconds(10));
      Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
      p.getOutputStream().write(scrape.getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(out).as("promtool check metrics on :" + port).isEmpty();
      assertThat(p.exitValue()).isZero();
    }
  }

  @Test
  @Order(4)
  @SuppressWarnings("unchecked")
  void failingChildrenRaiseTheAlert() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String state = null;
    while (System.nanoTime() < deadline && state == null) {
      Map<String, Object> data = (Map<String, Object>) api("/api/v1/alerts").get("data");
      for (Object a : (List<Object>) data.get("alerts")) {
        Map<String, Object> alert = (Map<String, Object>) a;
        Map<String, Object> labels = (Map<String, Object>) alert.get("labels");
        if ("ChildProcessesFailing".equals(labels.get("alertname")) && "sh".equals(labels.get("command"))) {
          state = (String) alert.get("state");
        }
      }
      Thread.sleep(500);
    }
    assertThat(state).as("ChildProcessesFailing for command sh").isIn("pending", "firing");
  }

  @Test
  @Order(5)
  void promtoolChecksRulesAndConfig() throws Exception {
    for (List<String> cmd :
        List.of(
            List.of(PROMTOOL.toString(), "check", "rules", "prometheus/rules.yml"),
            List.of(PROMTOOL.toString(), "test", "rules", "prometheus/rules.test.yml"),
            List.of(PROMTOOL.toString(), "check", "config", "--syntax-only", "prometheus/prometheus.yml"))) {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + out).isZero();
      assertThat(out).contains("SUCCESS").doesNotContain("FAILED");
    }
  }
}
