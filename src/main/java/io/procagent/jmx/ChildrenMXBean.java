package io.procagent.jmx;

import java.util.Map;

/**
 * {@code procagent:type=Children}: the target's live descendants (from the sampler's last scan)
 * and the children this JVM launched. Command lines appear only when {@code
 * collectors.children.arguments} is on, and then redacted.
 */
public interface ChildrenMXBean {
  /** Live descendants now. */
  int getLiveChildren();

  /** Live descendants by scheduler state: running, sleeping, disk_sleep, stopped, zombie, other. */
  Map<String, Integer> getLiveByState();

  /** Children started through ProcessBuilder since the agent started. */
  long getStarted();

  long getExited();

  /** Exits with a non-zero exit code. */
  long getFailedExits();

  /** Launches that threw (command not found, ...). */
  long getLaunchFailures();

  /** Distinct commands folded into "other". */
  int getFoldedCommands();

  /** Per command: processes, cpuSeconds, residentBytes, threads, openFds. */
  ChildRows.Command[] getCommands();

  /** pid, ppid, command, state, cpuSeconds, residentBytes, threads, startTime, arguments. */
  ChildRows.Child[] getLive();

  /** The last exits, newest first: command, exitCode, durationSeconds, time. */
  ChildRows.Exit[] getRecentExits();
}
