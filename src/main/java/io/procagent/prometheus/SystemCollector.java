package io.procagent.prometheus;

import io.procagent.sampler.Sampler;
import io.procagent.sampler.Utilization;
import io.procagent.source.CpuTimes;
import io.procagent.source.SystemIdentity;
import io.procagent.source.SystemSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The host: identity, per-CPU times in node_exporter's eight modes, utilisation, load.
 *
 * <pre>
 * system_info{arch="x86_64",hostname="web1",kernel="6.1.0-18-amd64",os="Linux"} 1
 * system_cpu_time_seconds_total{cpu="0",mode="idle"} 81234.5
 * system_cpu_guest_seconds_total{cpu="0",mode="user"} 0
 * system_cpu_utilization_ratio{cpu="0"} 0.12
 * system_logical_cpus 2
 * system_load1 0.42
 * system_boot_time_seconds 1.7636e+09
 * system_context_switches_total 123456789
 * system_forks_total 45678
 * system_interrupts_total 98765432
 * system_soft_interrupts_total 87654321
 * system_procs_running 3
 * system_procs_blocked 0
 * </pre>
 */
public final class SystemCollector implements FilteringCollector {

  static final String INFO = "system";
  static final String CPU_TIME = "system_cpu_time_seconds";
  static final String GUEST = "system_cpu_guest_seconds";
  static final String UTILIZATION = "system_cpu_utilization_ratio";
  static final String LOGICAL = "system_logical_cpus";
  static final String PHYSICAL = "system_physical_cores";
  static final String LOAD1 = "system_load1";
  static final String LOAD5 = "system_load5";
  static final String LOAD15 = "system_load15";
  static final String BOOT = "system_boot_time_seconds";
  static final String CTXT = "system_context_switches";
  static final String FORKS = "system_forks";
  static final String INTERRUPTS = "system_interrupts";
  static final String SOFT_INTERRUPTS = "system_soft_interrupts";
  static final String RUNNING = "system_procs_running";
  static final String BLOCKED = "system_procs_blocked";

  private final Sampler sampler;
  /** This collector's last snapshots, given again while unchanged. */
  private final LastSnapshots last = new LastSnapshots();
  /** Hands client_java this collector's metrics in their sorted order (see SortedOrder). */
  private final SortedOrder sorted = new SortedOrder();

  public SystemCollector(Sampler sampler) {
    this.sampler = sampler;
  }

  /**
   * Per CPU, its labels with each mode and, last, alone: built (and checked) once, not for
   * every CPU and mode at every scrape. CPU names are few and fixed (cpu0, cpu1, ...).
   */
  private final Map<String, Labels[]> cpuModeLabels = new ConcurrentHashMap<>();

  private volatile Map.Entry<SystemIdentity, Labels> identity;

  /** The identity's labels, built again only when it changed (a renamed host). */
  private Labels identityLabels(SystemIdentity id) {
    Map.Entry<SystemIdentity, Labels> last = identity;
    if (last == null || !last.getKey().equals(id)) {
      last = Map.entry(id, Labels.of("arch", id.arch(), "hostname", id.hostname(), "kernel", id.kernel(), "os", id.os()));
      identity = last;
    }
    return last.getValue();
  }

  private static Labels[] modeLabels(String cpu) {
    Labels[] l = new Labels[CpuTimes.MODES.length + 1];
    for (int m = 0; m < CpuTimes.MODES.length; m++) {
      l[m] = Labels.of("cpu", cpu, "mode", CpuTimes.MODES[m]);
    }
    l[CpuTimes.MODES.length] = Labels.of("cpu", cpu);
    return l;
  }

