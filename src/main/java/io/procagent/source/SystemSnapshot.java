package io.procagent.source;

import java.util.List;

/**
 * One reading of host-wide CPU state.
 *
 * @param cpus per-CPU times, in the kernel's order
 * @param load1 1-minute load average
 * @param load5 5-minute load average
 * @param load15 15-minute load average
 * @param contextSwitches context switches since boot, {@link ProcessSnapshot#UNKNOWN} if unknown
 * @param forks processes and threads created since boot, UNKNOWN if unknown
 * @param interrupts hardware interrupts serviced since boot, UNKNOWN if unknown
 * @param softInterrupts soft interrupts (softirqs) serviced since boot, UNKNOWN if unknown
 * @param procsRunning threads runnable or running now, UNKNOWN if unknown
 * @param procsBlocked threads blocked waiting for I/O now, UNKNOWN if unknown
 * @param bootTimeSeconds boot time, Unix epoch seconds
 * @param readAtNanos {@link System#nanoTime()} when this was read
 */
public record SystemSnapshot(
    List<CpuTimes> cpus,
    double load1,
    double load5,
    double load15,
    long contextSwitches,
    long forks,
    long interrupts,
    long softInterrupts,
    long procsRunning,
    long procsBlocked,
    double bootTimeSeconds,
    long readAtNanos) {

  public SystemSnapshot {
    cpus = List.copyOf(cpus);
  }
}
