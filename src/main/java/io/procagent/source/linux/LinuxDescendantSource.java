package io.procagent.source.linux;

import io.procagent.source.ChildProcess;
import io.procagent.source.DescendantSource;
import io.procagent.source.ProcessSnapshot;
import io.procagent.source.Redaction;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Finds the root's descendants through the kernel's {@code children} files (only descendants
 * are read) while they and the root's threads are few next to the host's processes; otherwise,
 * or where those files are missing, from a listing of /proc, reading the {@code stat} of every
 * process not already known not to descend from the root, and walking the parents from the
 * root. A process that exits mid-scan is simply not in the result. In listing mode, a round
 * when no pid was handed out since the last listing reads the known descendants' stats only.
 *
 * <p>The agent's sampler calls {@link #descendants(long, boolean)} in its rounds, with nobody
 * looking, in code the JIT has mostly not compiled yet (a round every 5 s, or one a scrape), so
 * what a round does per descendant is kept to the reads themselves: stat bytes are parsed in one
 * pass without a String, and a descendant seen last round reuses its paths and its command
 * label.
 */
public final class LinuxDescendantSource implements DescendantSource {

  /** The host's process count is listed again every this many rounds in children-file mode. */
  private static final int RELIST_ROUNDS = 12;

  /** Pids below this are never handed out again once the cursor wraps (the kernel's RESERVED_PIDS). */
  private static final int RESERVED_PIDS = 300;

  /** Names listed from /proc that cost as much as reading one small file. */
  private static final int LISTED_PER_READ = 8;

  private final Path proc;
  private final String prefix;
  private final Procfs procfs;

  // the agent's own scan, round after round (callers are serialised)
  private final byte[] stat = new byte[1024]; // fields up to rss fit well within
  private final byte[][] list = {new byte[1024]};
  /** The stats read in a listing round, by position; kept for the next round (see keepStat). */
  private byte[][] stats = new byte[0][];
  private final long[] fields = new long[ProcParsers.STAT_FIELDS];
  private final byte[][] hostStat = {new byte[4096]};
  /**
   * The descendants found, by pid, kept from round to round: a round marks those it finds and
   * drops the others (a map built anew each round put every descendant again, 20 puts a second
   * with 100 children, which made the JDK's HashMap.put a C2 compilation in an app that hardly
   * uses maps).
   */
  private final Map<Long, Known> known = new HashMap<>();
  /**
   * The values of {@link #known} as an array in pid order, made again after {@link #known}
   * changed (null then): a quiet round reads every known descendant through it, without iterating the map
   * (100 entries every 5 s made the JDK's HashMap iterator a C2 compilation a minute in).
   */
  private Known[] knownList;
  /**
   * Known descendants by pid: a quiet round's pids, and the tree's levels made from them, are
   * then in order without sorting them at every round.
   */
  private static final Comparator<Known> BY_PID = Comparator.comparingLong(k -> k.pid);
  /** The round being scanned, and how many descendants it found so far. */
  private long round;
  private int found;
  private long[] others = new long[0]; // sorted pids found not to descend from the root
  private long lastForks = -1;
  private long lastCursor = -1;
  private long pidMax = -1;
  private int lastFound;
  private int rootTasks = 32;
  private int hostProcesses = Integer.MAX_VALUE;
  private int rounds;
  private Boolean childrenFiles;
  /**
   * The children files of the root's threads by tid: a JVM's threads mostly live long, and
   * each round reads them all (130 in a JVM waiting for 100 children).
   */
  private final Map<String, String> rootChildrenPaths = new HashMap<>();
  private long childrenPathsOf = -1;
  /** The root of the last round (a quiet round finds the same root's descendants only). */
  private long lastRoot = -1;
  /** The pid cursor and tasks created, read at the start of the last round that listed /proc; -1 when none. */
  private long listedCursor = -1;
  private long listedForks = -1;

  public LinuxDescendantSource(Path proc) {
    this.proc = proc;
    this.prefix = proc + "/";
    this.procfs = Procfs.of(proc);
  }

  /**
   * A descendant as of the last round: its paths, its command, which stays the same String
   * while the kernel's bytes do, and its open descriptors as last counted.
   */
  private static final class Known {
    final long pid;
    final long startTicks;
    final byte[] comm;
    final String command;
    final String dir;
    final String statPath;
    final String fdPath;
    /** Its main thread's children file, read when it has one thread. */
    final String childrenPath;
    long fds;
    /** user + system ticks when {@link #fds} was counted; -1: never counted. */
    long fdsTicks = -1;
    /** Rounds {@link #fds} has been reused since it was counted. */
    int fdsReused;
    /** The last round that found it. */
    long seenRound = -1;

