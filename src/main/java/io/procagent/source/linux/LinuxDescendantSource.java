package io.procagent.source.linux;

import io.procagent.source.ChildProcess;
import io.procagent.source.DescendantSource;
import io.procagent.source.ProcessSnapshot;
import io.procagent.source.Redaction;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One pass over /proc: reads every process's {@code stat} once, builds the parent map, and walks
 * it from the root. Only descendants cost more ({@code fd} listing, and {@code cmdline} when
 * arguments are wanted). A process that exits mid-scan is simply not in the result.
 */
public final class LinuxDescendantSource implements DescendantSource {

  private final Path proc;
  private final long pageSize;
  private final boolean fdSizeIsCount;
  private double bootTime = Double.NaN;

  public LinuxDescendantSource(Path proc) {
    this.proc = proc;
    this.pageSize = pageSize(proc);
    this.fdSizeIsCount = fdSizeIsCount(proc);
  }

  /** Whether this procfs reports a process's open descriptors as the size of its fd dir. */
  static boolean fdSizeIsCount(Path proc) {
    try {
      String self = proc + "/self/fd";
      long size = Files.size(Path.of(self));
      String[] list = new File(self).list();
      // listing opens one more descriptor of its own
      return size > 0 && list != null && (size == list.length || size == list.length - 1);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public List<ChildProcess> descendants(long rootPid, boolean withArguments) throws IOException {
    return descendants(ProcessTable.scan(proc), List.of(rootPid), withArguments);
  }

  /** The descendants of {@code roots} in an already scanned table. */
  public List<ChildProcess> descendants(ProcessTable table, List<Long> roots, boolean withArguments) {
    List<ChildProcess> out = new ArrayList<>();
    String prefix = proc + "/";
    for (long pid : table.descendantsOf(roots)) {
      ProcParsers.Stat stat = table.stat(pid);
      if (stat != null) {
        out.add(child(pid, stat, prefix + pid, withArguments));
      }
    }
    return out;
  }

  private ChildProcess child(long pid, ProcParsers.Stat s, String dir, boolean withArguments) {
    double boot = bootTime();
    return new ChildProcess(
        pid,
        s.ppid(),
        s.comm(),
        s.state(),
        s.utime() < 0 ? 0 : s.utime() / ProcParsers.USER_HZ,
        s.stime() < 0 ? 0 : s.stime() / ProcParsers.USER_HZ,
        s.startTicks(),
        s.startTicks() < 0 || Double.isNaN(boot) ? Double.NaN : boot + s.startTicks() / ProcParsers.USER_HZ,
        s.rssPages() < 0 ? ProcessSnapshot.UNKNOWN : s.rssPages() * pageSize,
        s.threads(),
        countFds(dir),
        withArguments ? arguments(dir) : "");
  }

  private double bootTime() {
    if (Double.isNaN(bootTime)) {
      try {
        long btime = ProcParsers.parseProcStat(LinuxProcessSource.readText(proc.resolve("stat"))).btime();
        bootTime = btime < 0 ? Double.NaN : btime;
      } catch (IOException e) {
        return Double.NaN;
      }
    }
    return bootTime;
  }

  /**
   * Open descriptors of the process at {@code dir}. Linux 6.2+ reports the count as the size of
   * {@code /proc/PID/fd}: one stat instead of listing the directory; older kernels say 0 there.
   */
  private long countFds(String dir) {
    String fd = dir + "/fd";
    try {
      if (fdSizeIsCount) {
        long size = Files.size(Path.of(fd));
        if (size > 0) {
          return size;
        }
      }
      String[] list = new File(fd).list();
      return list == null ? ProcessSnapshot.UNKNOWN : list.length;
    } catch (IOException | SecurityException e) {
      return ProcessSnapshot.UNKNOWN; // another user's process, or it exited
    }
  }

  private static String arguments(String dir) {
    try {
      byte[] raw = Files.readAllBytes(Path.of(dir, "cmdline"));
      List<String> args = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < raw.length; i++) {
        if (raw[i] == 0) {
          args.add(new String(raw, start, i - start, java.nio.charset.StandardCharsets.UTF_8));
          start = i + 1;
        }
      }
      if (start < raw.length) {
        args.add(new String(raw, start, raw.length - start, java.nio.charset.StandardCharsets.UTF_8));
      }
      return Redaction.redact(args);
    } catch (IOException e) {
      return "";
    }
  }

  /** The kernel page size, from the first mapping of our own smaps; 4096 if unreadable. */
  static long pageSize(Path proc) {
    try (var lines = Files.lines(proc.resolve("self/smaps"))) {
      return lines
          .filter(l -> l.startsWith("KernelPageSize:"))
          .findFirst()
          .map(l -> ProcParsers.firstLong(l, "KernelPageSize:".length(), l.length() - 3) * 1024)
          .filter(v -> v > 0)
          .orElse(4096L);
    } catch (IOException | java.io.UncheckedIOException e) {
      return 4096;
    }
  }

}
