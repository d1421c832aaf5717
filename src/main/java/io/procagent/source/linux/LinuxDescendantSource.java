package io.procagent.source.linux;

import io.procagent.source.ChildProcess;
import io.procagent.source.DescendantSource;
import io.procagent.source.ProcessSnapshot;
import io.procagent.source.Redaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the root's descendants through the kernel's {@code children} files (only descendants
 * are read) while they are few next to the host's processes, otherwise, or where those files
 * are missing, in one pass over /proc that reads every process's
 * {@code stat} once, builds the parent map, and walks it from the root. Only descendants cost more ({@code fd} listing, and {@code cmdline} when
 * arguments are wanted). A process that exits mid-scan is simply not in the result.
 */
public final class LinuxDescendantSource implements DescendantSource {

  private final Path proc;
  private final Procfs procfs;

  public LinuxDescendantSource(Path proc) {
    this.proc = proc;
    this.procfs = Procfs.of(proc);
  }

  /** Descendants found last time: following children lists costs about 3 reads each. */
  private volatile int lastFound;

  @Override
  public List<ChildProcess> descendants(long rootPid, boolean withArguments) throws IOException {
    ProcessTable table = null;
    String[] all = new java.io.File(proc.toString()).list();
    if (all == null || 32 + 3L * lastFound < all.length) { // cheaper than reading every stat
      table = ProcessTable.descendantsScan(proc, rootPid);
    }
    List<ChildProcess> out =
        descendants(table != null ? table : ProcessTable.scan(proc, all), List.of(rootPid), withArguments);
    lastFound = out.size();
    return out;
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
    double boot = procfs.bootTime();
    return new ChildProcess(
        pid,
        s.ppid(),
        s.comm(),
        s.state(),
        s.utime() < 0 ? 0 : s.utime() / ProcParsers.USER_HZ,
        s.stime() < 0 ? 0 : s.stime() / ProcParsers.USER_HZ,
        s.startTicks(),
        s.startTicks() < 0 || Double.isNaN(boot) ? Double.NaN : boot + s.startTicks() / ProcParsers.USER_HZ,
        s.rssPages() < 0 ? ProcessSnapshot.UNKNOWN : s.rssPages() * procfs.pageSize(),
        s.threads(),
        procfs.countFds(dir),
        withArguments ? arguments(dir) : "");
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
}
