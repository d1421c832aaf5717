package io.procagent.source;

/**
 * The CPU limit of a process's cgroup and how often it was reached. Unknown values are NaN or
 * {@link ProcessSnapshot#UNKNOWN} and are not exported.
 *
 * @param limitCores CPUs the cgroup may use (its CFS quota over its period), NaN without a quota
 * @param periods CFS periods in which the cgroup had runnable tasks
 * @param throttledPeriods those in which it used up its quota and had to wait
 * @param throttledSeconds the time its tasks waited so
 */
public record CgroupCpu(double limitCores, long periods, long throttledPeriods, double throttledSeconds) {

  /** No cgroup read (another OS, a process whose cgroup may not be read). */
  public static final CgroupCpu NONE =
      new CgroupCpu(Double.NaN, ProcessSnapshot.UNKNOWN, ProcessSnapshot.UNKNOWN, Double.NaN);
}
