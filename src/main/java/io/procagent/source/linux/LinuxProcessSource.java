package io.procagent.source.linux;

import io.procagent.source.ProcessSnapshot;
import io.procagent.source.ProcessSource;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
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
   * read them ({@link #cpu}); a scrape every 15 s does.
   */
  static final long SLOW_FIELDS_NANOS = 4_000_000_000L;
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
  /**
   * Thread status files read per refresh of the context switches: all of a JVM's usual few
   * dozen threads; of 2,000 threads, each is read again every 16 refreshes (about a minute).
   */
  static final int THREADS_PER_REFRESH = 128;
  private long slowFieldsAt;
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
  private final String taskDir;
  /** How many threads' status files one refresh of the context switches reads at most. */
  private final int threadsPerRefresh;
  /** Each thread's switches as last read, by tid; entries live as long as their threads. */
  private final Map<String, ThreadSwitches> threadSwitches = new HashMap<>();
  /** The threads read, least recently read first. */
  private final ArrayDeque<String> readOrder = new ArrayDeque<>();
  private final byte[][] statusBytes = {new byte[4096]};

  /**
   * @param procRoot the procfs mount, {@code /proc} in production, a fixture dir in tests
   * @param pid the process to read
   */
  public LinuxProcessSource(Path procRoot, long pid) {
    this(procRoot, pid, THREADS_PER_REFRESH);
  }

  LinuxProcessSource(Path procRoot, long pid, int threadsPerRefresh) {
    this.threadsPerRefresh = threadsPerRefresh;
    this.procfs = Procfs.of(procRoot);
    this.dir = procRoot.resolve(Long.toString(pid));
    this.pid = pid;
    this.self = pid == ProcessHandle.current().pid();
    this.fdPath = dir + "/fd";
    this.statusPath = dir + "/status";
    this.statPath = dir + "/stat";
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
    int len = ProcessTable.readWholeOrThrow(statPath, statBytes); // first: it may grow the buffer
    ProcParsers.Stat stat = ProcParsers.parseStat(statBytes[0], len);
    if (stat == null) {
      throw new IOException(statPath + " has no (comm) field");
    }
    len = ProcessTable.readWholeOrThrow(statusPath, statusBytes);
    ProcParsers.Status status = ProcParsers.parseStatus(statusBytes[0], len);
    if (limits == null || now - limitsAt >= LIMITS_NANOS) {
      limits = readLimits();
      cwd = cwd();
      limitsAt = now;
    }
    if (threadSwitches.isEmpty() || now - slowFieldsAt >= SLOW_FIELDS_NANOS) {
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
        status.rssBytes(),
        stat.vsize(),
        limits.maxAddressSpace(),
        self ? procfs.countFds(fdPath) : procfs.listFds(dir.toString()),
        Double.isInfinite(limits.maxOpenFiles()) || Double.isNaN(limits.maxOpenFiles())
            ? ProcessSnapshot.UNKNOWN
            : (long) limits.maxOpenFiles(),
        status.threads() >= 0 ? status.threads() : stat.threads(),
        maxVoluntary,
        maxInvoluntary,
        status.cpusAllowed(),
        now);
  }

  /** One read of /proc/PID/stat into a kept buffer, no Strings: what each sampling round costs. */
  @Override
  public synchronized Cpu cpu() throws IOException {
    long now = System.nanoTime();
    String path = statPath;
    int len = ProcessTable.read(path, statBytes[0]);
    if (len < 0) {
      throw new NoSuchFileException(path, null, "process is gone or /proc not mounted");
    }
    long ticks = ProcParsers.cpuTicksOf(statBytes[0], len);
    if (ticks < 0) {
      throw new IOException(path + " has no CPU times");
    }
    return new Cpu(ticks / ProcParsers.USER_HZ, now);
  }

  /**
   * /proc/PID/status counts the main thread's context switches only; the process's are the sum
   * over its threads, one status file each. A JVM may run thousands of threads, so after the
   * first call (which reads them all) each reads at most {@link #threadsPerRefresh} (new threads
   * first, then those read longest ago) and reuses the rest as last read; a new thread not read yet
   * counts when its turn comes. Threads that ended take theirs with them, so the sum is kept
   * monotonic.
   */
  void sumContextSwitches(ProcParsers.Status leader) {
    String[] tasks = new File(taskDir).list();
    if (tasks == null) {
      maxVoluntary = Math.max(maxVoluntary, leader.voluntaryCtxt());
      maxInvoluntary = Math.max(maxInvoluntary, leader.nonvoluntaryCtxt());
      return;
    }
    // the first refresh reads every thread; later ones new threads first, within the budget
    int budget = threadSwitches.isEmpty() ? Integer.MAX_VALUE : threadsPerRefresh;
    int queued = readOrder.size();
    for (String task : tasks) {
      ThreadSwitches known = threadSwitches.get(task);
      if (known != null) {
        known.listed = true;
      } else if (budget > 0) {
        budget--;
        ThreadSwitches t = new ThreadSwitches(taskDir + "/" + task + "/status");
        read(t);
        t.listed = true;
        threadSwitches.put(task, t);
        readOrder.addLast(task);
      }
    }
    // then the threads read longest ago; those that ended leave the queue
    for (; queued > 0 && budget > 0; queued--) {
      String task = readOrder.pollFirst();
      ThreadSwitches known = threadSwitches.get(task);
      if (known != null && known.listed) {
        budget--;
        read(known);
        readOrder.addLast(task);
      }
    }
    long vol = 0;
    long nonvol = 0;
    for (Iterator<ThreadSwitches> it = threadSwitches.values().iterator(); it.hasNext(); ) {
      ThreadSwitches t = it.next();
      if (!t.listed) {
        it.remove(); // the thread ended, and its switches with it
        continue;
      }
      t.listed = false;
      vol += Math.max(0, t.voluntary);
      nonvol += Math.max(0, t.involuntary);
    }
    maxVoluntary = Math.max(maxVoluntary, vol);
    maxInvoluntary = Math.max(maxInvoluntary, nonvol);
  }

  /**
   * A thread's switches as last read, updated in place, with its status file's path: a refresh
   * reads up to {@link #THREADS_PER_REFRESH} of them, and a JVM's threads mostly live long.
   */
  private static final class ThreadSwitches {
    final String statusPath;
    long voluntary = ProcessSnapshot.UNKNOWN;
    long involuntary = ProcessSnapshot.UNKNOWN;
    /** In this refresh's listing of the threads. */
    boolean listed;

    ThreadSwitches(String statusPath) {
      this.statusPath = statusPath;
    }
  }

  /** Reads a thread's switches; keeps the last ones when it ended meanwhile. */
  private void read(ThreadSwitches t) {
    // the switches are the status file's last lines: read it whole into the kept buffer
    int len = ProcessTable.readWhole(t.statusPath, statusBytes);
    if (len <= 0) { // the thread ended while we listed: its switches are gone with it
      return;
    }
    byte[] b = statusBytes[0];
    t.voluntary = ProcParsers.voluntarySwitchesOf(b, len);
    t.involuntary = ProcParsers.nonvoluntarySwitchesOf(b, len);
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