    Known(long startTicks, byte[] comm, String command, String dir, long pid) {
      this.pid = pid;
      this.startTicks = startTicks;
      this.comm = comm;
      this.command = command;
      this.dir = dir;
      this.statPath = dir + "/stat";
      this.fdPath = dir + "/fd";
      this.childrenPath = dir + "/task/" + pid + "/children";
    }

    boolean same(long start, byte[] stat, int from, int to) {
      return startTicks == start && Arrays.equals(comm, 0, comm.length, stat, from, to);
    }
  }

  /**
   * A descendant's open descriptors are counted again when it was charged CPU since the last
   * count (opening or closing a file is the process's own work), and at least every this many
   * rounds (a process can open a file within less than one tick it gets charged for).
   */
  static final int FDS_REUSED_AT_MOST = 2;

  @Override
  public synchronized List<ChildProcess> descendants(long rootPid, boolean withArguments) throws IOException {
    String[] all = null;
    // the children files cost a read per root thread and two per descendant; a listing costs
    // a String per process on the host and a read per descendant or new process. Listing is
    // repeated now and then to know the host's process count while the children files win.
    boolean children = childrenFiles() && LISTED_PER_READ * (rootTasks + lastFound) < hostProcesses;
    // read before any listing: a process started after it moves the cursor
    long forks = children ? -1 : readCursor();
    long cursor = forks >= 0 ? fields[1] : -1;
    if (cursor >= 0 && cursor == listedCursor && rootPid == lastRoot && cannotHaveWrapped(forks - listedForks)) {
      // no pid handed out since the last listing: no process started since (a process that did
      // not descend from the root cannot come to: an orphan goes to an ancestor of its parent,
      // never sideways), so the descendants are among those known
      List<ChildProcess> out = viaKnown(rootPid, withArguments);
      lastFound = out.size();
      return out;
    }
    lastRoot = rootPid;
    listedCursor = cursor;
    listedForks = forks;
    if (!children || rounds++ % RELIST_ROUNDS == 0) {
      all = new File(prefix).list();
      hostProcesses = all == null ? Integer.MAX_VALUE : all.length;
    }
    List<ChildProcess> out = children ? viaChildrenFiles(rootPid, withArguments) : null;
    if (out == null) {
      out = viaListing(all != null ? all : new File(prefix).list(), rootPid, withArguments);
    }
    lastFound = out.size();
    return out;
  }

  private boolean childrenFiles() {
    if (childrenFiles == null) {
      long self = ProcessHandle.current().pid();
      childrenFiles = new File(prefix + self + "/task/" + self + "/children").exists();
    }
    return childrenFiles;
  }

  /**
   * Breadth first through {@code /proc/PID/task/TID/children} (Linux 3.5+): a stat and a
   * children read per descendant instead of a stat per process on the host. Null when the
   * kernel has no children files.
   */
  synchronized List<ChildProcess> viaChildrenFiles(long root, boolean withArguments) {
    if (!childrenFiles()) {
      return null;
    }
    startRound();
    List<ChildProcess> out = new ArrayList<>(known.size() + 4);
    // the root, then each descendant found, in the order found
    if (root != childrenPathsOf) {
      rootChildrenPaths.clear();
      childrenPathsOf = root;
    }
    for (int q = -1; q < out.size(); q++) {
      long parent = q < 0 ? root : out.get(q).pid();
      if (q >= 0 && out.get(q).threads() == 1) {
        // every descendant found is known (child() records it), with its children file
        addChildren(known.get(parent).childrenPath, root, out, withArguments);
        continue;
      }
      String tasks = prefix + parent + "/task/";
      String[] tids = new File(tasks).list();
      if (q < 0) {
        rootTasks = tids == null ? 0 : tids.length;
      }
      if (tids != null) {
        for (String tid : tids) {
          addChildren(q < 0 ? rootChildrenPath(tasks, tid) : tasks + tid + "/children", root, out, withArguments);
        }
        if (q < 0 && rootChildrenPaths.size() > 2 * tids.length + 16) {
          rootChildrenPaths.keySet().retainAll(new HashSet<>(Arrays.asList(tids))); // threads that ended
        }
      }
    }
    endRound();
    return out;
  }

