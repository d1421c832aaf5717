package io.procagent.source.linux;

import io.procagent.source.ChildProcess;
import io.procagent.source.DescendantSource;
import io.procagent.source.ProcessSnapshot;
import io.procagent.source.Redaction;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One pass over /proc: reads every process's {@code stat} once, builds the parent map, and walks
 * it from the root. Only descendants cost more ({@code fd} listing, and {@code cmdline} when
 * arguments are wanted). A process that exits mid-scan is simply not in the result.
 */
public final class LinuxDescendantSource implements DescendantSource {

  private final Path proc;
  private final long pageSize;
  private double bootTime = Double.NaN;

  public LinuxDescendantSource(Path proc) {
    this.proc = proc;
    this.pageSize = pageSize(proc);
  }

  @Override
  public List<ChildProcess> descendants(long rootPid, boolean withArguments) throws IOException {
    Map<Long, List<Entry>> byParent = new HashMap<>();
    try (DirectoryStream<Path> all = Files.newDirectoryStream(proc)) {
      for (Path dir : all) {
        String name = dir.getFileName().toString();
        long pid = ProcParsers.parseLong(name, 0, name.length());
        if (pid <= 0 || pid == rootPid) {
          continue;
        }
        ProcParsers.Stat stat;
        try {
          stat = ProcParsers.parseStat(LinuxProcessSource.readText(dir.resolve("stat")));
        } catch (IOException e) {
          continue; // exited while we listed
        }
        if (stat != null && stat.ppid() > 0) {
          byParent.computeIfAbsent(stat.ppid(), k -> new ArrayList<>(2)).add(new Entry(pid, stat));
        }
      }
    }
    List<ChildProcess> out = new ArrayList<>();
    List<Long> queue = new ArrayList<>();
    queue.add(rootPid);
    for (int i = 0; i < queue.size(); i++) {
      List<Entry> kids = byParent.get(queue.get(i));
      if (kids == null) {
        continue;
      }
      for (Entry e : kids) {
        queue.add(e.pid);
        out.add(child(e, withArguments));
      }
    }
    return out;
  }

  private ChildProcess child(Entry e, boolean withArguments) {
    ProcParsers.Stat s = e.stat;
    Path dir = proc.resolve(Long.toString(e.pid));
    double boot = bootTime();
    return new ChildProcess(
        e.pid,
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

  static long countFds(Path dir) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(dir.resolve("fd"))) {
      long n = 0;
      for (Path ignored : fds) {
        n++;
      }
      return n;
    } catch (IOException | SecurityException e) {
      return ProcessSnapshot.UNKNOWN; // another user's process, or it exited
    }
  }

  private static String arguments(Path dir) {
    try {
      byte[] raw = Files.readAllBytes(dir.resolve("cmdline"));
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

  private record Entry(long pid, ProcParsers.Stat stat) {}
}
