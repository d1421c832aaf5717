package io.procagent.sampler;

import io.procagent.log.Log;
import io.procagent.source.ChildProcess;
import io.procagent.source.CpuTimes;
import io.procagent.source.DescendantSource;
import io.procagent.source.ProcessSnapshot;
import io.procagent.source.ProcessSource;
import io.procagent.source.SystemSnapshot;
import io.procagent.source.SystemSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Owns time for one target: caches the last snapshot of each source, so that any number of
 * scrapes and JMX reads within {@code cacheTtl} cost one OS read, and computes utilisation over
 * its own sampling window, so no caller can skew another's value.
 *
 * <p>Host CPU counters are clamped to never decrease (some kernels step idle back by a tick),
 * like node_exporter does.
 *
 * <p>Rounds serve readers (scrapes, JMX). Started with {@link #start}, the sampler runs one every
 * interval while reads come at their usual pace, and one a minute (or every interval, if longer)
 * once nobody has read for twice the longer of the last two gaps between visits (at least one
 * interval, at most ten minutes): a round with 100 children costs 10-20 ms of cold code and
 * over a hundred /proc reads, which a JVM nobody scrapes should not pay every 5 s. The first
 * read after a quiet spell has a round run on the sampler's thread at once, and a read of the
 * descendants or of utilisation waits for it (up to a second), so no reader sees them older
 * than an interval; the ticks are rounds again from then on. While reads come at least two
 * intervals apart (Prometheus's default 15 s against the default 5 s), only the last round
 * before each read runs ({@link #paced}); a read earlier than that pace, which finds the last
 * round older than an interval (and a margin), has a round run first as after a quiet spell.
 * Called directly, {@link #tick} always runs a round (the daemon and tests do).
 */
public final class Sampler {

  public static final String PROCESS = "process";
  public static final String SYSTEM = "system";
  public static final String CHILDREN = "children";
  private static final Log LOG = Log.get(Sampler.class);
  private static final long CPUS_TTL_NANOS = 60_000_000_000L;

  private final ProcessSource processSource;
  private final SystemSource systemSource;
  private final long cacheTtlNanos;
  private final IntSupplier availableCpus;
  private final Errors errors;

  private final Object processLock = new Object();
  private final Object systemLock = new Object();
  private volatile ProcessSnapshot process;
  private volatile SystemSnapshot system;
  private double[][] clamp = new double[0][];
  /** The last answer of availableCpus and when it was asked (guarded by updateWindow's lock). */
  private int cpusAvailable;
  private long cpusAskedAt;

  private ProcessSource.Cpu windowCpu;
  /** Whether a round read the whole process, as no reader had (once; guarded by updateWindow's lock). */
  private boolean wholeReadByRound;
  private SystemSnapshot windowSystem;
  private volatile Utilization utilization = Utilization.NONE;

  private DescendantSource descendants;
  private long rootPid;
  private boolean withArguments;
  private ChildrenAccounting accounting;
  private volatile ChildrenSnapshot children;

  /** While nobody reads, a round at most this often (or every interval, if longer). */
  static final long QUIET_ROUND_NANOS = TimeUnit.MINUTES.toNanos(1);
  /** Reads closer together than this are one visit (a scrape reads several values). */
  static final long VISIT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  static final long QUIET_AFTER_MAX_NANOS = TimeUnit.MINUTES.toNanos(10);
  /** Reads at least this many intervals apart get one round each (see paced). */
  static final int PACED_INTERVALS = 2;
  private LongSupplier clock = System::nanoTime;
  private final Object reads = new Object();
  private boolean visited; // guarded by reads, as the four below
  private long lastRead;
  private long lastVisit;
  private long gap1;
  private long gap2;
  private long intervalNanos; // set by start
  private volatile boolean rounded; // written on the sampler's thread only, as lastRound
  private volatile long lastRound;
  private Thread thread; // guarded by reads, as the five below
  private long nextAt;
  private boolean inRound;
  private boolean catchUpWanted;
  private long catchUpRound;
  private long roundsDone;
  /** How long a read of the descendants waits for the round a quiet spell's end started. */
  static final long CATCH_UP_WAIT_MS = 1000;

  /**
   * @param processSource the target process, or null when the process collector is off
   * @param systemSource the host, or null when the system collector is off
   * @param cacheTtl how long one OS read serves every caller
   * @param availableCpus CPUs the process may use (cgroup- and affinity-aware for this JVM)
   * @param errors where read failures are counted
   */
  public Sampler(
      ProcessSource processSource,
      SystemSource systemSource,
      Duration cacheTtl,
      IntSupplier availableCpus,
      Errors errors) {
    this.processSource = processSource;
    this.systemSource = systemSource;
    this.cacheTtlNanos = cacheTtl.toNanos();
    this.availableCpus = availableCpus;
    this.errors = errors;
  }

  /**
   * Also scans the descendants of {@code rootPid} on every sampling round (never on a scrape).
   * Call before {@link #start}.
   *
   * @param maxLive how many descendants the live table (JMX) keeps
   * @param withArguments read command lines (redacted) for the live table
   */
  public synchronized void scanChildren(
      DescendantSource source, long rootPid, CommandGroups groups, int maxLive, boolean withArguments) {
    this.descendants = source;
    this.rootPid = rootPid;
    this.withArguments = withArguments;
    this.accounting = new ChildrenAccounting(groups, maxLive);
    this.children = ChildrenSnapshot.EMPTY;
  }

  /**
   * Samples now and then every {@code interval} on a daemon thread of its own, {@code
   * procagent-sampler}, while read, and once a minute while not (see the class comment). The
   * thread waits on a monitor between rounds: a wake through a ScheduledThreadPoolExecutor, whose
   * code an idle JVM runs interpreted and cold, cost 5-7 ms of CPU here, a plain wait 0.6 ms.
   */
  public void start(Duration interval) {
    synchronized (reads) {
      if (thread == null) {
        interval(interval);
        nextAt = clock.getAsLong();
        Thread t = new Thread(this::run, "procagent-sampler");
        t.setDaemon(true);
        t.setContextClassLoader(Sampler.class.getClassLoader());
        thread = t;
        t.start();
      }
    }
  }

  /** Stops the thread (it ends after a round it is in); reads go on from the last values. */
  public void stop() {
    synchronized (reads) {
      thread = null;
      reads.notifyAll();
    }
  }

  private void run() {
    try {
      loop(Thread.currentThread());
    } finally {
      synchronized (reads) { // ended by stop, an interrupt or an Error: readers must not wait for it
        if (thread == Thread.currentThread()) {
          thread = null;
        }
        reads.notifyAll();
      }
    }
  }

  private void loop(Thread me) {
    while (true) {
      long now;
      boolean forced;
      synchronized (reads) {
        while (true) {
          if (thread != me) {
            return;
          }
          now = clock.getAsLong();
          if (catchUpWanted || now - nextAt >= 0) {
            break;
          }
          try {
            reads.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextAt - now)));
          } catch (InterruptedException e) {
            return;
          }
        }
        forced = catchUpWanted;
        catchUpWanted = false;
        inRound = true;
      }
      tickAt(now, forced);
      synchronized (reads) {
        inRound = false;
        roundsDone++;
        long end = clock.getAsLong();
        nextAt = end + nextDelay(now, end);
        reads.notifyAll(); // readers waiting for a catch-up round
      }
    }
  }

  /** A tick of the sampler's thread now (tests drive the thread's choices with it). */
  void scheduledTick() {
    tickAt(clock.getAsLong(), false);
  }

  /**
   * A round, if forced, or unless nobody reads and the last round is recent enough, or reads
   * come at a pace that another round will serve first ({@link #paced}).
   */
  private void tickAt(long now, boolean forced) {
    if (forced || roundDue(now) && !paced(now)) {
      round(now);
    }
  }

  /**
   * Whether a round due at {@code now} is left out because reads come at a steady pace of at
   * least {@link #PACED_INTERVALS} intervals (Prometheus every 15 s against the default 5 s).
   * Of the rounds due every interval, only the last one due at least a margin (a quarter
   * second, or half an interval if shorter) before the next read is expected runs, so a read
   * finds the descendants at most an interval and the margin old (an interval with every
   * round), and the utilisation over the whole time since the round before, about the time
   * between reads (as psutil's {@code cpu_percent()} between calls), instead of over the last
   * interval only. The rounds in between, which nobody would read, are not paid for: at
   * Prometheus's default pace they were a third of procagent's threads' CPU. The margin keeps a
   * round from coming just after the read it was meant to serve (which would then find the
   * round of a whole pace before). The pace is the shorter of the last two gaps between visits,
   * so a read that comes early is expected early; once the expected time is a margin past
   * without a read, every round runs again.
   */
  boolean paced(long now) {
    synchronized (reads) {
      if (gap2 <= 0 || quietLocked(now)) {
        return false;
      }
      long pace = Math.min(gap1, gap2);
      if (pace < PACED_INTERVALS * intervalNanos) {
        return false;
      }
      long margin = margin();
      // the round due in the interval up to a margin before the read is expected serves it; the
      // rounds before that one, and after it until the read is a margin late, are left out
      long sinceServe = now - (lastVisit + pace - margin);
      return sinceServe <= -intervalNanos || sinceServe > 0 && sinceServe < 2 * margin;
    }
  }

  /** How long before an expected read its round is due: a quarter second, or half an interval if shorter. */
  private long margin() {
    return Math.min(VISIT_NANOS, intervalNanos / 2);
  }

  /**
   * Whether a read at {@code now} needs a round first (guarded by reads): after a quiet spell,
   * or when the last round is more than an interval and the margin old, which is what a read
   * earlier than the pace finds ({@link #paced} left out the rounds before the read it expected
   * later: a person's curl between two of Prometheus's scrapes, or a JMX read).
   */
  private boolean readWantsRound(long now) {
    return quietLocked(now) || rounded && now - lastRound >= intervalNanos + margin();
  }

  /**
   * What the sampler's thread does for a read at the clock's time ({@link #noteRead}), for tests
   * that drive the rounds themselves: the round the read wants at once, if it wants one.
   *
   * @return whether it ran one
   */
  boolean roundForRead() {
    long now = clock.getAsLong();
    synchronized (reads) {
      if (!readWantsRound(now) || !lastRoundAnIntervalOld(now)) {
        return false;
      }
    }
    tickAt(now, true);
    return true;
  }

  /** Whether no round ran yet, or the last one started an interval or more before {@code now}. */
  private boolean lastRoundAnIntervalOld(long now) {
    return !rounded || now - lastRound >= intervalNanos;
  }

  private boolean roundDue(long now) {
    return !rounded || !quiet(now) || now - lastRound >= quietRound() - intervalNanos / 2;
  }

  private long quietRound() {
    return Math.max(QUIET_ROUND_NANOS, intervalNanos);
  }

  /**
   * Nanoseconds from {@code end} to the next tick of one that started at {@code start}: an
   * interval after its start while read, the next quiet round's time while not.
   */
  long nextDelay(long start, long end) {
    long delay = quiet(end) ? lastRound + quietRound() - end : start + intervalNanos - end;
    return Math.max(0, delay);
  }

  private void round(long now) {
    rounded = true;
    lastRound = now;
    tick();
  }

  /** Whether nobody has read for longer than their usual pace lets expect. */
  boolean quiet(long now) {
    synchronized (reads) {
      return quietLocked(now);
    }
  }

  private boolean quietLocked(long now) {
    long quietAfter = Math.min(QUIET_AFTER_MAX_NANOS, Math.max(intervalNanos, 2 * Math.max(gap1, gap2)));
    return !visited || now - lastRead > quietAfter;
  }

  /**
   * Called by every read: reads of one visit share it; the gaps between visits set the pace. A
   * read that ends a quiet spell has a round run at once if the last is older than an interval,
   * else an interval after the last; the rounds go on at the interval from then. So has a read
   * that finds the last round older than an interval and the margin (one earlier than the pace).
   */
  private void noteRead() {
    long now = clock.getAsLong();
    synchronized (reads) {
      if (thread != null && readWantsRound(now) && !catchUpWanted) {
        if (inRound) { // the round under way serves this read
          catchUpRound = roundsDone + 1;
        } else if (lastRoundAnIntervalOld(now)) {
          catchUpWanted = true;
          catchUpRound = roundsDone + 1;
        } else { // the last round is fresh: the next at its interval, not at the quiet round's time
          nextAt = lastRound + intervalNanos;
        }
        reads.notifyAll();
      }
      if (visited && now - lastRead >= VISIT_NANOS) {
        gap2 = gap1;
        gap1 = now - lastVisit;
        lastVisit = now;
      } else if (!visited) {
        visited = true;
        lastVisit = now;
      }
      lastRead = now;
    }
  }

  /** Waits (up to {@link #CATCH_UP_WAIT_MS}) for the round a quiet spell's end asked for. */
  private void awaitCatchUp() {
    synchronized (reads) {
      if (Thread.currentThread() == thread) {
        return; // never wait for the own thread
      }
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CATCH_UP_WAIT_MS);
      while (thread != null && roundsDone < catchUpRound) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return; // the last round's values, as before the quiet spell's end
        }
        try {
          reads.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** The interval of the ticks: set by {@link #start}, or by tests. */
  void interval(Duration interval) {
    intervalNanos = interval.toNanos();
  }

  /** For tests: the clock of ticks and reads (the thread still waits in real time). */
  void clock(LongSupplier nanos) {
    this.clock = nanos;
  }

  /**
   * One sampling round: a new utilisation window and a descendant scan. Never throws. Of the
   * process it reads only its CPU time (one small file); the whole process is read when a
   * scrape or JMX asks, so a round nobody looks at costs little.
   */
  public void tick() {
    try {
      ProcessSource.Cpu cpu = processSource == null ? null : processCpu();
      SystemSnapshot s = systemSource == null ? null : refreshSystem(true);
      updateWindow(cpu, s);
      scanChildrenNow();
    } catch (RuntimeException e) {
      LOG.warnOnce("tick", "sampling failed: " + e);
    }
  }

  private ProcessSource.Cpu processCpu() {
    try {
      return processSource.cpu();
    } catch (io.procagent.source.NoProcessException e) {
      return null;
    } catch (Exception e) {
      errors.record(PROCESS, e);
      LOG.warnOnce("process", "cannot read the process: " + e.getMessage());
      return null;
    }
  }

  /**
   * The CPUs available, asked at most once a minute: the JVM's answer costs a sched_getaffinity
   * and two cgroup files opened and parsed (cached 20 ms), and a quota or an affinity hardly
   * changes.
   */
  private int availableCpus(long now) {
    if (cpusAvailable <= 0 || now - cpusAskedAt >= CPUS_TTL_NANOS) {
      cpusAvailable = availableCpus.getAsInt();
      cpusAskedAt = now;
    }
    return cpusAvailable;
  }

  private synchronized void updateWindow(ProcessSource.Cpu cpu, SystemSnapshot s) {
    double proc = Double.NaN;
    double window = Double.NaN;
    double processCpus = Double.NaN;
    if (cpu != null && windowCpu != null && cpu.readAtNanos() > windowCpu.readAtNanos()) {
      double wall = (cpu.readAtNanos() - windowCpu.readAtNanos()) / 1e9;
      // CPUs allowed and a cgroup's quota hardly change: the last whole read's, made here
      // once if no reader has made one yet (a quota of 0.5 CPU would otherwise count as 1)
      ProcessSnapshot last = process;
      if (last == null && !wholeReadByRound) {
        wholeReadByRound = true;
        last = refreshProcess();
      }
      int allowed = last == null ? 0 : last.cpusAllowed();
      int available = availableCpus(cpu.readAtNanos());
      double cpus = Math.max(1, allowed > 0 ? Math.min(allowed, available) : available);
      // a cgroup's quota may be a fraction (a container of 0.5 CPU), where the JVM counts 1
      double limit = last == null ? Double.NaN : last.cgroup().limitCores();
      if (limit > 0 && limit < cpus) {
        cpus = limit;
      }
      proc = clamp01((cpu.seconds() - windowCpu.seconds()) / (wall * cpus));
      processCpus = cpus;
      window = wall;
    }
    List<String> names = new ArrayList<>();
    double[] per = new double[0];
    double total = Double.NaN;
    if (s != null && windowSystem != null && s.cpus().size() == windowSystem.cpus().size()) {
      per = new double[s.cpus().size()];
      double busy = 0;
      double all = 0;
      for (int i = 0; i < per.length; i++) {
        CpuTimes now = s.cpus().get(i);
        CpuTimes then = windowSystem.cpus().get(i);
        double b = now.busy() - then.busy();
        double a = now.all() - then.all();
        per[i] = a > 0 ? clamp01(b / a) : Double.NaN;
        names.add(now.cpu());
        busy += b;
        all += a;
      }
      total = all > 0 ? clamp01(busy / all) : Double.NaN;
      window = (s.readAtNanos() - windowSystem.readAtNanos()) / 1e9;
    }
    if (cpu != null) {
      windowCpu = cpu;
    }
    if (s != null) {
      windowSystem = s;
    }
    utilization = new Utilization(proc, names, per, total, window, processCpus);
  }

  /** {@code v} within 0..1, to the millionth (a ratio of 10 ms ticks has far fewer digits). */
  private static double clamp01(double v) {
    return Double.isNaN(v) ? v : Math.round(Math.max(0, Math.min(1, v)) * 1e6) / 1e6;
  }

  /**
   * A duration in seconds to the microsecond: what a scrape writes of durations, without the
   * nine digits of nanoseconds that would take the JDK's general float formatting.
   */
  public static double seconds(long nanos) {
    return Math.round(nanos / 1e3) / 1e6;
  }

  /**
   * The target process, at most {@code cacheTtl} old; null when it cannot be read (the failure
   * is counted and logged once).
   */
  public ProcessSnapshot process() {
    if (processSource == null) {
      return null;
    }
    noteRead();
    ProcessSnapshot p = process;
    if (p != null && System.nanoTime() - p.readAtNanos() < cacheTtlNanos) {
      return p;
    }
    return refreshProcess();
  }

  private ProcessSnapshot refreshProcess() {
    synchronized (processLock) {
      ProcessSnapshot p = process;
      // another caller may have refreshed while we waited: single flight
      if (p != null && System.nanoTime() - p.readAtNanos() < cacheTtlNanos) {
        return p;
      }
      try {
        p = processSource.read();
        process = p;
        return p;
      } catch (io.procagent.source.NoProcessException e) {
        process = null;
        return null;
      } catch (Exception e) {
        errors.record(PROCESS, e);
        LOG.warnOnce("process", "cannot read the process: " + e.getMessage());
        return null;
      }
    }
  }

  /** Host CPU, at most {@code cacheTtl} old, counters clamped; null when unreadable. */
  public SystemSnapshot system() {
    if (systemSource == null) {
      return null;
    }
    noteRead();
    SystemSnapshot s = system;
    if (s != null && System.nanoTime() - s.readAtNanos() < cacheTtlNanos) {
      return s;
    }
    return refreshSystem(false);
  }

  private SystemSnapshot refreshSystem(boolean force) {
    synchronized (systemLock) {
      SystemSnapshot s = system;
      if (!force && s != null && System.nanoTime() - s.readAtNanos() < cacheTtlNanos) {
        return s;
      }
      try {
        s = clamp(systemSource.read());
        system = s;
        return s;
      } catch (Exception e) {
        errors.record(SYSTEM, e);
        LOG.warnOnce("system", "cannot read host CPU: " + e.getMessage());
        return null;
      }
    }
  }

  /** Replaces any CPU counter that went backwards with its previous maximum. */
  private SystemSnapshot clamp(SystemSnapshot s) {
    List<CpuTimes> cpus = s.cpus();
    if (clamp.length != cpus.size()) {
      clamp = new double[cpus.size()][];
    }
    List<CpuTimes> out = new ArrayList<>(cpus.size());
    boolean changed = false;
    for (int i = 0; i < cpus.size(); i++) {
      double[] v = cpus.get(i).values();
      double[] max = clamp[i];
      if (max == null) {
        clamp[i] = v.clone();
      } else {
        for (int m = 0; m < v.length; m++) {
          if (v[m] < max[m]) {
            v[m] = max[m];
            changed = true;
          } else {
            max[m] = v[m];
          }
        }
      }
      out.add(cpus.get(i).withModes(v));
    }
    return changed
        ? new SystemSnapshot(
            out, s.load1(), s.load5(), s.load15(), s.contextSwitches(), s.forks(), s.interrupts(),
            s.softInterrupts(), s.procsRunning(), s.procsBlocked(), s.bootTimeSeconds(), s.readAtNanos())
        : s;
  }

  private synchronized void scanChildrenNow() {
    if (descendants == null) {
      return;
    }
    long start = System.nanoTime();
    try {
      List<ChildProcess> scan = descendants.descendants(rootPid, withArguments);
      children = accounting.update(scan, seconds(System.nanoTime() - start));
    } catch (Exception e) {
      errors.record(CHILDREN, e);
      LOG.warnOnce("children", "cannot scan child processes: " + e.getMessage());
    }
  }

  /** The last descendant scan; null when child scanning is off. */
  public ChildrenSnapshot children() {
    noteRead();
    awaitCatchUp();
    return children;
  }

  /**
   * Utilisation over the last completed sampling window; the first read after a quiet spell
   * waits for the round it started, as {@link #children} does (after a JVM's first quiet minute,
   * that round is the one that makes a window at all).
   */
  public Utilization utilization() {
    noteRead();
    awaitCatchUp();
    return utilization;
  }

  public SystemSource systemSource() {
    return systemSource;
  }

  public Errors errors() {
    return errors;
  }
}
