package io.procagent.prometheus;

import io.procagent.sampler.Sampler;
import io.procagent.sampler.Utilization;
import io.procagent.source.CgroupCpu;
import io.procagent.source.ProcessSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The target process: identity, CPU times, memory, descriptors, threads. One sampler read per
 * scrape serves every sample.
 *
 * <pre>
 * process_info{command="java",cwd="/srv/app",gid="1000",pid="4242",ppid="1",uid="1000",user="app"} 1
 * process_start_time_seconds 1.7637e+09
 * process_cpu_seconds_total 12.34
 * process_cpu_time_seconds_total{mode="user"} 10.1
 * process_cpu_time_seconds_total{mode="system"} 2.24
 * process_cpu_utilization_ratio 0.031
 * process_cpus_available 2
 * process_cgroup_cpu_limit_cores 0.5          (in a cgroup with a CPU quota: a container's limit)
 * process_cgroup_cpu_throttled_periods_total 83
 * process_reaped_children_cpu_seconds_total{mode="user"} 0.5
 * process_resident_memory_bytes 1.2e+08
 * process_open_fds 23
 * process_context_switches_total{type="voluntary"} 1234
 * process_page_faults_total{type="major"} 12
 * </pre>
 */
public final class ProcessCollector implements FilteringCollector {

  static final String INFO = "process";
  static final String START = "process_start_time_seconds";
  static final String CPU = "process_cpu_seconds";
  static final String CPU_MODE = "process_cpu_time_seconds";
  static final String UTILIZATION = "process_cpu_utilization_ratio";
  static final String CPUS = "process_cpus_available";
  static final String REAPED = "process_reaped_children_cpu_seconds";
  static final String CGROUP_LIMIT = "process_cgroup_cpu_limit_cores";
  static final String CGROUP_PERIODS = "process_cgroup_cpu_periods";
  static final String CGROUP_THROTTLED = "process_cgroup_cpu_throttled_periods";
  static final String CGROUP_THROTTLED_SECONDS = "process_cgroup_cpu_throttled_seconds";
  static final String RSS = "process_resident_memory_bytes";
  static final String VMS = "process_virtual_memory_bytes";
  static final String VMS_MAX = "process_virtual_memory_max_bytes";
  static final String OPEN_FDS = "process_open_fds";
  static final String MAX_FDS = "process_max_fds";
  static final String THREADS = "process_threads";
  static final String CTX = "process_context_switches";
  static final String FAULTS = "process_page_faults";

  /** What Go's client exports for an unlimited address space (max uint64). */
  static final double UNLIMITED = 1.8446744073709552E19;

  private final Sampler sampler;
  private final Labels base;
  /** This collector's last snapshots, given again while unchanged. */
  private final LastSnapshots last = new LastSnapshots();
  /** Hands client_java this collector's metrics in their sorted order (see SortedOrder). */
  private final SortedOrder sorted = new SortedOrder();
  /** The label sets of the points by mode and by type, made once with the base labels. */
  private final Labels[] userSystem;
  private final Labels[] userSystemIowait;
  private final Labels[] ctxTypes;
  private final Labels[] faultTypes;

  public ProcessCollector(Sampler sampler) {
    this(sampler, Labels.EMPTY);
  }

  /** @param base labels on every sample, e.g. the daemon's {@code target} */
  public ProcessCollector(Sampler sampler, Labels base) {
    this.sampler = sampler;
    this.base = base;
    this.userSystem = labels(base, "mode", "user", "system");
    this.userSystemIowait = labels(base, "mode", "user", "system", "iowait");
    this.ctxTypes = labels(base, "type", "voluntary", "involuntary");
    this.faultTypes = labels(base, "type", "minor", "major");
  }

  private static Labels[] labels(Labels base, String name, String... values) {
    Labels[] l = new Labels[values.length];
    for (int i = 0; i < l.length; i++) {
      l[i] = Snapshots.merged(base, Snapshots.labels(name, values[i]));
    }
    return l;
  }

  /** The identity labels of the last scrape and what they were made of. */
  private record Identity(
      String command, String cwd, long gid, long pid, long ppid, long uid, String user, Labels labels) {

    /** Whether {@code p} has this identity: compared field by field, no label value made. */
    boolean of(ProcessSnapshot p) {
      return p.gid() == gid && p.pid() == pid && p.ppid() == ppid && p.uid() == uid
          && Objects.equals(p.command(), command) && Objects.equals(p.cwd(), cwd)
          && Objects.equals(p.user(), user);
    }
  }

  /** Built again only when a value changed (cwd can). */
  private volatile Identity identity;

  private Labels identity(ProcessSnapshot p) {
    Identity last = identity;
    if (last != null && last.of(p)) {
      return last.labels;
    }
    Labels labels =
        Labels.of("command", p.command(), "cwd", p.cwd(), "gid", id(p.gid()), "pid", Long.toString(p.pid()),
            "ppid", id(p.ppid()), "uid", id(p.uid()), "user", p.user());
    identity = new Identity(p.command(), p.cwd(), p.gid(), p.pid(), p.ppid(), p.uid(), p.user(), labels);
    return labels;
  }

  @Override
  public MetricSnapshots collect(Predicate<String> include) {
    ProcessSnapshot p = sampler.process();
    if (p == null) {
      return MetricSnapshots.of();
    }
    List<MetricSnapshot> out = new ArrayList<>(16);
    Snapshots s = new Snapshots(out, include, base, last);
    s.info(
        INFO,
        "Identity of the target process.",
        identity(p));
    s.gauge(START, "Start time of the process since unix epoch in seconds.", p.startTimeSeconds());
    s.counter(CPU, "Total user and system CPU time spent in seconds.", p.cpuSeconds());
    if (Double.isNaN(p.iowaitSeconds())) {
      s.counter(
          CPU_MODE, "CPU time of the process by mode, in seconds.", userSystem,
          new double[] {p.userSeconds(), p.systemSeconds()});
    } else {
      s.counter(
          CPU_MODE,
          "CPU time of the process by mode, in seconds (iowait: time blocked on block I/O).",
          userSystemIowait,
          new double[] {p.userSeconds(), p.systemSeconds(), p.iowaitSeconds()});
    }
    Utilization u = sampler.utilization();
    s.gauge(
        UTILIZATION,
        "Share of the CPUs available to the process it used over the last sampling window (0..1).",
        u.process());
    s.gauge(CPUS, "CPUs available to the process: those it may run on, or its cgroup's CPU quota if lower.", u.processCpus());
    CgroupCpu cgroup = p.cgroup();
    s.gauge(CGROUP_LIMIT, "CPUs the process's cgroup may use: its CFS quota over its period (only under a quota).",
        cgroup.limitCores());
    s.counter(CGROUP_PERIODS, "CFS periods in which the process's cgroup had tasks to run (only under a quota).",
        cgroup.periods());
    s.counter(CGROUP_THROTTLED, "CFS periods in which the process's cgroup used up its quota and waited (only under a quota).",
        cgroup.throttledPeriods());
    s.counter(CGROUP_THROTTLED_SECONDS, "Time the process's cgroup waited for its quota, in seconds (only under a quota).",
        cgroup.throttledSeconds());
    s.counter(
        REAPED,
        "CPU time of exited children that were waited for, in seconds.",
        userSystem,
        new double[] {p.reapedChildrenUserSeconds(), p.reapedChildrenSystemSeconds()});
    s.gauge(RSS, "Resident memory size in bytes.", p.residentBytes());
    s.gauge(VMS, "Virtual memory size in bytes.", p.virtualBytes());
    s.gauge(
        VMS_MAX,
        "Maximum amount of virtual memory available in bytes.",
        Double.isInfinite(p.virtualMaxBytes()) ? UNLIMITED : p.virtualMaxBytes());
    s.gauge(OPEN_FDS, "Number of open file descriptors.", p.openFds());
    s.gauge(MAX_FDS, "Maximum number of open file descriptors.", p.maxFds());
    s.gauge(THREADS, "Number of OS threads in the process.", p.threads());
    s.counter(
        CTX,
        "Context switches of the process by type.",
        ctxTypes,
        new double[] {p.voluntaryContextSwitches(), p.involuntaryContextSwitches()});
    s.counter(
        FAULTS,
        "Page faults of the process by type: minor (the page was in memory), major (read from disk or swap).",
        faultTypes,
        new double[] {p.minorFaults(), p.majorFaults()});
    return sorted.of(out);
  }

  private static String id(long v) {
    return v < 0 ? "" : Long.toString(v);
  }
}
