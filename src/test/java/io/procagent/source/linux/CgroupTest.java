package io.procagent.source.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.procagent.source.CgroupCpu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a process's CPU cgroup is, and its limit, in the layouts hosts and containers have. */
class CgroupTest {

  @TempDir Path proc;

  /** Process 7's root file system, as seen through {@code /proc/7/root}. */
  private Path root;

  @org.junit.jupiter.api.BeforeEach
  void root() throws IOException {
    root = Files.createDirectories(proc.resolve("7/root"));
  }

  /** Process 7 with these /proc files. */
  private Cgroup process(String cgroup, String mountinfo) throws IOException {
    Files.writeString(proc.resolve("7/cgroup"), cgroup);
    Files.writeString(proc.resolve("7/mountinfo"), mountinfo);
    return Cgroup.of(proc.resolve("7"));
  }

  private void file(String path, String text) throws IOException {
    Path f = root.resolve(path);
    Files.createDirectories(f.getParent());
    Files.writeString(f, text);
  }

  @Test
  void cgroupV1OnAHybridHost() throws IOException {
    String mounts = "25 1 0:22 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw\n"
        + "30 25 0:26 / /sys/fs/cgroup/cpu rw,relatime shared:9 - cgroup cgroup rw,cpu\n"
        + "31 25 0:27 / /sys/fs/cgroup/cpuacct rw,relatime shared:10 - cgroup cgroup rw,cpuacct\n"
        + "35 25 0:30 / /sys/fs/cgroup/unified rw,relatime shared:11 - cgroup2 cgroup2 rw\n";
    String cgroups = "5:cpuacct:/batch\n4:cpu:/batch/job-1\n1:name=systemd:/\n0::/batch\n";
    file("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "-1\n");
    file("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
    file("sys/fs/cgroup/cpu/batch/job-1/cpu.cfs_quota_us", "50000\n");
    file("sys/fs/cgroup/cpu/batch/job-1/cpu.cfs_period_us", "100000\n");
    file("sys/fs/cgroup/cpu/batch/job-1/cpu.stat", "nr_periods 120\nnr_throttled 45\nthrottled_time 2250000400\n");
    Cgroup c = process(cgroups, mounts);
    assertThat(c.dir()).isEqualTo(root.resolve("sys/fs/cgroup/cpu/batch/job-1"));
    assertThat(c.limitCores()).isEqualTo(0.5);
    assertThat(c.read(0.5)).isEqualTo(new CgroupCpu(0.5, 120, 45, 2.25));
  }

  /**
   * Kubernetes on cgroup v1 (no cgroup namespace): the path names the container's cgroup from
   * the host's root, the mount shows that cgroup itself. OSHI's reader looks under the path.
   */
  @Test
  void cgroupV1InAContainerWithoutANamespace() throws IOException {
    String path = "/kubepods/burstable/pod1f/3ac9";
    String mounts = "1301 1296 0:29 " + path + " /sys/fs/cgroup/cpu,cpuacct ro,nosuid master:12 - cgroup cgroup rw,cpu,cpuacct\n";
    file("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "150000\n");
    file("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
    Cgroup c = process("11:cpu,cpuacct:" + path + "\n", mounts);
    assertThat(c.dir()).isEqualTo(root.resolve("sys/fs/cgroup/cpu,cpuacct"));
    assertThat(c.limitCores()).isEqualTo(1.5);
    assertThat(c.read(1.5)).isEqualTo(new CgroupCpu(1.5, -1, -1, Double.NaN)); // no cpu.stat: unknown
  }

  @Test
  void cgroupV2TakesTheLowestLimitOfTheCgroupAndItsParents() throws IOException {
    String mounts = "29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";
    file("sys/fs/cgroup/cpu.max", "max 100000\n"); // not read: the mount is the top
    file("sys/fs/cgroup/app.slice/cpu.max", "100000 100000\n");
    file("sys/fs/cgroup/app.slice/web.service/cpu.max", "max 100000\n");
    file("sys/fs/cgroup/app.slice/web.service/cpu.stat",
        "usage_usec 901\nuser_usec 800\nsystem_usec 101\nnr_periods 10\nnr_throttled 3\nthrottled_usec 150000\nnr_bursts 0\nburst_usec 0\n");
    Cgroup c = process("0::/app.slice/web.service\n", mounts);
    assertThat(c.limitCores()).isEqualTo(1.0);
    assertThat(c.read(1.0)).isEqualTo(new CgroupCpu(1.0, 10, 3, 0.15));
  }

  @Test
  void cgroupV2InANamespaceWithoutALimit() throws IOException {
    file("sys/fs/cgroup/cpu.max", "max 100000\n");
    Cgroup c = process("0::/\n", "1230 1225 0:31 / /sys/fs/cgroup ro,nosuid - cgroup2 cgroup rw\n");
    assertThat(c.dir()).isEqualTo(root.resolve("sys/fs/cgroup"));
    assertThat(c.limitCores()).isNaN();
  }

  @Test
  void noCpuControllerOrNothingToReadIsNoCgroup() throws IOException {
    assertThat(process("1:name=systemd:/\n", "30 25 0:26 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n"))
        .isNull();
    assertThat(Cgroup.of(proc.resolve("99"))).isNull(); // a process that is gone
  }

  @Test
  void mountPointsWithSpacesAreUnescaped() throws IOException {
    file("cg roups/cpu/cpu.cfs_quota_us", "25000\n");
    file("cg roups/cpu/cpu.cfs_period_us", "100000\n");
    Cgroup c = process("3:cpu:/\n", "30 25 0:26 / /cg\\040roups/cpu rw shared:9 master:2 - cgroup cgroup rw,cpu\n");
    assertThat(c.limitCores()).isEqualTo(0.25);
    assertThat(Cgroup.unescape("a\\134b\\011c\\9")).isEqualTo("a\\b\tc\\9");
  }
}
