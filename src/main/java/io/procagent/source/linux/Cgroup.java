package io.procagent.source.linux;

import io.procagent.source.CgroupCpu;
import io.procagent.source.ProcessSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU controller's cgroup of one process, cgroup v1 or v2, as the kernel shows it: its CPU
 * limit (the CFS quota over its period, the lowest of the cgroup and its parents up to the
 * mount) and how often it was throttled ({@code cpu.stat}).
 *
 * <p>The directory is found as the JDK finds its own container limits: the process's path in
 * {@code /proc/PID/cgroup}, made relative to the root of the matching mount in {@code
 * /proc/PID/mountinfo} (in a container without a cgroup namespace, on cgroup v1, the path names
 * the container's cgroup while the mount shows only that cgroup), under that mount's point, seen
 * through {@code /proc/PID/root} (for a daemon's target in another mount namespace). OSHI's
 * {@code CgroupInfo} skips the mount's root, so it finds no limit in such a container, and has
 * no throttling counts; the JDK's own reader is internal.
 */
public final class Cgroup {

  private final Path dir;
  private final Path mount;
  private final boolean v2;

  private final String statPath;
  /** cpu.stat as last read (grown by {@link ProcessTable#readWhole} if it does not fit). */
  private final byte[][] statBytes = {new byte[512]};

  private Cgroup(Path dir, Path mount, boolean v2) {
    this.dir = dir;
    this.mount = mount;
    this.v2 = v2;
    this.statPath = dir.resolve("cpu.stat").toString();
  }

  /**
   * The cgroup of a process's CPU controller, or null when there is none to read (no cgroup
   * file system, no CPU controller, another user's process).
   *
   * @param base the process's directory in procfs, {@code /proc/PID}
   */
  public static Cgroup of(Path base) {
    try {
      String cgroups = Files.readString(base.resolve("cgroup"), StandardCharsets.UTF_8);
      String mounts = Files.readString(base.resolve("mountinfo"), StandardCharsets.UTF_8);
      return find(cgroups, mounts, base.resolve("root"));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * From the texts of {@code /proc/PID/cgroup} and {@code /proc/PID/mountinfo}; v1's CPU
   * controller first (on a hybrid host, v2's hierarchy then has no controllers).
   */
  static Cgroup find(String cgroups, String mounts, Path root) {
    String v1Path = null;
    String v2Path = null;
    for (String line : cgroups.split("\n")) {
      int first = line.indexOf(':');
      int second = first < 0 ? -1 : line.indexOf(':', first + 1);
      if (second < 0) {
        continue;
      }
      String controllers = line.substring(first + 1, second);
      String path = line.substring(second + 1);
      if (line.startsWith("0::")) {
        v2Path = path;
      } else if (hasItem(controllers, "cpu")) {
        v1Path = path;
      }
    }
    String[] v1Mount = null;
    String[] v2Mount = null;
    for (String line : mounts.split("\n")) {
      String[] f = line.split(" ");
      int dash = indexOf(f, "-");
      if (dash < 5 || dash + 3 >= f.length) {
        continue;
      }
      String type = f[dash + 1];
      if (type.equals("cgroup") && hasItem(f[dash + 3], "cpu") && v1Mount == null) {
        v1Mount = new String[] {unescape(f[3]), unescape(f[4])};
      } else if (type.equals("cgroup2") && v2Mount == null) {
        v2Mount = new String[] {unescape(f[3]), unescape(f[4])};
      }
    }
    if (v1Path != null && v1Mount != null) {
      return at(root, v1Mount, v1Path, false);
    }
    if (v2Path != null && v2Mount != null) {
      return at(root, v2Mount, v2Path, true);
    }
    return null;
  }

  private static Cgroup at(Path root, String[] mount, String path, boolean v2) {
    String mountRoot = mount[0];
    String relative;
    if (mountRoot.equals("/")) {
      relative = path;
    } else if (path.startsWith(mountRoot + "/")) {
      relative = path.substring(mountRoot.length());
    } else {
      relative = "/"; // the mount shows the process's own cgroup (a container without a namespace)
    }
    Path point = root.resolve(mount[1].substring(1));
    Path dir = relative.equals("/") ? point : point.resolve(relative.substring(1));
    return new Cgroup(dir.normalize(), point.normalize(), v2);
  }

  private static int indexOf(String[] fields, String value) {
    for (int i = 6; i < fields.length; i++) {
      if (fields[i].equals(value)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean hasItem(String commaList, String item) {
    for (String s : commaList.split(",")) {
      if (s.equals(item)) {
        return true;
      }
    }
    return false;
  }

  /** mountinfo writes a space, tab, newline and backslash in a path as octal escapes. */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && isOctal(s, i + 1)) {
        sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static boolean isOctal(String s, int from) {
    for (int i = from; i < from + 3; i++) {
      if (i >= s.length() || s.charAt(i) < '0' || s.charAt(i) > '7') {
        return false;
      }
    }
    return true;
  }

  /** The cgroup's directory as read from here. */
  Path dir() {
    return dir;
  }

  /**
   * CPUs the cgroup may use: quota over period, the lowest of the cgroup and its parents up to
   * the mount; NaN when none has a quota.
   */
  public double limitCores() {
    double limit = Double.NaN;
    for (Path d = dir; d != null && d.startsWith(mount); d = d.getParent()) {
      double cores = v2 ? coresV2(d) : coresV1(d);
      if (cores > 0 && !(cores >= limit)) {
        limit = cores;
      }
    }
    return limit;
  }

  private static double coresV1(Path d) {
    long quota = number(d.resolve("cpu.cfs_quota_us"));
    long period = number(d.resolve("cpu.cfs_period_us"));
    return quota > 0 && period > 0 ? (double) quota / period : Double.NaN;
  }

  private static double coresV2(Path d) {
    try {
      String[] max = Files.readString(d.resolve("cpu.max"), StandardCharsets.US_ASCII).trim().split(" ");
      if (max.length == 2 && !max[0].equals("max")) {
        long quota = Long.parseLong(max[0]);
        long period = Long.parseLong(max[1]);
        return quota > 0 && period > 0 ? (double) quota / period : Double.NaN;
      }
    } catch (IOException | RuntimeException e) {
      // no file (no CPU controller there) or not two numbers: no limit at this level
    }
    return Double.NaN;
  }

  private static long number(Path file) {
    try {
      return Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
    } catch (IOException | RuntimeException e) {
      return ProcessSnapshot.UNKNOWN;
    }
  }

  private static final byte[] NR_PERIODS = ProcParsers.ascii("nr_periods ");
  private static final byte[] NR_THROTTLED = ProcParsers.ascii("nr_throttled ");
  private static final byte[] THROTTLED_TIME = ProcParsers.ascii("throttled_time "); // v1: nanoseconds
  private static final byte[] THROTTLED_USEC = ProcParsers.ascii("throttled_usec "); // v2: microseconds

  /**
   * The CPU limit with the cgroup's throttling counts from its {@code cpu.stat}: CFS periods
   * that had runnable tasks, those in which the quota ran out, and the time its tasks waited
   * for the next period. Read at every scrape under a quota: into a kept buffer, parsed from
   * bytes, as the process's own files are. The caller holds its source's lock.
   */
  public CgroupCpu read(double limitCores) {
    int len = ProcessTable.readWhole(statPath, statBytes);
    if (len < 0) {
      return new CgroupCpu(limitCores, ProcessSnapshot.UNKNOWN, ProcessSnapshot.UNKNOWN, Double.NaN);
    }
    byte[] b = statBytes[0];
    long nanos = ProcParsers.lastValueOf(b, len, THROTTLED_TIME);
    long micros = nanos >= 0 ? Math.round(nanos / 1e3) : ProcParsers.lastValueOf(b, len, THROTTLED_USEC);
    return new CgroupCpu(
        limitCores,
        ProcParsers.lastValueOf(b, len, NR_PERIODS),
        ProcParsers.lastValueOf(b, len, NR_THROTTLED),
        micros >= 0 ? micros / 1e6 : Double.NaN); // kept to the microsecond, as every duration
  }
}
