package io.procagent.source.linux;

import io.procagent.source.CgroupCpu;
import io.procagent.source.ProcessSnapshot;
import io.procagent.source.ProcessSource;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads one process from {@code /proc/PID/{stat,status,limits,fd,cwd}}. Files that may not be
 * read (another user's {@code fd} or {@code cwd}) leave their values UNKNOWN; a process that is
 * gone is an {@link IOException}.
 */
public final class LinuxProcessSource implements ProcessSource {

  private static final Map<Long, String> USER_NAMES = new ConcurrentHashMap<>();

  private final Path dir;
  private final Procfs procfs;
  private final long pid;
  private final boolean delayAccounting;
  private long maxVoluntary = ProcessSnapshot.UNKNOWN;
  private long maxInvoluntary = ProcessSnapshot.UNKNOWN;
  /**
   * Context switches (one status file per thread: a quarter of a scrape's CPU in a JVM of 25
   * threads) are read at most this often; in between a read reuses them. Sampling rounds never
   * read them ({@link #cpu}). Just under Prometheus's default interval, so that a scrape every
   * 15 s reads them each time even when it comes a little early. Compiled, a refresh in a JVM of
   * 125 threads (listing them, reading the status of those that switched and of 16 others) cost
   * 0.7-0.8 ms of CPU, which every 4 s was 0.2 ms a scrape at one scrape a second, a quarter of
   * the collection; a faster scraper sees the counts move every 14 s.
   */
  static final long SLOW_FIELDS_NANOS = 14_000_000_000L;
  /**
   * Limits ({@code /proc/PID/limits}, a 1.4 KB table parsed as text: 0.65 ms and 14 KB a read
   * in cold code) change only by {@code setrlimit} or {@code prlimit}, and the working directory
   * (a symbolic link read through NIO: 0.16 ms a read in cold code) only by {@code chdir}, which
   * Java code cannot call (another process, a daemon's target, may: its change shows within a
   * minute): both are read at most once a minute.
   */
  static final long LIMITS_NANOS = 60_000_000_000L;
  private long limitsAt;
  private String cwd;
  /** The process's CPU cgroup and its limit, found with the limits; null when none may be read. */
  private Cgroup cgroup;
  private double cpuLimit = Double.NaN;
  /**
   * Thread status files read per refresh of the context switches at most: all of a JVM's usual
   * few dozen threads; of 2,000 busy threads, each is read again every 16 refreshes.
   */
  static final int THREADS_PER_REFRESH = 128;
  /**
   * Of the threads whose switches did not change at their last read (most of a JVM's: parked
   * pool workers, reapers, idle GC and compiler threads), how many a refresh reads again; the
   * others keep the values last read, which a thread that does not run does not change.
   */
  static final int IDLE_PER_REFRESH = 16;
  private long slowFieldsAt;
  /**
   * The status file as last read, with the context switches (every {@link #SLOW_FIELDS_NANOS}):
   * a scrape takes from it only what hardly changes (uid, gid, CPUs allowed); resident memory
   * and threads come from the stat it reads anyway. The kernel writes 1.4 KB of status for each
   * read (signal masks, CPU and memory-node lists, every memory counter), more than a stat.
   */
  private ProcParsers.Status status;
  private ProcParsers.Limits limits;
  /** Kept buffers (grown by {@link ProcessTable#readWhole} when a file does not fit). */
  private final byte[][] statBytes = {new byte[1024]};
  /**
   * Whether this is the JVM's own process, whose open descriptors may be counted by the size
   * of its fd directory (one stat) rather than listed (a String per descriptor, thousands in a
   * busy server); another process's are listed, so that a count is only shown where the
   * listing is allowed.
   */
  private final boolean self;
  private final String fdPath;
  private final String statusPath;
  private final String statPath;
  /** The JVM's own stat, kept open (see {@link KeptFile}); null for another process, which may end. */
  private final KeptFile statFile;
  private final String taskDir;
  /** How many threads' status files one refresh of the context switches reads at most. */
  private final int threadsPerRefresh;
  /** How many of those may be threads whose switches did not change at their last read. */
  private final int idlePerRefresh;
  /** Each thread's switches as last read, by tid; entries live as long as their threads. */
  private final Map<String, ThreadSwitches> threadSwitches = new HashMap<>();
  /** The threads, least recently read first. */
  private final ArrayDeque<ThreadSwitches> readOrder = new ArrayDeque<>();
  /** The threads one refresh read, queued after the others at its end (kept, refresh only). */
  private final ArrayList<ThreadSwitches> readNow = new ArrayList<>();
  private final byte[][] statusBytes = {new byte[4096]};

  /**
   * @param procRoot the procfs mount, {@code /proc} in production, a fixture dir in tests
   * @param pid the process to read
   */
  public LinuxProcessSource(Path procRoot, long pid) {
    this(procRoot, pid, THREADS_PER_REFRESH, IDLE_PER_REFRESH);
  }

  LinuxProcessSource(Path procRoot, long pid, int threadsPerRefresh, int idlePerRefresh) {
    this.threadsPerRefresh = threadsPerRefresh;
    this.idlePerRefresh = idlePerRefresh;
    this.procfs = Procfs.of(procRoot);
    this.dir = procRoot.resolve(Long.toString(pid));
    this.pid = pid;
    this.self = pid == ProcessHandle.current().pid();
    this.fdPath = dir + "/fd";
    this.statusPath = dir + "/status";
    this.statPath = dir + "/stat";
    this.statFile = self ? new KeptFile(statPath) : null;
    this.taskDir = dir + "/task";
    this.delayAccounting = delayAccounting(procRoot);
  }

  /** Block-I/O delay is only counted when {@code kernel.task_delayacct} is on. */
  private static boolean delayAccounting(Path procRoot) {
    try {
      return !readText(procRoot.resolve("sys/kernel/task_delayacct")).trim().equals("0");
    } catch (IOException e) {
      return true; // kernels before 5.14 have no switch and count by default
    }
  }

  @Override
  public synchronized ProcessSnapshot read() throws IOException {
    long now = System.nanoTime();
    int len = readStat(); // first: it may grow the buffer
    ProcParsers.Stat stat = ProcParsers.parseStat(statBytes[0], len);
    if (stat == null) {
      throw new IOException(statPath + " has no (comm) field");
    }
    if (limits == null || now - limitsAt >= LIMITS_NANOS) {
      limits = readLimits();
      cwd = cwd();
      cgroup = Cgroup.of(dir);
      cpuLimit = cgroup == null ? Double.NaN : cgroup.limitCores();
      limitsAt = now;
    }
    ProcParsers.Status status = this.status;
    if (status == null || now - slowFieldsAt >= SLOW_FIELDS_NANOS) {
      len = ProcessTable.readWholeOrThrow(statusPath, statusBytes);
      status = ProcParsers.parseStatus(statusBytes[0], len);
      this.status = status;
      sumContextSwitches(status);
      slowFieldsAt = now;
    }
    double boot = procfs.bootTime();
    double start =
        stat.startTicks() < 0 || Double.isNaN(boot)
            ? Double.NaN
            : boot + stat.startTicks() / ProcParsers.USER_HZ;
    return new ProcessSnapshot(
        pid,
        stat.ppid(),
        stat.comm(),
        stat.state(),
        userName(status.uid()),
        status.uid(),
        status.gid(),
        cwd,
        start,
        seconds(stat.utime()),
        seconds(stat.stime()),
        delayAccounting ? seconds(stat.blkioTicks()) : Double.NaN,
        seconds(stat.cutime()),
        seconds(stat.cstime()),
        stat.rssPages() >= 0 ? stat.rssPages() * procfs.pageSize() : status.rssBytes(),
        stat.vsize(),
        limits.maxAddressSpace(),
        self ? procfs.countFds(fdPath) : procfs.listFds(dir.toString()),
        Double.isInfinite(limits.maxOpenFiles()) || Double.isNaN(limits.maxOpenFiles())
            ? ProcessSnapshot.UNKNOWN
            : (long) limits.maxOpenFiles(),
        stat.threads() >= 0 ? stat.threads() : status.threads(),
        maxVoluntary,
        maxInvoluntary,
        stat.minflt(),
        stat.majflt(),
        status.cpusAllowed(),
        cgroupCpu(),
        now);
  }

  /**
   * The cgroup's limit (read with the limits, once a minute: a quota changes when an operator
   * resizes a container) and, only under a limit, its throttling counts (one small file a
   * read): without a quota nothing is throttled, and a host's processes pay nothing.
   */
  private CgroupCpu cgroupCpu() {
    return cgroup == null || Double.isNaN(cpuLimit) ? CgroupCpu.NONE : cgroup.read(cpuLimit);
  }

  /** One read of /proc/PID/stat into a kept buffer, no Strings: what each sampling round costs. */
  @Override
  public synchronized Cpu cpu() throws IOException {
    long now = System.nanoTime();
    int len = readStat();
    long ticks = ProcParsers.cpuTicksOf(statBytes[0], len);
    if (ticks < 0) {
      throw new IOException(statPath + " has no CPU times");
    }
    return new Cpu(ticks / ProcParsers.USER_HZ, now);
  }

  /**
   * The process's stat into {@link #statBytes}, through the kept file for the JVM itself: a
   * scrape's read and a sampling round's read of the CPU alike.
   *
   * @throws NoSuchFileException when the process is gone (or /proc not mounted)
   */
  private int readStat() throws IOException {
    return statFile != null ? statFile.read(statBytes) : ProcessTable.readWholeOrThrow(statPath, statBytes);
  }

  /**
   * /proc/PID/status counts the main thread's context switches only; the process's are the sum
   * over its threads, one status file each (a few microseconds of the kernel's and more of cold
   * Java code per file: in a JVM of 130 threads, refreshing them all every 4 s was a quarter of
   * the CPU a scrape cost at one a second).
   *
   * <p>So after the first call, which reads them all, a refresh reads new threads first, then,
   * least recently read first, the threads whose switches changed at their last read and at most
   * {@link #idlePerRefresh} of the others, {@link #threadsPerRefresh} files in all. A thread that
   * does not run does not switch, so a parked one's count, read again in its turn, is still
   * right; one that starts running again is followed from its next turn. Threads that ended take
   * theirs with them, so the sum is kept monotonic.
   */
  void sumContextSwitches(ProcParsers.Status leader) {
    String[] tasks = new File(taskDir).list();
    if (tasks == null) {
      maxVoluntary = Math.max(maxVoluntary, leader.voluntaryCtxt());
      maxInvoluntary = Math.max(maxInvoluntary, leader.nonvoluntaryCtxt());
      return;
    }
    boolean first = threadSwitches.isEmpty();
    int budget = first ? Integer.MAX_VALUE : threadsPerRefresh;
    int idle = idlePerRefresh;
    int queued = readOrder.size();
    readNow.clear();
    long vol = 0;
    long nonvol = 0;
    for (String task : tasks) {
      ThreadSwitches known = threadSwitches.get(task);
      if (known != null) {
        known.listed = true;
      } else if (budget > 0) { // a new thread; beyond the budget, it comes next time
        budget--;
        ThreadSwitches t = new ThreadSwitches(task, taskDir + "/" + task + "/status");
        read(t);
        threadSwitches.put(task, t);
        readNow.add(t);
        vol += Math.max(0, t.voluntary);
        nonvol += Math.max(0, t.involuntary);
      }
    }
    // then every thread known before, least recently read first, each summed here (no pass over
    // the map): those that ended leave the queue and the map
    for (; queued > 0; queued--) {
      ThreadSwitches t = readOrder.pollFirst();
      if (!t.listed) {
        threadSwitches.remove(t.tid); // the thread ended, and its switches with it
        continue;
      }
      t.listed = false;
      if (budget > 0 && (t.changed || idle > 0)) {
        budget--;
        if (!t.changed) {
          idle--;
        }
        read(t);
        readNow.add(t);
      } else {
        readOrder.addLast(t); // keeps its place ahead of those read now
      }
      vol += Math.max(0, t.voluntary);
      nonvol += Math.max(0, t.involuntary);
    }
    readOrder.addAll(readNow);
    maxVoluntary = Math.max(maxVoluntary, vol);
    maxInvoluntary = Math.max(maxInvoluntary, nonvol);
  }

  /**
   * A thread's switches as last read, updated in place, with its status file's path: a JVM's
   * threads mostly live long.
   */
  private static final class ThreadSwitches {
    final String tid;
    final String statusPath;
    long voluntary = ProcessSnapshot.UNKNOWN;
    long involuntary = ProcessSnapshot.UNKNOWN;
    /** Whether its last read changed its switches (a new thread's first read does). */
    boolean changed;
    /** In this refresh's listing of the threads (set while listing, cleared as it is summed). */
    boolean listed;

    ThreadSwitches(String tid, String statusPath) {
      this.tid = tid;
      this.statusPath = statusPath;
    }
  }

  /** Reads a thread's switches; keeps the last ones when it ended meanwhile. */
  private void read(ThreadSwitches t) {
    // the switches are the status file's last lines: read it whole into the kept buffer
    int len = ProcessTable.readWhole(t.statusPath, statusBytes);
    if (len <= 0) { // the thread ended while we listed: its switches are gone with it
      t.changed = false;
      return;
    }
    byte[] b = statusBytes[0];
    long voluntary = ProcParsers.voluntarySwitchesOf(b, len);
    long involuntary = ProcParsers.nonvoluntarySwitchesOf(b, len);
    t.changed = voluntary != t.voluntary || involuntary != t.involuntary;
    t.voluntary = voluntary;
    t.involuntary = involuntary;
  }

  private static double seconds(long ticks) {
    return ticks < 0 ? Double.NaN : ticks / ProcParsers.USER_HZ;
  }

  private ProcParsers.Limits readLimits() {
    try {
      return ProcParsers.parseLimits(readText(dir.resolve("limits")));
    } catch (IOException e) {
      return new ProcParsers.Limits(Double.NaN, Double.NaN);
    }
  }

  private String cwd() {
    try {
      return Files.readSymbolicLink(dir.resolve("cwd")).toString();
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return "";
    }
  }

  private String userName(long uid) {
    if (uid < 0) {
      return "";
    }
    String known = USER_NAMES.get(uid); // first: computeIfAbsent's lambda is made at each call
    if (known != null) {
      return known;
    }
    return USER_NAMES.computeIfAbsent(
        uid,
        u ->
            ProcessHandle.of(pid)
                .flatMap(h -> h.info().user())
                .orElse(Long.toString(u)));
  }

  static String readText(Path file) throws IOException {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "process is gone or /proc not mounted");
    }
  }
}