  private void startRound() {
    round++;
    found = 0;
  }

  /** Drops the descendants this round did not find (they exited). */
  private void endRound() {
    if (found < known.size()) {
      known.values().removeIf(k -> k.seenRound != round);
      knownList = null;
    }
  }

  /** Whether this round found {@code pid} already. */
  private boolean foundNow(long pid) {
    Known k = known.get(pid);
    return k != null && k.seenRound == round;
  }

  /** The children file of the root's thread {@code tid}, kept while the thread is seen. */
  private String rootChildrenPath(String tasks, String tid) {
    String path = rootChildrenPaths.get(tid);
    if (path == null) {
      path = tasks + tid + "/children";
      rootChildrenPaths.put(tid, path);
    }
    return path;
  }

  private void addChildren(String path, long root, List<ChildProcess> out, boolean args) {
    int len = ProcessTable.readWhole(path, list);
    byte[] b = list[0];
    for (int i = 0; i < len; i++) { // "123 456 ": numbers, one separator after each
      long pid = ProcParsers.longAt(b, i, len);
      while (i < len && b[i] >= '0' && b[i] <= '9') {
        i++;
      }
      if (pid > 0 && pid != root && !foundNow(pid)) {
        Known k = known.get(pid);
        int slen = ProcessTable.read(k != null ? k.statPath : prefix + pid + "/stat", stat);
        ChildProcess c = slen > 0 ? child(pid, stat, slen, k, true, args) : null; // null: exited meanwhile
        if (c != null) {
          out.add(c);
        }
      }
    }
  }

  /**
   * The descendants of {@code root} from a listing of /proc. A process found not to descend
   * from the root never will (an orphan goes to an ancestor of its parent, never sideways), so
   * its stat is not read again while its pid cannot have been handed to another process: the
   * kernel hands pids out in turn, from a cursor ({@code /proc/loadavg}'s last field) that only
   * moves forward and wraps at {@code pid_max}. So a pid is read again when the cursor went
   * past it since the last round, and every pid when so many tasks were created since then
   * ({@code processes} in /proc/stat) that the cursor may have gone all the way round. Only
   * where this /proc is our own pid namespace's (the cursor is the reader's namespace's).
   */
  synchronized List<ChildProcess> viaListing(String[] names, long root, boolean withArguments) throws IOException {
    if (names == null) {
      throw new IOException("cannot list " + proc);
    }
    // read after the listing: a pid handed out again before it was listed is within the cursor's way
    long forks = readCursor();
    long cursor = forks >= 0 ? fields[1] : -1;
    boolean skip = cursor >= 0 && lastCursor >= 0 && cannotHaveWrapped(forks - lastForks);
    long from = lastCursor;
    lastForks = forks;
    lastCursor = cursor;
    long[] pids = new long[Math.min(names.length, known.size() + 64)];
    long[] ppids = new long[pids.length];
    int[] lens = new int[pids.length];
    long[] stillOthers = new long[names.length + 1];
    int n = 0;
    int m = 0;
    for (String name : names) {
      long pid = ProcParsers.parseLong(name, 0, name.length());
      if (pid <= 0) {
        continue;
      }
      if (pid == root || skip && !passed(from, cursor, pid) && Arrays.binarySearch(others, pid) >= 0) {
        stillOthers[m++] = pid;
        continue;
      }
      Known k = known.get(pid);
      int len = ProcessTable.read(k != null ? k.statPath : prefix + name + "/stat", stat);
      long ppid = len > 0 ? ProcParsers.ppidOf(stat, len) : ProcParsers.UNKNOWN;
      if (ppid >= 0) {
        if (n == pids.length) {
          pids = Arrays.copyOf(pids, n * 2);
          ppids = Arrays.copyOf(ppids, n * 2);
          lens = Arrays.copyOf(lens, n * 2);
        }
        pids[n] = pid;
        ppids[n] = ppid;
        keepStat(n, stat, len);
        lens[n] = len;
        n++;
      }
    }
    startRound();
    List<ChildProcess> out = new ArrayList<>();
    boolean[] mine = tree(root, pids, ppids, lens, n, withArguments, out);
    keepOthers(stillOthers, m, pids, mine, n);
    endRound();
    return out;
  }

