package io.procagent.source.linux;

import io.procagent.source.SystemIdentity;
import io.procagent.source.SystemSnapshot;
import io.procagent.source.SystemSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.IntSupplier;

/** Reads host CPU from {@code /proc/stat} and {@code /proc/loadavg}, identity from {@code /proc/sys/kernel}. */
public final class LinuxSystemSource implements SystemSource {

  private final Path proc;
  private final IntSupplier physicalCpus;
  private volatile SystemIdentity identity;
  // kept buffers: /proc/stat grows with CPUs and interrupts (grown on demand), loadavg does not
  private final byte[][] stat = {new byte[4096]};
  private final byte[][] loadavg = {new byte[128]};
  /** Kept open (see {@link KeptFile}): read at every round and scrape. */
  private final KeptFile statFile;
  private final KeptFile loadavgFile;

  public LinuxSystemSource(Path proc) {
    this(proc, () -> physicalCores(proc, Path.of("/sys/devices/system/cpu")));
  }

  /**
   * @param proc the procfs mount
   * @param physicalCpus counts physical cores
   */
  public LinuxSystemSource(Path proc, IntSupplier physicalCpus) {
    this.proc = proc;
    this.statFile = new KeptFile(proc.resolve("stat").toString());
    this.loadavgFile = new KeptFile(proc.resolve("loadavg").toString());
    this.physicalCpus = physicalCpus;
  }

  /** Two small reads of kept files into kept buffers, parsed as bytes (every sampling round runs this). */
  @Override
  public synchronized SystemSnapshot read() throws IOException {
    long now = System.nanoTime();
    int len = statFile.read(this.stat);
    ProcParsers.HostStat stat = ProcParsers.parseProcStat(this.stat[0], len);
    try {
      len = loadavgFile.read(loadavg);
    } catch (IOException e) {
      len = 0; // unreadable: NaN
    }
    double[] load = ProcParsers.parseLoadavg(loadavg[0], len);
    return new SystemSnapshot(
        stat.cpus(),
        load[0],
        load[1],
        load[2],
        stat.ctxt(),
        stat.processes(),
        stat.intr(),
        stat.softirq(),
        stat.procsRunning(),
        stat.procsBlocked(),
        stat.btime() < 0 ? Double.NaN : stat.btime(),
        now);
  }

  @Override
  public SystemIdentity identity() throws IOException {
    SystemIdentity id = identity;
    if (id == null) {
      Path kernel = proc.resolve("sys").resolve("kernel");
      int logical = read().cpus().size();
      id =
          new SystemIdentity(
              firstLine(kernel.resolve("hostname")),
              orDefault(firstLine(kernel.resolve("ostype")), "Linux"),
              firstLine(kernel.resolve("osrelease")),
              unameMachine(System.getProperty("os.arch", "")),
              logical,
              physicalCpus.getAsInt());
      identity = id;
    }
    return id;
  }

  /** Maps the JVM's {@code os.arch} to what {@code uname -m} prints. */
  static String unameMachine(String javaArch) {
    return switch (javaArch.toLowerCase(Locale.ROOT)) {
      case "amd64", "x86_64" -> "x86_64";
      case "x86", "i386", "i686" -> "i686";
      case "arm64", "aarch64" -> "aarch64";
      default -> javaArch;
    };
  }

  private static String orDefault(String v, String d) {
    return v.isEmpty() ? d : v;
  }

  private static String firstLine(Path file) {
    try {
      String s = LinuxProcessSource.readText(file);
      int nl = s.indexOf('\n');
      return (nl < 0 ? s : s.substring(0, nl)).trim();
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Physical cores from /proc/cpuinfo, else the distinct core sibling lists in sysfs, else 0.
   * (OSHI would run {@code getconf} here: a child process of the host we'd rather not start.)
   */
  static int physicalCores(Path proc, Path sysCpu) {
    try {
      int n = ProcParsers.countPhysicalCores(LinuxProcessSource.readText(proc.resolve("cpuinfo")));
      if (n > 0) {
        return n;
      }
    } catch (IOException e) {
      // try sysfs
    }
    java.util.Set<String> siblings = new java.util.HashSet<>();
    try (java.nio.file.DirectoryStream<Path> cpus = java.nio.file.Files.newDirectoryStream(sysCpu, "cpu[0-9]*")) {
      for (Path cpu : cpus) {
        Path topo = cpu.resolve("topology");
        Path list = java.nio.file.Files.exists(topo.resolve("core_cpus_list")) ? topo.resolve("core_cpus_list") : topo.resolve("thread_siblings_list");
        try {
          siblings.add(LinuxProcessSource.readText(list).trim());
        } catch (IOException e) {
          // offline CPU
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return siblings.size();
  }
}
