package io.procagent.source;

/**
 * One live descendant of the target process, as read in one scan.
 *
 * @param pid process id
 * @param ppid parent process id
 * @param command executable name as the kernel knows it ({@code comm})
 * @param state one-letter scheduler state
 * @param userSeconds CPU in user mode since it started
 * @param systemSeconds CPU in kernel mode since it started
 * @param startTicks start time in clock ticks since boot: with the pid, the process's identity
 *     (a reused pid has another start time)
 * @param startTimeSeconds start time, Unix epoch seconds (NaN if unknown)
 * @param residentBytes resident set size, {@link ProcessSnapshot#UNKNOWN} if unknown
 * @param threads threads
 * @param openFds open descriptors, {@link ProcessSnapshot#UNKNOWN} when we may not read them
 * @param arguments command line, redacted; "" unless arguments were asked for
 */
public record ChildProcess(
    long pid,
    long ppid,
    String command,
    char state,
    double userSeconds,
    double systemSeconds,
    long startTicks,
    double startTimeSeconds,
    long residentBytes,
    long threads,
    long openFds,
    String arguments) {}
