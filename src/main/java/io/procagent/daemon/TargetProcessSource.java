package io.procagent.daemon;

import io.procagent.config.TargetConfig;
import io.procagent.source.CpuTimes;
import io.procagent.source.ProcessSnapshot;
import io.procagent.source.ProcessSource;
import io.procagent.source.linux.LinuxProcessSource;
import io.procagent.source.linux.ProcessTable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The processes of one daemon target, summed into one snapshot. Matching runs once per round
 * on the shared {@link ProcessTable}; reads go to each matched process. Counters accumulate
 * per-PID deltas, so a process that exits or restarts never makes a counter go back.
 */
final class TargetProcessSource implements ProcessSource {

  /** Thrown when no process matches: the target is down, which is not a read error. */
  static final class NoMatch extends io.procagent.source.NoProcessException {
    private static final long serialVersionUID = 1L;

    NoMatch(String target) {
      super("no process matches target " + target);
    }
  }

  // counter fields accumulated per PID
  private static final int USER = 0;
  private static final int SYSTEM = 1;
  private static final int IOWAIT = 2;
  private static final int REAPED_USER = 3;
  private static final int REAPED_SYSTEM = 4;
  private static final int VOLUNTARY = 5;
  private static final int INVOLUNTARY = 6;
  private static final int MINOR_FAULTS = 7;
  private static final int MAJOR_FAULTS = 8;
  private static final int FIELDS = 9;

  /** Longer than any pid (2^22 at most on Linux) with a newline; more is not a pidfile. */
  private static final int PIDFILE_MAX = 32;

  private final TargetConfig target;
  private final Path proc;
  private final Map<Long, String> userNames = new HashMap<>();
  private volatile List<Long> matched = List.of();
  private volatile List<Long> roots = List.of();
  private final Map<Long, LinuxProcessSource> sources = new HashMap<>();
  private final Map<Long, double[]> last = new HashMap<>();
  private final Map<Long, Long> identity = new HashMap<>();
  private final double[] totals = new double[FIELDS];
  private final boolean[] seenField = new boolean[FIELDS];
  private int unreadable;
  private String pidfileProblem;

  TargetProcessSource(TargetConfig target, Path proc) {
    this.target = target;
    this.proc = proc;
  }

  /** Re-evaluates the selectors on this round's table. */
  synchronized void rematch(ProcessTable table) {
    List<Long> found = new ArrayList<>();
    long filePid = -1;
    if (target.pidfile() != null) {
      filePid = pidFromFile();
      if (filePid <= 0) {
        matched = List.of();
        roots = List.of();
        return; // no pidfile, or one that names no process: the target is down
      }
    }
    for (long pid : candidates(table, filePid)) {
      if (matches(table, pid)) {
        found.add(pid);
      }
    }
    roots = List.copyOf(found);
    if (target.children() && !found.isEmpty()) {
      found.addAll(table.descendantsOf(found));
    }
    found.sort((a, b) -> Long.compare(table.startTicks(a), table.startTicks(b)));
    matched = List.copyOf(found);
    sources.keySet().retainAll(found);
  }

