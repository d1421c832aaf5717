package io.procagent.jmx;

import io.procagent.sampler.Sampler;
import io.procagent.sampler.Utilization;
import io.procagent.source.CpuTimes;
import io.procagent.source.SystemIdentity;
import io.procagent.source.SystemSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@link SystemCpuMXBean} over the sampler's cached host snapshot. */
final class SystemCpuView implements SystemCpuMXBean {

  private final Sampler sampler;

  SystemCpuView(Sampler sampler) {
    this.sampler = sampler;
  }

  private SystemIdentity id() {
    try {
      return sampler.systemSource().identity();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private SystemSnapshot s() {
    SystemSnapshot s = sampler.system();
    if (s == null) {
      throw new IllegalStateException("host CPU cannot be read now: " + sampler.errors().last());
    }
    return s;
  }

  @Override
  public String getHostname() {
    return id().hostname();
  }

  @Override
  public String getOsName() {
    return id().os();
  }

  @Override
  public String getKernelRelease() {
    return id().kernel();
  }

  @Override
  public String getArch() {
    return id().arch();
  }

  @Override
  public int getLogicalCpuCount() {
    return id().logicalCpus();
  }

  @Override
  public int getPhysicalCpuCount() {
    return id().physicalCpus();
  }

  @Override
  public double getBootTimeSeconds() {
    return s().bootTimeSeconds();
  }

  @Override
  public double getLoadAverage1m() {
    return s().load1();
  }

  @Override
  public double getLoadAverage5m() {
    return s().load5();
  }

  @Override
  public double getLoadAverage15m() {
    return s().load15();
  }

  @Override
  public double getCpuUtilizationPercent() {
    return sampler.utilization().total() * 100;
  }

  @Override
  public Map<String, Double> getPerCpuUtilizationPercent() {
    Utilization u = sampler.utilization();
    double[] per = u.perCpu();
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < per.length; i++) {
      out.put("cpu" + u.cpus().get(i), per[i] * 100);
    }
    return out;
  }

  @Override
  public Map<String, Double> getCpuSecondsByMode() {
    double[] sum = new double[CpuTimes.MODES.length];
    for (CpuTimes t : s().cpus()) {
      double[] v = t.values();
      for (int m = 0; m < v.length; m++) {
        sum[m] += v[m];
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (int m = 0; m < sum.length; m++) {
      out.put(CpuTimes.MODES[m], sum[m]);
    }
    return out;
  }

  @Override
  public long getContextSwitches() {
    return s().contextSwitches();
  }

  @Override
  public long getForks() {
    return s().forks();
  }

  @Override
  public long getInterrupts() {
    return s().interrupts();
  }

  @Override
  public long getSoftInterrupts() {
    return s().softInterrupts();
  }

  @Override
  public long getProcsRunning() {
    return s().procsRunning();
  }

  @Override
  public long getProcsBlocked() {
    return s().procsBlocked();
  }
}