  /**
   * {@link #others}: the first {@code m} of {@code kept} and those of the first {@code n}
   * {@code pids} not marked {@code mine} ({@code kept} has room for them), sorted.
   */
  private void keepOthers(long[] kept, int m, long[] pids, boolean[] mine, int n) {
    for (int i = 0; i < n; i++) {
      if (!mine[i]) {
        kept[m++] = pids[i];
      }
    }
    others = Arrays.copyOf(kept, m);
    Arrays.sort(others);
  }

  /**
   * Level by level from the root, its children, then theirs, among the first {@code n}
   * processes read this round (their stats in {@link #stats}): each one that descends from the
   * root goes to {@code out}, and is marked in the array returned.
   */
  private boolean[] tree(long root, long[] pids, long[] ppids, int[] lens, int n, boolean withArguments, List<ChildProcess> out) {
    boolean[] mine = new boolean[n];
    long[] level = {root};
    while (level.length > 0) {
      long[] next = new long[n];
      int k = 0;
      for (int i = 0; i < n; i++) {
        if (!mine[i] && Arrays.binarySearch(level, ppids[i]) >= 0) {
          mine[i] = true;
          ChildProcess c = child(pids[i], stats[i], lens[i], known.get(pids[i]), true, withArguments);
          if (c != null) {
            out.add(c);
            next[k++] = pids[i];
          }
        }
      }
      level = Arrays.copyOf(next, k);
      if (!ascending(level)) { // as found: /proc lists in pid order, and knownList is in it
        Arrays.sort(level);
      }
    }
    return mine;
  }

