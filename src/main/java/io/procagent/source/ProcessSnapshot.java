package io.procagent.source;

/**
 * One reading of one process. Times are seconds, sizes bytes. A value the OS did not give is
 * {@link #UNKNOWN} (longs) or {@code NaN} (doubles) and is never exported as a fake zero.
 *
 * @param pid process id
 * @param ppid parent process id
 * @param command executable name as the kernel knows it ({@code comm}, at most 15 chars)
 * @param state one-letter scheduler state (R, S, D, Z, ...), or '?' when unknown
 * @param user owner's user name, or the numeric uid when it has no name
 * @param uid real user id
 * @param gid real group id
 * @param cwd working directory, or "" when it may not be read
 * @param startTimeSeconds start time, Unix epoch seconds
 * @param userSeconds CPU time in user mode
 * @param systemSeconds CPU time in kernel mode
 * @param iowaitSeconds time blocked on block I/O (delay accounting), NaN when not given
 * @param reapedChildrenUserSeconds user CPU of children that exited and were waited for
 * @param reapedChildrenSystemSeconds system CPU of children that exited and were waited for
 * @param residentBytes resident set size
 * @param virtualBytes virtual memory size
 * @param virtualMaxBytes address-space limit; {@code +Inf} when unlimited, NaN when unknown
 * @param openFds open file descriptors
 * @param maxFds soft limit on open file descriptors
 * @param threads number of threads
 * @param voluntaryContextSwitches voluntary context switches
 * @param involuntaryContextSwitches involuntary context switches
 * @param minorFaults page faults served without disk I/O (a page already in memory), UNKNOWN if unknown
 * @param majorFaults page faults that read from disk (a file's page, or swap), UNKNOWN if unknown
 * @param cpusAllowed CPUs this process may run on, 0 when unknown
 * @param cgroup its cgroup's CPU limit and throttling, {@link CgroupCpu#NONE} when not read
 * @param readAtNanos {@link System#nanoTime()} when this was read
 */
public record ProcessSnapshot(
    long pid,
    long ppid,
    String command,
    char state,
    String user,
    long uid,
    long gid,
    String cwd,
    double startTimeSeconds,
    double userSeconds,
    double systemSeconds,
    double iowaitSeconds,
    double reapedChildrenUserSeconds,
    double reapedChildrenSystemSeconds,
    long residentBytes,
    long virtualBytes,
    double virtualMaxBytes,
    long openFds,
    long maxFds,
    long threads,
    long voluntaryContextSwitches,
    long involuntaryContextSwitches,
    long minorFaults,
    long majorFaults,
    int cpusAllowed,
    CgroupCpu cgroup,
    long readAtNanos) {

  /** Marker for a long value the OS did not give. */
  public static final long UNKNOWN = -1;

  /**
   * User plus system seconds, to the microsecond: the sum of two tick counts in seconds is not
   * always the double nearest its decimal (0.1 + 0.2 is 0.30000000000000004), which would be
   * shown as such, and written through the JDK's general float-to-text code at every scrape.
   */
  public double cpuSeconds() {
    return CpuTimes.micros(userSeconds + systemSeconds);
  }
}