  /**
   * The pid in the target's pidfile, or -1 when there is none: the file is missing (the service
   * is stopped) or empty (being written). Anything else that names no process (a read error, a
   * directory, text that is not a pid, a pid of 0, which would select every process) is a
   * {@link #pidfileProblem}.
   */
  private long pidFromFile() {
    pidfileProblem = null;
    Path file = Path.of(target.pidfile());
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(PIDFILE_MAX + 1); // bounded: a pidfile pointing at a device or a log
    } catch (NoSuchFileException e) {
      return -1;
    } catch (IOException e) {
      pidfileProblem = "pidfile " + file + " cannot be read: " + e;
      return -1;
    }
    String text = new String(head, 0, Math.min(head.length, PIDFILE_MAX), StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) {
      return -1;
    }
    try {
      long pid = head.length > PIDFILE_MAX ? -1 : Long.parseLong(text);
      if (pid > 0) {
        return pid;
      }
    } catch (NumberFormatException e) {
      // below
    }
    pidfileProblem = "pidfile " + file + " holds '" + shown(text) + (head.length > PIDFILE_MAX ? "...'" : "'")
        + ", not a process id (1 or more)";
    return -1;
  }

  private static String shown(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      sb.append(Character.isISOControl(c) ? '?' : c);
    }
    return sb.toString();
  }

  /** Why the last round's pidfile named no process, or null (none given, fine, or missing). */
  synchronized String pidfileProblem() {
    return pidfileProblem;
  }

  private long[] candidates(ProcessTable table, long filePid) {
    if (target.pid() > 0) {
      return table.contains(target.pid()) ? new long[] {target.pid()} : new long[0];
    }
    if (filePid > 0) {
      return table.contains(filePid) ? new long[] {filePid} : new long[0];
    }
    return table.pids();
  }

  private boolean matches(ProcessTable table, long pid) {
    if (target.pid() > 0 && pid != target.pid()) {
      return false;
    }
    if (target.comm() != null) {
      String comm = table.comm(pid);
      if (comm == null || !target.comm().matcher(comm).find()) {
        return false;
      }
    }
    if (target.user() != null && !userMatches(pid, table.uid(pid))) {
      return false;
    }
    return target.cmdline() == null || target.cmdline().matcher(table.cmdline(pid)).find();
  }

  private boolean userMatches(long pid, long uid) {
    if (uid < 0) {
      return false;
    }
    if (target.user().equals(Long.toString(uid))) {
      return true;
    }
    String name =
        userNames.computeIfAbsent(
            uid,
            u -> {
              try {
                return Files.getOwner(proc.resolve(Long.toString(pid))).getName();
              } catch (IOException e) {
                return null; // gone: ask again next time
              }
            });
    return target.user().equals(name);
  }

  /** The processes this round's selectors picked (with descendants when configured). */
  List<Long> matched() {
    return matched;
  }

  /** The processes the selectors picked themselves: the roots of the target's children. */
  List<Long> roots() {
    return roots;
  }

  /** Parts of matched processes /proc did not let us read in the last read (another user's fds). */
  synchronized int unreadable() {
    return unreadable;
  }

  @Override
  public synchronized ProcessSnapshot read() throws IOException {
    List<Long> pids = matched;
    if (pids.isEmpty()) {
      throw new NoMatch(target.name());
    }
    long now = System.nanoTime();
    ProcessSnapshot first = null;
    long rss = 0;
    long vms = 0;
    long fds = 0;
    boolean fdsKnown = false;
    long maxFds = Long.MAX_VALUE;
    double vmsMax = Double.NaN;
    long threads = 0;
    double start = Double.NaN;
    int cpus = 0;
    int bad = 0;
    for (long pid : pids) {
      ProcessSnapshot p;
      try {
        p = sources.computeIfAbsent(pid, k -> new LinuxProcessSource(proc, k)).read();
      } catch (IOException e) {
        continue; // exited since the round's scan
      }
      if (first == null) {
        first = p;
      }
      accumulate(pid, p);
      rss += Math.max(0, p.residentBytes());
      vms += Math.max(0, p.virtualBytes());
      if (p.openFds() >= 0) {
        fds += p.openFds();
        fdsKnown = true;
      } else {
        bad++;
      }
      if (p.cwd().isEmpty()) {
        bad++;
      }
      if (p.maxFds() > 0) {
        maxFds = Math.min(maxFds, p.maxFds());
      }
      if (!Double.isNaN(p.virtualMaxBytes())) {
        vmsMax = Double.isNaN(vmsMax) ? p.virtualMaxBytes() : Math.min(vmsMax, p.virtualMaxBytes());
      }
      threads += Math.max(0, p.threads());
      if (!Double.isNaN(p.startTimeSeconds())) {
        start = Double.isNaN(start) ? p.startTimeSeconds() : Math.min(start, p.startTimeSeconds());
      }
      cpus = Math.max(cpus, p.cpusAllowed());
    }
    unreadable = bad;
    if (first == null) {
      throw new NoMatch(target.name());
    }
    return new ProcessSnapshot(
        first.pid(),
        first.ppid(),
        first.command(),
        first.state(),
        first.user(),
        first.uid(),
        first.gid(),
        first.cwd(),
        start,
        totals[USER],
        totals[SYSTEM],
        seenField[IOWAIT] ? totals[IOWAIT] : Double.NaN,
        totals[REAPED_USER],
        totals[REAPED_SYSTEM],
        rss,
        vms,
        vmsMax,
        fdsKnown ? fds : ProcessSnapshot.UNKNOWN,
        maxFds == Long.MAX_VALUE ? ProcessSnapshot.UNKNOWN : maxFds,
        threads,
        seenField[VOLUNTARY] ? (long) totals[VOLUNTARY] : ProcessSnapshot.UNKNOWN,
        seenField[INVOLUNTARY] ? (long) totals[INVOLUNTARY] : ProcessSnapshot.UNKNOWN,
        seenField[MINOR_FAULTS] ? (long) totals[MINOR_FAULTS] : ProcessSnapshot.UNKNOWN,
        seenField[MAJOR_FAULTS] ? (long) totals[MAJOR_FAULTS] : ProcessSnapshot.UNKNOWN,
        cpus,
        first.cgroup(), // the oldest process's: a target's processes share a service's or a container's cgroup
        now);
  }

  /** Adds this process's counter growth since its previous read (all of it when it is new). */
  private void accumulate(long pid, ProcessSnapshot p) {
    double[] v = {
      p.userSeconds(), p.systemSeconds(), p.iowaitSeconds(), p.reapedChildrenUserSeconds(),
      p.reapedChildrenSystemSeconds(), p.voluntaryContextSwitches(), p.involuntaryContextSwitches(),
      p.minorFaults(), p.majorFaults()
    };
    long startKey = Double.doubleToLongBits(p.startTimeSeconds());
    Long known = identity.put(pid, startKey);
    double[] before = known != null && known == startKey ? last.get(pid) : null;
    double[] keep = new double[FIELDS];
    for (int f = 0; f < FIELDS; f++) {
      if (Double.isNaN(v[f]) || v[f] < 0) {
        keep[f] = before == null ? 0 : before[f];
        continue;
      }
      seenField[f] = true;
      double base = before == null ? 0 : before[f];
      // to the microsecond, as the children's CPU: ticks add up with rounding errors, which
      // would be shown (a count of switches is whole and stays so)
      totals[f] = CpuTimes.micros(totals[f] + Math.max(0, v[f] - base));
      keep[f] = Math.max(v[f], base);
    }
    last.put(pid, keep);
    if (last.size() > 4 * Math.max(16, matched.size())) {
      last.keySet().retainAll(matched);
      identity.keySet().retainAll(matched);
    }
  }
}
