package io.procagent.prometheus;

import io.procagent.sampler.Sampler;
import io.procagent.sampler.Utilization;
import io.procagent.source.CpuTimes;
import io.procagent.source.SystemIdentity;
import io.procagent.source.SystemSnapshot;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The host: identity, per-CPU times in node_exporter's eight modes, utilisation, load.
 *
 * <pre>
 * system_info{arch="x86_64",hostname="web1",kernel="6.1.0-18-amd64",os="Linux"} 1
 * system_cpu_time_seconds_total{cpu="0",mode="idle"} 81234.5
 * system_cpu_utilization_ratio{cpu="0"} 0.12
 * system_logical_cpus 2
 * system_load1 0.42
 * system_boot_time_seconds 1.7636e+09
 * system_context_switches_total 123456789
 * system_forks_total 45678
 * </pre>
 */
public final class SystemCollector implements MultiCollector {

  static final String INFO = "system";
  static final String CPU_TIME = "system_cpu_time_seconds";
  static final String UTILIZATION = "system_cpu_utilization_ratio";
  static final String LOGICAL = "system_logical_cpus";
  static final String PHYSICAL = "system_physical_cores";
  static final String LOAD1 = "system_load1";
  static final String LOAD5 = "system_load5";
  static final String LOAD15 = "system_load15";
  static final String BOOT = "system_boot_time_seconds";
  static final String CTXT = "system_context_switches";
  static final String FORKS = "system_forks";

  private final Sampler sampler;

  public SystemCollector(Sampler sampler) {
    this.sampler = sampler;
  }

  @Override
  public MetricSnapshots collect() {
    return collect(name -> true);
  }

  @Override
  public MetricSnapshots collect(Predicate<String> include) {
    SystemSnapshot s = sampler.system();
    List<MetricSnapshot> out = new ArrayList<>(16);
    Snapshots b = new Snapshots(out, include);
    try {
      SystemIdentity id = sampler.systemSource().identity();
      b.info(
          INFO,
          "Identity of the host, like uname.",
          Labels.of(
              "arch", id.arch(),
              "hostname", id.hostname(),
              "kernel", id.kernel(),
              "os", id.os()));
      b.gauge(LOGICAL, "Number of logical CPUs online.", id.logicalCpus());
      b.gauge(PHYSICAL, "Number of physical CPU cores.", id.physicalCpus() > 0 ? id.physicalCpus() : Double.NaN);
    } catch (java.io.IOException e) {
      sampler.errors().record(Sampler.SYSTEM, e);
    }
    if (s == null) {
      return new MetricSnapshots(out);
    }
    if (b.wants(CPU_TIME + "_total")) {
      CounterSnapshot.Builder cpu =
          CounterSnapshot.builder()
              .name(CPU_TIME)
              .help("Seconds each CPU spent in each mode (node_exporter's eight modes).");
      for (CpuTimes t : s.cpus()) {
        double[] v = t.values();
        for (int m = 0; m < v.length; m++) {
          if (!Double.isNaN(v[m])) {
            cpu.dataPoint(
                CounterDataPointSnapshot.builder()
                    .labels(Labels.of("cpu", t.cpu(), "mode", CpuTimes.MODES[m]))
                    .value(v[m])
                    .build());
          }
        }
      }
      out.add(cpu.build());
    }
    Utilization u = sampler.utilization();
    if (u.perCpu().length > 0 && b.wants(UTILIZATION)) {
      GaugeSnapshot.Builder g =
          GaugeSnapshot.builder()
              .name(UTILIZATION)
              .help("Busy share of each CPU over the last sampling window (0..1).");
      double[] per = u.perCpu();
      for (int i = 0; i < per.length; i++) {
        if (!Double.isNaN(per[i])) {
          g.dataPoint(
              GaugeDataPointSnapshot.builder()
                  .labels(Labels.of("cpu", u.cpus().get(i)))
                  .value(per[i])
                  .build());
        }
      }
      out.add(g.build());
    }
    b.gauge(LOAD1, "1-minute load average.", s.load1());
    b.gauge(LOAD5, "5-minute load average.", s.load5());
    b.gauge(LOAD15, "15-minute load average.", s.load15());
    b.gauge(BOOT, "Boot time of the host since unix epoch in seconds.", s.bootTimeSeconds());
    b.counter(CTXT, "Context switches on the host since boot.", s.contextSwitches());
    b.counter(FORKS, "Processes and threads created on the host since boot.", s.forks());
    return new MetricSnapshots(out);
  }
}
