package io.procagent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM in a cgroup with a CPU quota of half a CPU, as in a container with {@code cpus: 0.5}: the
 * JVM itself counts one CPU, procagent the quota. Needs root and a cgroup file system with the
 * CPU controller (v1 or v2), which this machine has; skipped elsewhere.
 */
class CgroupIT {

  @TempDir Path dir;

  @Test
  void aFractionalQuotaIsTheCpusAvailableAndItsThrottlingIsCounted() throws Exception {
    Path cgroup = quotaOfHalfACpu("procagent-it-" + ProcessHandle.current().pid())
        .orElseThrow(() -> new org.opentest4j.TestAbortedException("no writable cgroup file system with the CPU controller"));
    try {
      // a "java" that moves itself into the cgroup, then is the real one (same pid)
      Path home = Files.createDirectories(dir.resolve("jdk/bin")).getParent();
      Path launcher = home.resolve("bin/java");
      Files.writeString(launcher, "#!/bin/sh\necho $$ > " + cgroup.resolve("cgroup.procs") + " && exec "
          + Path.of(System.getProperty("java.home"), "bin", "java") + " \"$@\"\n");
      Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
      int port = Jvm.freePort();
      try (Jvm app = Jvm.start(home.toString(), dir, List.of(
          "-javaagent:" + Jvm.AGENT.toAbsolutePath() + "=127.0.0.1:" + port, "-cp", Jvm.TEST_CLASSES.toAbsolutePath().toString()),
          Burn.class.getName(), "60000")) {
        String url = "http://127.0.0.1:" + port + "/metrics";
        Jvm.scrape(url, Duration.ofSeconds(30));
        Thread.sleep(12_000); // two sampling rounds of busy work
        String scrape = Jvm.scrape(url, Duration.ofSeconds(10));
        assertThat(Jvm.value(scrape, "process_cgroup_cpu_limit_cores")).isEqualTo(0.5);
        assertThat(Jvm.value(scrape, "process_cpus_available")).as("the quota, not the JVM's 1").isEqualTo(0.5);
        assertThat(Jvm.value(scrape, "process_cgroup_cpu_throttled_periods_total")).isPositive();
        assertThat(Jvm.value(scrape, "process_cgroup_cpu_throttled_seconds_total")).isPositive();
        assertThat(Jvm.value(scrape, "process_cgroup_cpu_periods_total"))
            .isGreaterThanOrEqualTo(Jvm.value(scrape, "process_cgroup_cpu_throttled_periods_total"));
        // busy all the time it may run: near 1 of its half CPU (it was 0.5 of the one the JVM counts)
        assertThat(Jvm.value(scrape, "process_cpu_utilization_ratio")).as(scrape).isGreaterThan(0.75);
        assertThat(app.agentLines()).singleElement().asString().contains("serving"); // no warning
        java.util.Set<String> cgroupSeries = new java.util.TreeSet<>();
        scrape.lines().filter(l -> l.startsWith("process_cgroup_")).forEach(l -> cgroupSeries.add(l.split("[ {]")[0]));
        assertThat(cgroupSeries).hasSize(4);
        assertThat(AgentIT.documentedMetrics()).as("documented in the README").containsAll(cgroupSeries);
      }
    } finally {
      Files.deleteIfExists(cgroup); // empty again once the JVM is gone
    }
  }

  /**
   * A new cgroup {@code name} limited to 50 ms of CPU every 100 ms, on cgroup v1 or v2; empty
   * where none can be made (not root, a read-only cgroup file system in a container).
   */
  static java.util.Optional<Path> quotaOfHalfACpu(String name) {
    Path v1 = Path.of("/sys/fs/cgroup/cpu");
    Path v2 = Path.of("/sys/fs/cgroup");
    try {
      if (Files.isWritable(v1.resolve("cpu.cfs_quota_us"))) {
        Path c = Files.createDirectories(v1.resolve(name));
        Files.writeString(c.resolve("cpu.cfs_period_us"), "100000");
        Files.writeString(c.resolve("cpu.cfs_quota_us"), "50000");
        return java.util.Optional.of(c);
      }
      if (Files.exists(v2.resolve("cgroup.controllers"))
          && Files.readString(v2.resolve("cgroup.controllers")).contains("cpu")) {
        Files.writeString(v2.resolve("cgroup.subtree_control"), "+cpu");
        Path c = Files.createDirectories(v2.resolve(name));
        Files.writeString(c.resolve("cpu.max"), "50000 100000");
        return java.util.Optional.of(c);
      }
    } catch (IOException e) {
      // below
    }
    return java.util.Optional.empty();
  }
}
