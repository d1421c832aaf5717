package io.procagent.jmx;

import javax.management.openmbean.CompositeData;

/**
 * Rows of the {@code procagent:type=Children} tables. The MXBean framework maps each to a
 * CompositeData with one item per getter, so JConsole shows them as tables; {@code from} lets a
 * JMX proxy rebuild them.
 */
public final class ChildRows {

  private ChildRows() {}

  /** One command label. */
  public static final class Command {
    private final String command;
    private final int processes;
    private final double cpuSeconds;
    private final long residentBytes;
    private final long threads;
    private final long openFds;

    public Command(String command, int processes, double cpuSeconds, long residentBytes, long threads, long openFds) {
      this.command = command;
      this.processes = processes;
      this.cpuSeconds = cpuSeconds;
      this.residentBytes = residentBytes;
      this.threads = threads;
      this.openFds = openFds;
    }

    public static Command from(CompositeData d) {
      return new Command(
          (String) d.get("command"), (Integer) d.get("processes"), (Double) d.get("cpuSeconds"),
          (Long) d.get("residentBytes"), (Long) d.get("threads"), (Long) d.get("openFds"));
    }

    public String getCommand() {
      return command;
    }

    public int getProcesses() {
      return processes;
    }

    public double getCpuSeconds() {
      return cpuSeconds;
    }

    public long getResidentBytes() {
      return residentBytes;
    }

    public long getThreads() {
      return threads;
    }

    public long getOpenFds() {
      return openFds;
    }
  }

  /** One live descendant. */
  public static final class Child {
    private final long pid;
    private final long ppid;
    private final String command;
    private final String state;
    private final double cpuSeconds;
    private final long residentBytes;
    private final long threads;
    private final String startTime;
    private final String arguments;

    public Child(
        long pid, long ppid, String command, String state, double cpuSeconds, long residentBytes,
        long threads, String startTime, String arguments) {
      this.pid = pid;
      this.ppid = ppid;
      this.command = command;
      this.state = state;
      this.cpuSeconds = cpuSeconds;
      this.residentBytes = residentBytes;
      this.threads = threads;
      this.startTime = startTime;
      this.arguments = arguments;
    }

    public static Child from(CompositeData d) {
      return new Child(
          (Long) d.get("pid"), (Long) d.get("ppid"), (String) d.get("command"), (String) d.get("state"),
          (Double) d.get("cpuSeconds"), (Long) d.get("residentBytes"), (Long) d.get("threads"),
          (String) d.get("startTime"), (String) d.get("arguments"));
    }

    public long getPid() {
      return pid;
    }

    public long getPpid() {
      return ppid;
    }

    public String getCommand() {
      return command;
    }

    public String getState() {
      return state;
    }

    public double getCpuSeconds() {
      return cpuSeconds;
    }

    public long getResidentBytes() {
      return residentBytes;
    }

    public long getThreads() {
      return threads;
    }

    public String getStartTime() {
      return startTime;
    }

    /** Redacted command line; "" unless {@code collectors.children.arguments} is on. */
    public String getArguments() {
      return arguments;
    }
  }

  /** One exit of a launched child. */
  public static final class Exit {
    private final String command;
    private final int exitCode;
    private final double durationSeconds;
    private final String time;

    public Exit(String command, int exitCode, double durationSeconds, String time) {
      this.command = command;
      this.exitCode = exitCode;
      this.durationSeconds = durationSeconds;
      this.time = time;
    }

    public static Exit from(CompositeData d) {
      return new Exit(
          (String) d.get("command"), (Integer) d.get("exitCode"), (Double) d.get("durationSeconds"),
          (String) d.get("time"));
    }

    public String getCommand() {
      return command;
    }

    public int getExitCode() {
      return exitCode;
    }

    public double getDurationSeconds() {
      return durationSeconds;
    }

    public String getTime() {
      return time;
    }
  }
}
