package io.procagent.source.oshi;

import io.procagent.source.CpuTimes;
import io.procagent.source.ProcessSnapshot;
import io.procagent.source.SystemIdentity;
import io.procagent.source.SystemSnapshot;
import io.procagent.source.SystemSource;
import java.util.ArrayList;
import java.util.List;
import oshi.hardware.CentralProcessor;
import oshi.software.os.OperatingSystem;
import oshi.spi.SystemInfoProvider;

/**
 * Host CPU through OSHI, for every OS that is not Linux. OSHI's tick types are node_exporter's
 * eight modes, in milliseconds. Forks, soft interrupts and the threads running or blocked now
 * are not available here and are omitted.
 */
public final class OshiSystemSource implements SystemSource {

  private final OperatingSystem os;
  private final CentralProcessor cpu;
  private volatile SystemIdentity identity;

  public OshiSystemSource() {
    this(OshiPlatform.create());
  }

  public OshiSystemSource(SystemInfoProvider si) {
    this.os = si.getOperatingSystem();
    this.cpu = si.getHardware().getProcessor();
  }

  @Override
  public SystemSnapshot read() {
    long now = System.nanoTime();
    long[][] ticks = cpu.getProcessorCpuLoadTicks();
    List<CpuTimes> cpus = new ArrayList<>(ticks.length);
    for (int i = 0; i < ticks.length; i++) {
      double[] v = new double[8];
      for (int m = 0; m < 8; m++) {
        v[m] = m < ticks[i].length ? ticks[i][m] / 1000.0 : Double.NaN;
      }
      cpus.add(CpuTimes.of(Integer.toString(i), v));
    }
    double[] load = cpu.getSystemLoadAverage(3);
    long ctxt = cpu.getContextSwitches();
    long interrupts = cpu.getInterrupts();
    long boot = os.getSystemBootTime();
    return new SystemSnapshot(
        cpus,
        load.length > 0 && load[0] >= 0 ? load[0] : Double.NaN,
        load.length > 1 && load[1] >= 0 ? load[1] : Double.NaN,
        load.length > 2 && load[2] >= 0 ? load[2] : Double.NaN,
        ctxt > 0 ? ctxt : ProcessSnapshot.UNKNOWN,
        ProcessSnapshot.UNKNOWN,
        interrupts > 0 ? interrupts : ProcessSnapshot.UNKNOWN,
        ProcessSnapshot.UNKNOWN,
        ProcessSnapshot.UNKNOWN,
        ProcessSnapshot.UNKNOWN,
        boot > 0 ? boot : Double.NaN,
        now);
  }

  @Override
  public SystemIdentity identity() {
    SystemIdentity id = identity;
    if (id == null) {
      OperatingSystem.OSVersionInfo v = os.getVersionInfo();
      id =
          new SystemIdentity(
              os.getNetworkParams().getHostName(),
              os.getFamily(),
              v.getBuildNumber() != null ? v.getBuildNumber() : v.getVersion(),
              System.getProperty("os.arch", ""),
              cpu.getLogicalProcessorCount(),
              cpu.getPhysicalProcessorCount());
      identity = id;
    }
    return id;
  }
}
