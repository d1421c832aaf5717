package io.procagent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shape of procagent.jar and the command line a newcomer runs first. */
class PackagingIT {

  @TempDir java.nio.file.Path dir;

  @Test
  void onlyTheJava8BootstrapIsVisibleToTheApplication() throws Exception {
    try (JarFile jar = new JarFile(Jvm.AGENT.toFile())) {
      List<String> root = new ArrayList<>();
      List<String> lib = new ArrayList<>();
      for (JarEntry e : java.util.Collections.list(jar.entries())) {
        String n = e.getName();
        if (n.startsWith("inst/lib/")) {
          lib.add(n);
        } else if (!n.startsWith("META-INF/") && !n.startsWith("inst/") && !e.isDirectory()) {
          root.add(n);
        }
      }
      assertThat(root).isNotEmpty().allMatch(n -> n.startsWith("io/procagent/bootstrap/"));
      assertThat(jar.getEntry("inst/core.jar")).isNotNull();
      assertThat(lib)
          .anyMatch(n -> n.contains("prometheus-metrics-core-1.5.0"))
          .anyMatch(n -> n.contains("oshi-core-7.5.0"))
          .anyMatch(n -> n.contains("snakeyaml"));
      Attributes m = jar.getManifest().getMainAttributes();
      assertThat(m.getValue("Premain-Class")).isEqualTo("io.procagent.bootstrap.Bootstrap");
      assertThat(m.getValue("Agent-Class")).isEqualTo("io.procagent.bootstrap.Bootstrap");
      assertThat(m.getValue("Main-Class")).isEqualTo("io.procagent.bootstrap.Bootstrap");
      assertThat(m.getValue("Class-Path")).isNull();
      for (String cls : root) {
        try (InputStream in = jar.getInputStream(jar.getEntry(cls))) {
          DataInputStream data = new DataInputStream(in);
          assertThat(data.readInt()).isEqualTo(0xCAFEBABE);
          data.readUnsignedShort();
          if (cls.equals("io/procagent/bootstrap/JarLoader.class")) { // built once the version is checked
            assertThat(data.readUnsignedShort()).as(cls + " is Java 17 bytecode").isEqualTo(61);
          } else {
            assertThat(data.readUnsignedShort()).as(cls + " is Java 8 bytecode").isEqualTo(52);
          }
        }
      }
    }
  }

  /**
   * An agent with the default configuration, started and scraped, opens only the jars its
   * start-up needs (the bootstrap puts them first): a class looked up in a later jar, or a
   * resource looked for everywhere, would open every jar before it (their central directories
   * read into the host's heap), and shows up here.
   */
  @Test
  void aDefaultAgentOpensOnlyItsStartUpJars() throws Exception {
    int port = Jvm.freePort();
    try (Jvm app = Jvm.app(System.getProperty("java.home"), dir, "127.0.0.1:" + port, 60_000)) {
      Jvm.scrape("http://127.0.0.1:" + port + "/metrics", Duration.ofSeconds(30));
      Thread.sleep(500);
      List<String> open = new ArrayList<>();
      try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc", Long.toString(app.process.pid()), "fd"))) {
        for (java.nio.file.Path fd : fds.toList()) {
          try {
            String target = java.nio.file.Files.readSymbolicLink(fd).toString();
            if (target.contains("/procagent-") && target.endsWith(".jar")) {
              open.add(target.substring(target.lastIndexOf('/') + 1).replaceAll("-[0-9][0-9.]*\\.jar$", ""));
            }
          } catch (java.nio.file.NoSuchFileException gone) {
            // closed meanwhile
          }
        }
      }
      assertThat(open)
          .containsExactlyInAnyOrder(
              "core.jar", "prometheus-metrics-model", "prometheus-metrics-exposition-textformats",
              "prometheus-metrics-config", "prometheus-metrics-exporter-common", "asm", "asm-commons");
      // and those jars hold their classes stored: read without an inflater and its buffer
      int checked = 0;
      try (JarFile agent = new JarFile(Jvm.AGENT.toFile())) {
        for (JarEntry inner : java.util.Collections.list(agent.entries())) {
          String name = inner.getName();
          if (!name.startsWith("inst/") || !open.contains(name.substring(name.lastIndexOf('/') + 1).replaceAll("-[0-9][0-9.]*\\.jar$", ""))) {
            continue;
          }
          int classes = 0;
          try (ZipInputStream z = new ZipInputStream(agent.getInputStream(inner))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
              if (e.getName().endsWith(".class")) {
                assertThat(e.getMethod()).as(e.getName() + " in " + name + " is stored").isEqualTo(ZipEntry.STORED);
                classes++;
              }
            }
          }
          assertThat(classes).as(name).isPositive();
          checked++;
        }
      }
      assertThat(checked).isEqualTo(open.size());
    }
  }

  @Test
  void daemonServesWithEmbeddedDefaultsAndBadCommandsExitNonZero() throws Exception {
    String java = System.getProperty("java.home");
    int port = Jvm.freePort();
    String jar = Jvm.AGENT.toAbsolutePath().toString();
    try (Jvm daemon =
        Jvm.start(java, dir, List.of("-jar", jar), "daemon", "--host", "127.0.0.1", "--port", Integer.toString(port))) {
      String scrape = Jvm.scrape("http://127.0.0.1:" + port + "/metrics", Duration.ofSeconds(30));
      assertThat(scrape).contains("pid=\"" + daemon.process.pid() + "\"").contains("system_cpu_time_seconds_total{cpu=\"0\"");
    }
    try (Jvm bad = Jvm.start(java, dir, List.of("-jar", jar), "frobnicate")) {
      assertThat(bad.waitFor(Duration.ofSeconds(30))).isEqualTo(2);
      assertThat(bad.stderr()).isEqualTo("procagent: unknown command 'frobnicate' (try: procagent help)\n");
    }
    try (Jvm bad = Jvm.start(java, dir, List.of("-jar", jar), "daemon", "--port", "http")) {
      assertThat(bad.waitFor(Duration.ofSeconds(30))).isEqualTo(2);
      assertThat(bad.stderr()).contains("port 'http' is not a port number").hasLineCount(1);
    }
    try (Jvm v = Jvm.start(java, dir, List.of("-jar", jar), "version")) {
      assertThat(v.waitFor(Duration.ofSeconds(30))).isZero();
      assertThat(v.stdout()).startsWith("procagent ");
    }
  }
}
