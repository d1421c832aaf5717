package io.procagent.source.oshi;

import io.procagent.source.CgroupCpu;
import io.procagent.source.ProcessSnapshot;
import io.procagent.source.ProcessSource;
import java.io.IOException;
import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;
import oshi.spi.SystemInfoProvider;

/**
 * Reads one process through OSHI: the source on every OS that is not Linux. Values OSHI does
 * not give on a platform (negative or zero where that is impossible) stay UNKNOWN.
 */
public final class OshiProcessSource implements ProcessSource {

  private final OperatingSystem os;
  private final int pid;

  public OshiProcessSource(long pid) {
    this(OshiPlatform.create(), pid);
  }

  public OshiProcessSource(SystemInfoProvider si, long pid) {
    this.os = si.getOperatingSystem();
    this.pid = (int) pid;
  }

  @Override
  public ProcessSnapshot read() throws IOException {
    long now = System.nanoTime();
    OSProcess p = os.getProcess(pid);
    if (p == null) {
      throw new IOException("process " + pid + " is gone");
    }
    long softFiles = p.getSoftOpenFileLimit();
    return new ProcessSnapshot(
        pid,
        p.getParentProcessID(),
        p.getName(),
        stateLetter(p.getState()),
        p.getUser() == null ? "" : p.getUser(),
        parse(p.getUserID()),
        parse(p.getGroupID()),
        p.getCurrentWorkingDirectory() == null ? "" : p.getCurrentWorkingDirectory(),
        p.getStartTime() > 0 ? p.getStartTime() / 1000.0 : Double.NaN,
        p.getUserTime() / 1000.0,
        p.getKernelTime() / 1000.0,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        p.getResidentMemory(),
        p.getVirtualSize(),
        Double.NaN,
        p.getOpenFiles() >= 0 ? p.getOpenFiles() : ProcessSnapshot.UNKNOWN,
        softFiles > 0 ? softFiles : ProcessSnapshot.UNKNOWN,
        p.getThreadCount(),
        p.getVoluntaryContextSwitches() > 0 ? p.getVoluntaryContextSwitches() : ProcessSnapshot.UNKNOWN,
        p.getInvoluntaryContextSwitches() > 0 ? p.getInvoluntaryContextSwitches() : ProcessSnapshot.UNKNOWN,
        p.getMinorFaults() >= 0 ? p.getMinorFaults() : ProcessSnapshot.UNKNOWN,
        p.getMajorFaults() >= 0 ? p.getMajorFaults() : ProcessSnapshot.UNKNOWN,
        Long.bitCount(p.getAffinityMask()),
        CgroupCpu.NONE,
        now);
  }

  private static long parse(String id) {
    try {
      return id == null ? ProcessSnapshot.UNKNOWN : Long.parseLong(id.trim());
    } catch (NumberFormatException e) {
      return ProcessSnapshot.UNKNOWN;
    }
  }

  private static char stateLetter(OSProcess.State state) {
    if (state == null) {
      return '?';
    }
    return switch (state) {
      case RUNNING -> 'R';
      case SLEEPING -> 'S';
      case WAITING -> 'D';
      case ZOMBIE -> 'Z';
      case STOPPED -> 'T';
      default -> '?';
    };
  }
}
