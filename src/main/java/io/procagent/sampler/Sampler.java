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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Owns time for one target: caches the last snapshot of each source, so that any number of
 * scrapes and JMX reads within {@code cacheTtl} cost one OS read, and computes utilisation over
 * its own sampling window, so no caller can skew another's value.
 *
 * <p>Host CPU counters are clamped to never decrease (some kernels step idle back by a tick),
 * like node_exporter does.
 */
public final class Sampler {

  public static final String PROCESS = "process";
  public static final String SYSTEM = "system";
  public static final String CHILDREN = "children";
  private static final Log LOG = Log.get(Sampler.class);

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

  private ProcessSource.Cpu windowCpu;
  private SystemSnapshot windowSystem;
  private volatile Utilization utilization = Utilization.NONE;
  private ScheduledFuture<?> task;

  private DescendantSource descendants;
  private long rootPid;
  private boolean withArguments;
  private ChildrenAccounting accounting;
  private volatile ChildrenSnapshot children;

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

  /** Samples now and then every {@code interval} on {@code scheduler}. */
  public synchronized void start(ScheduledExecutorService scheduler, Duration interval) {
    if (task == null) {
      task =
          scheduler.scheduleAtFixedRate(
              this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  public synchronized void stop() {
    if (task != null) {
      task.cancel(false);
      task = null;
    }
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

  private synchronized void updateWindow(ProcessSource.Cpu cpu, SystemSnapshot s) {
    double proc = Double.NaN;
    double window = Double.NaN;
    if (cpu != null && windowCpu != null && cpu.readAtNanos() > windowCpu.readAtNanos()) {
      double wall = (cpu.readAtNanos() - windowCpu.readAtNanos()) / 1e9;
      ProcessSnapshot last = process; // CPUs allowed hardly change: the last whole read's
      int allowed = last == null ? 0 : last.cpusAllowed();
      int cpus = Math.max(1, allowed > 0 ? Math.min(allowed, availableCpus.getAsInt()) : availableCpus.getAsInt());
      proc = clamp01((cpu.seconds() - windowCpu.seconds()) / (wall * cpus));
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
    utilization = new Utilization(proc, names, per, total, window);
  }

  private static double clamp01(double v) {
    return Double.isNaN(v) ? v : Math.max(0, Math.min(1, v));
  }

  /**
   * The target process, at most {@code cacheTtl} old; null when it cannot be read (the failure
   * is counted and logged once).
   */
  public ProcessSnapshot process() {
    if (processSource == null) {
      return null;
    }
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
      out.add(CpuTimes.of(cpus.get(i).cpu(), v));
    }
    return changed
        ? new SystemSnapshot(
            out, s.load1(), s.load5(), s.load15(), s.contextSwitches(), s.forks(),
            s.bootTimeSeconds(), s.readAtNanos())
        : s;
  }

  private synchronized void scanChildrenNow() {
    if (descendants == null) {
      return;
    }
    long start = System.nanoTime();
    try {
      List<ChildProcess> scan = descendants.descendants(rootPid, withArguments);
      children = accounting.update(scan, (System.nanoTime() - start) / 1e9);
    } catch (Exception e) {
      errors.record(CHILDREN, e);
      LOG.warnOnce("children", "cannot scan child processes: " + e.getMessage());
    }
  }

  /** The last descendant scan; null when child scanning is off. */
  public ChildrenSnapshot children() {
    return children;
  }

  /** Utilisation over the last completed sampling window. */
  public Utilization utilization() {
    return utilization;
  }

  public SystemSource systemSource() {
    return systemSource;
  }

  public Errors errors() {
    return errors;
  }
}
