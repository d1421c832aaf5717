package io.procagent.jmx;

import java.util.Map;

/**
 * {@code procagent:type=SystemCpu}: host identity, CPU utilisation per core in percent (so a
 * JConsole user needs no PromQL), CPU seconds by mode, load average.
 */
public interface SystemCpuMXBean {
  String getHostname();

  String getOsName();

  String getKernelRelease();

  String getArch();

  int getLogicalCpuCount();

  int getPhysicalCpuCount();

  double getBootTimeSeconds();

  double getLoadAverage1m();

  double getLoadAverage5m();

  double getLoadAverage15m();

  /** Busy share of all CPUs over the last sampling window, 0..100. */
  double getCpuUtilizationPercent();

  /** Busy share of each CPU over the last sampling window, 0..100, keyed by CPU number. */
  Map<String, Double> getPerCpuUtilizationPercent();

  /** CPU seconds since boot by mode (node_exporter's eight), summed over all CPUs. */
  Map<String, Double> getCpuSecondsByMode();

  long getContextSwitches();

  long getForks();

  /** Hardware interrupts serviced since boot; -1 where the OS does not say. */
  long getInterrupts();

  /** Soft interrupts serviced since boot; -1 where the OS does not say. */
  long getSoftInterrupts();

  /** Threads running or runnable now (waiting for a CPU); -1 where the OS does not say. */
  long getProcsRunning();

  /** Threads blocked waiting for I/O now; -1 where the OS does not say. */
  long getProcsBlocked();
}
