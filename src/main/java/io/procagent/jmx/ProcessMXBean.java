package io.procagent.jmx;

/**
 * {@code procagent:type=Process}: the target process, from the same cached snapshot the
 * Prometheus scrape uses. Times in seconds, sizes in bytes; -1 or NaN where the OS gives no value.
 */
public interface ProcessMXBean {
  long getPid();

  long getParentPid();

  String getCommand();

  String getState();

  String getUser();

  long getUid();

  long getGid();

  String getWorkingDirectory();

  /** Start time as ISO-8601, for people. */
  String getStartTime();

  double getStartTimeSeconds();

  double getCpuSeconds();

  double getUserCpuSeconds();

  double getSystemCpuSeconds();

  double getIowaitSeconds();

  /**
   * Share of the CPUs available to the process (its affinity, and its cgroup's quota) used over
   * the last sampling window, 0..100.
   */
  double getCpuUtilizationPercent();

  /**
   * CPUs available to the process, which CpuUtilizationPercent is a share of: those it may run on,
   * or its cgroup's quota if lower (may be a fraction); NaN until the first sampling window.
   */
  double getAvailableCpus();

  /** CPUs the process's cgroup may use (its CFS quota over its period); NaN without a quota. */
  double getCgroupCpuLimitCores();

  /** CFS periods in which the cgroup used up its quota and waited; -1 without a quota. */
  long getCgroupCpuThrottledPeriods();

  /** Time the cgroup waited for its quota, in seconds; NaN without a quota. */
  double getCgroupCpuThrottledSeconds();

  double getReapedChildrenUserCpuSeconds();

  double getReapedChildrenSystemCpuSeconds();

  long getResidentMemoryBytes();

  long getVirtualMemoryBytes();

  long getOpenFds();

  long getMaxFds();

  long getThreads();

  long getVoluntaryContextSwitches();

  long getInvoluntaryContextSwitches();

  /** Page faults served from memory; -1 where the OS does not say. */
  long getMinorPageFaults();

  /** Page faults that read from disk or swap; -1 where the OS does not say. */
  long getMajorPageFaults();
}
