package io.procagent.source.oshi;

import io.procagent.source.ChildProcess;
import io.procagent.source.DescendantSource;
import io.procagent.source.ProcessSnapshot;
import io.procagent.source.Redaction;
import java.util.ArrayList;
import java.util.List;
import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;
import oshi.spi.SystemInfoProvider;

/** Descendants through OSHI, for every OS that is not Linux. */
public final class OshiDescendantSource implements DescendantSource {

  private final OperatingSystem os;

  public OshiDescendantSource() {
    this(OshiPlatform.create());
  }

  public OshiDescendantSource(SystemInfoProvider si) {
    this.os = si.getOperatingSystem();
  }

  @Override
  public List<ChildProcess> descendants(long rootPid, boolean withArguments) {
    List<ChildProcess> out = new ArrayList<>();
    for (OSProcess p : os.getDescendantProcesses((int) rootPid, null, null, 0)) {
      long fds = p.getOpenFiles();
      out.add(
          new ChildProcess(
              p.getProcessID(),
              p.getParentProcessID(),
              p.getName(),
              'S',
              p.getUserTime() / 1000.0,
              p.getKernelTime() / 1000.0,
              p.getStartTime(),
              p.getStartTime() > 0 ? p.getStartTime() / 1000.0 : Double.NaN,
              p.getResidentMemory(),
              p.getThreadCount(),
              fds >= 0 ? fds : ProcessSnapshot.UNKNOWN,
              withArguments ? Redaction.redact(p.getArguments()) : ""));
    }
    return out;
  }
}
