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

  public LinuxSystemSource(Path proc) {
    this(proc, LinuxSystemSource::physicalFromOshi);
  }

  /**
   * @param proc the procfs mount
   * @param physicalCpus counts physical cores (OSHI's native-free provider in production)
   */
  public LinuxSystemSource(Path proc, IntSupplier physicalCpus) {
    this.proc = proc;
    this.physicalCpus = physicalCpus;
  }

  @Override
  public SystemSnapshot read() throws IOException {
    long now = System.nanoTime();
    ProcParsers.HostStat stat = ProcParsers.parseProcStat(LinuxProcessSource.readText(proc.resolve("stat")));
    double[] load;
    try {
      load = ProcParsers.parseLoadavg(LinuxProcessSource.readText(proc.resolve("loadavg")));
    } catch (IOException e) {
      load = new double[] {Double.NaN, Double.NaN, Double.NaN};
    }
    return new SystemSnapshot(
        stat.cpus(),
        load[0],
        load[1],
        load[2],
        stat.ctxt(),
        stat.processes(),
        stat.btime() < 0 ? Double.NaN : stat.btime(),
        now);
  }

  @Override
  public SystemIdentity identity() throws IOException {
    SystemIdentity id = identity;
    if (id == null) {
      Path kernel = proc.resolve("sys").resolve("kernel");
      int logical = ProcParsers.parseProcStat(LinuxProcessSource.readText(proc.resolve("stat"))).cpus().size();
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

  private static int physicalFromOshi() {
    try {
      return new oshi.nativefree.SystemInfo()
          .getHardware()
          .getProcessor()
          .getPhysicalProcessorCount();
    } catch (RuntimeException | LinkageError e) {
      return 0;
    }
  }

}
