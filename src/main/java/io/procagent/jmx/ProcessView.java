package io.procagent.jmx;

import io.procagent.sampler.Sampler;
import io.procagent.source.ProcessSnapshot;
import java.time.Instant;

/** {@link ProcessMXBean} over the sampler's cached process snapshot. */
final class ProcessView implements ProcessMXBean {

  private final Sampler sampler;

  ProcessView(Sampler sampler) {
    this.sampler = sampler;
  }

  private ProcessSnapshot p() {
    ProcessSnapshot p = sampler.process();
    if (p == null) {
      throw new IllegalStateException("the process cannot be read now: " + sampler.errors().last());
    }
    return p;
  }

  @Override
  public long getPid() {
    return p().pid();
  }

  @Override
  public long getParentPid() {
    return p().ppid();
  }

  @Override
  public String getCommand() {
    return p().command();
  }

  @Override
  public String getState() {
    return String.valueOf(p().state());
  }

  @Override
  public String getUser() {
    return p().user();
  }

  @Override
  public long getUid() {
    return p().uid();
  }

  @Override
  public long getGid() {
    return p().gid();
  }

  @Override
  public String getWorkingDirectory() {
    return p().cwd();
  }

  @Override
  public String getStartTime() {
    double s = p().startTimeSeconds();
    return Double.isNaN(s) ? "" : Instant.ofEpochMilli((long) (s * 1000)).toString();
  }

  @Override
  public double getStartTimeSeconds() {
    return p().startTimeSeconds();
  }

  @Override
  public double getCpuSeconds() {
    return p().cpuSeconds();
  }

  @Override
  public double getUserCpuSeconds() {
    return p().userSeconds();
  }

  @Override
  public double getSystemCpuSeconds() {
    return p().systemSeconds();
  }

  @Override
  public double getIowaitSeconds() {
    return p().iowaitSeconds();
  }

  @Override
  public double getCpuUtilizationPercent() {
    return sampler.utilization().process() * 100;
  }

  @Override
  public double getAvailableCpus() {
    return sampler.utilization().processCpus();
  }

  @Override
  public double getCgroupCpuLimitCores() {
    return p().cgroup().limitCores();
  }

  @Override
  public long getCgroupCpuThrottledPeriods() {
    return p().cgroup().throttledPeriods();
  }

  @Override
  public double getCgroupCpuThrottledSeconds() {
    return p().cgroup().throttledSeconds();
  }

  @Override
  public double getReapedChildrenUserCpuSeconds() {
    return p().reapedChildrenUserSeconds();
  }

  @Override
  public double getReapedChildrenSystemCpuSeconds() {
    return p().reapedChildrenSystemSeconds();
  }

  @Override
  public long getResidentMemoryBytes() {
    return p().residentBytes();
  }

  @Override
  public long getVirtualMemoryBytes() {
    return p().virtualBytes();
  }

  @Override
  public long getOpenFds() {
    return p().openFds();
  }

  @Override
  public long getMaxFds() {
    return p().maxFds();
  }

  @Override
  public long getThreads() {
    return p().threads();
  }

  @Override
  public long getVoluntaryContextSwitches() {
    return p().voluntaryContextSwitches();
  }

  @Override
  public long getInvoluntaryContextSwitches() {
    return p().involuntaryContextSwitches();
  }

  @Override
  public long getMinorPageFaults() {
    return p().minorFaults();
  }

  @Override
  public long getMajorPageFaults() {
    return p().majorFaults();
  }
}