  private static boolean ascending(long[] a) {
    for (int i = 1; i < a.length; i++) {
      if (a[i - 1] > a[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Copies the {@code i}th stat read this round into a buffer kept from round to round (a round
   * with 100 descendants copied 25 KB of stat bytes into new arrays).
   */
  private void keepStat(int i, byte[] s, int len) {
    if (i >= stats.length) {
      stats = Arrays.copyOf(stats, Math.max(i + 1, stats.length * 2));
    }
    if (stats[i] == null || stats[i].length < len) {
      stats[i] = new byte[Math.max(len, 512)];
    }
    System.arraycopy(s, 0, stats[i], 0, len);
  }

  /**
   * Tasks created on the host since boot ({@code processes} in /proc/stat, threads included),
   * with /proc/loadavg's tasks that exist and pid cursor read into {@code fields[0]} and {@code
   * fields[1]}; -1 when any is unknown, or where this /proc is not our own pid namespace's (the
   * cursor is the reader's namespace's).
   */
  private long readCursor() {
    long forks = procfs.ownPidNamespace() ? forks() : -1;
    int len = forks >= 0 ? ProcessTable.read(prefix + "loadavg", stat) : -1;
    return len > 0 && ProcParsers.pidCursorOf(stat, len, fields) ? forks : -1;
  }

  /**
   * Whether the cursor just read ({@link #readCursor}) cannot have gone all the way round in
   * {@code forksSince} tasks created: it skips the pids in use and those below RESERVED_PIDS.
   */
  private boolean cannotHaveWrapped(long forksSince) {
    return forksSince < pidMax() - RESERVED_PIDS - fields[0];
  }

  /**
   * A round without a listing of /proc, when no pid was handed out since the last: the known descendants'
   * stats are read again, and those that exited, or whose parent did and left them to an
   * ancestor outside the root's tree, are not in the result. 100 sleeping children on a quiet
   * host: 100 stat reads instead of a listing of every pid on the host as well.
   */
  private List<ChildProcess> viaKnown(long root, boolean withArguments) {
    Known[] list = knownList;
    if (list == null) {
      list = known.values().toArray(new Known[0]); // HashMap's loop over its table, no iterator
      Arrays.sort(list, BY_PID);
      knownList = list;
    }
    long[] pids = new long[list.length];
    long[] ppids = new long[pids.length];
    int[] lens = new int[pids.length];
    int n = 0;
    for (Known k : list) {
      int len = ProcessTable.read(k.statPath, stat);
      long ppid = len > 0 ? ProcParsers.ppidOf(stat, len) : ProcParsers.UNKNOWN;
      if (ppid >= 0) { // else it exited
        pids[n] = k.pid;
        ppids[n] = ppid;
        keepStat(n, stat, len);
        lens[n] = len;
        n++;
      }
    }
    startRound();
    List<ChildProcess> out = new ArrayList<>(n);
    boolean[] mine = tree(root, pids, ppids, lens, n, withArguments, out);
    if (out.size() < n) { // left the tree: not read again while the pid is not handed out again
      keepOthers(Arrays.copyOf(others, others.length + n), others.length, pids, mine, n);
    }
    endRound();
    return out;
  }

  /** Whether the pid cursor, going from {@code from} to {@code to}, went past {@code pid}. */
  static boolean passed(long from, long to, long pid) {
    return to >= from ? pid > from && pid <= to : pid > from || pid <= to;
  }

  /** Tasks created since boot ({@code processes} in /proc/stat); -1 when unreadable. */
  private long forks() {
    int len = ProcessTable.readWhole(prefix + "stat", hostStat);
    return len > 0 ? ProcParsers.forksOf(hostStat[0], len) : -1;
  }

  private long pidMax() {
    if (pidMax < 0) {
      int len = ProcessTable.read(prefix + "sys/kernel/pid_max", stat);
      long max = len > 0 ? ProcParsers.longAt(stat, 0, len) : -1;
      pidMax = max > 0 ? max : 0; // unknown: every stat, every round
    }
    return pidMax;
  }

  /** The descendants of {@code roots} in an already scanned table (the daemon's targets). */
  public synchronized List<ChildProcess> descendants(ProcessTable table, List<Long> roots, boolean withArguments) {
    List<ChildProcess> out = new ArrayList<>();
    for (long pid : table.descendantsOf(roots)) {
      byte[] s = table.statBytes(pid);
      ChildProcess c = s == null ? null : child(pid, s, s.length, null, false, withArguments);
      if (c != null) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * A descendant from its stat bytes; null when they are not a stat line. When {@code record},
   * it is marked found by this round, with what the next round may reuse.
   */
  private ChildProcess child(long pid, byte[] s, int len, Known k, boolean record, boolean withArguments) {
    long[] f = fields;
    if (!ProcParsers.statFields(s, len, f) || f[ProcParsers.S_PPID] < 0) {
      return null;
    }
    int from = (int) f[ProcParsers.S_COMM_FROM];
    int to = (int) f[ProcParsers.S_COMM_TO];
    long start = f[ProcParsers.S_START];
    if (k == null || !k.same(start, s, from, to)) {
      String dir = k != null ? k.dir : prefix + pid;
      k = new Known(
          start,
          Arrays.copyOfRange(s, from, to),
          new String(s, from, to - from, StandardCharsets.UTF_8),
          dir,
          pid);
      if (record) {
        known.put(pid, k); // new, or another process under a pid used again
        knownList = null;
      }
    }
    if (record && k.seenRound != round) {
      k.seenRound = round;
      found++;
    }
    double boot = procfs.bootTime();
    long utime = f[ProcParsers.S_UTIME];
    long stime = f[ProcParsers.S_STIME];
    long rss = f[ProcParsers.S_RSS];
    return new ChildProcess(
        pid,
        f[ProcParsers.S_PPID],
        k.command,
        (char) f[ProcParsers.S_STATE],
        utime < 0 ? 0 : utime / ProcParsers.USER_HZ,
        stime < 0 ? 0 : stime / ProcParsers.USER_HZ,
        start,
        start < 0 || Double.isNaN(boot) ? Double.NaN : boot + start / ProcParsers.USER_HZ,
        rss < 0 ? ProcessSnapshot.UNKNOWN : rss * procfs.pageSize(),
        f[ProcParsers.S_THREADS],
        fds(k, Math.max(0, utime) + Math.max(0, stime)),
        withArguments ? arguments(k.dir) : "");
  }

  /**
   * The descendant's open descriptors: counted (a stat of its fd directory, which is as dear as
   * reading its stat) unless {@code k} (kept from an earlier round) was counted at the same
   * CPU ticks within the last {@link #FDS_REUSED_AT_MOST} rounds. Most descendants sleep most rounds.
   */
  private long fds(Known k, long ticks) {
    if (k.fdsTicks == ticks && k.fdsReused < FDS_REUSED_AT_MOST) {
      k.fdsReused++;
      return k.fds;
    }
    long fds = procfs.countFds(k.fdPath);
    k.fds = fds;
    k.fdsTicks = ticks;
    k.fdsReused = 0;
    return fds;
  }

  private static String arguments(String dir) {
    try {
      byte[] raw = Files.readAllBytes(Path.of(dir, "cmdline"));
      List<String> args = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < raw.length; i++) {
        if (raw[i] == 0) {
          args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
          start = i + 1;
        }
      }
      if (start < raw.length) {
        args.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
      }
      return Redaction.redact(args);
    } catch (IOException e) {
      return "";
    }
  }
}