  @Override
  public MetricSnapshots collect(Predicate<String> include) {
    SystemSnapshot s = sampler.system();
    List<MetricSnapshot> out = new ArrayList<>(16);
    Snapshots b = new Snapshots(out, include, Labels.EMPTY, last);
    try {
      SystemIdentity id = sampler.systemSource().identity();
      b.info(INFO, "Identity of the host, like uname.", identityLabels(id));
      b.gauge(LOGICAL, "Number of logical CPUs online.", id.logicalCpus());
      b.gauge(PHYSICAL, "Number of physical CPU cores.", id.physicalCpus() > 0 ? id.physicalCpus() : Double.NaN);
    } catch (java.io.IOException e) {
      sampler.errors().record(Sampler.SYSTEM, e);
    }
    if (s == null) {
      return sorted.of(out);
    }
    if (b.wants(CPU_TIME + "_total")) {
      List<CounterDataPointSnapshot> points = new ArrayList<>(s.cpus().size() * CpuTimes.MODES.length);
      for (CpuTimes t : s.cpus()) {
        double[] v = t.values();
        Labels[] modes = cpuModeLabels.computeIfAbsent(t.cpu(), SystemCollector::modeLabels);
        for (int m = 0; m < v.length; m++) {
          if (!Double.isNaN(v[m])) {
            points.add(new CounterDataPointSnapshot(v[m], modes[m], null, 0));
          }
        }
      }
      out.add(
          new CounterSnapshot(
              Snapshots.metadata(CPU_TIME, "Seconds each CPU spent in each mode (node_exporter's eight modes)."),
              points));
    }
    if (b.wants(GUEST + "_total")) {
      List<CounterDataPointSnapshot> points = new ArrayList<>(s.cpus().size() * 2);
      for (CpuTimes t : s.cpus()) {
        Labels[] modes = cpuModeLabels.computeIfAbsent(t.cpu(), SystemCollector::modeLabels);
        if (!Double.isNaN(t.guest())) {
          points.add(new CounterDataPointSnapshot(t.guest(), modes[0], null, 0)); // mode="user"
        }
        if (!Double.isNaN(t.guestNice())) {
          points.add(new CounterDataPointSnapshot(t.guestNice(), modes[1], null, 0)); // mode="nice"
        }
      }
      if (!points.isEmpty()) {
        out.add(
            new CounterSnapshot(
                Snapshots.metadata(GUEST, "Seconds each CPU spent running guests' virtual CPUs, by mode (also counted in user and nice)."),
                points));
      }
    }
    Utilization u = sampler.utilization();
    if (u.perCpu().length > 0 && b.wants(UTILIZATION)) {
      List<GaugeDataPointSnapshot> points = new ArrayList<>(u.perCpu().length);
      double[] per = u.perCpu();
      for (int i = 0; i < per.length; i++) {
        if (!Double.isNaN(per[i])) {
          Labels cpu = cpuModeLabels.computeIfAbsent(u.cpus().get(i), SystemCollector::modeLabels)[CpuTimes.MODES.length];
          points.add(new GaugeDataPointSnapshot(per[i], cpu, null));
        }
      }
      out.add(
          new GaugeSnapshot(
              Snapshots.metadata(UTILIZATION, "Busy share of each CPU over the last sampling window (0..1)."),
              points));
    }
    b.gauge(LOAD1, "1-minute load average.", s.load1());
    b.gauge(LOAD5, "5-minute load average.", s.load5());
    b.gauge(LOAD15, "15-minute load average.", s.load15());
    b.gauge(BOOT, "Boot time of the host since unix epoch in seconds.", s.bootTimeSeconds());
    b.counter(CTXT, "Context switches on the host since boot.", s.contextSwitches());
    b.counter(FORKS, "Processes and threads created on the host since boot.", s.forks());
    b.counter(INTERRUPTS, "Hardware interrupts serviced on the host since boot.", s.interrupts());
    b.counter(SOFT_INTERRUPTS, "Soft interrupts (softirqs) serviced on the host since boot.", s.softInterrupts());
    b.gauge(RUNNING, "Threads on the host running or runnable (waiting for a CPU).", s.procsRunning());
    b.gauge(BLOCKED, "Threads on the host blocked waiting for I/O to complete.", s.procsBlocked());
    return sorted.of(out);
  }
}
