package io.procagent.source.oshi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.procagent.source.ProcessSnapshot;
import io.procagent.source.SystemSnapshot;
import io.procagent.source.linux.LinuxProcessSource;
import io.procagent.source.linux.LinuxSystemSource;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The OSHI sources (used off Linux) agree with our /proc parsers where both run. */
@EnabledOnOs(OS.LINUX)
class OshiSourcesTest {

  @Test
  void processAgreesWithProc() throws Exception {
    long pid = ProcessHandle.current().pid();
    ProcessSnapshot o = new OshiProcessSource(pid).read();
    ProcessSnapshot l = new LinuxProcessSource(Path.of("/proc"), pid).read();
    assertThat(o.pid()).isEqualTo(l.pid());
    assertThat(o.ppid()).isEqualTo(l.ppid());
    assertThat(o.uid()).isEqualTo(l.uid());
    assertThat(o.user()).isEqualTo(l.user());
    assertThat(o.cwd()).isEqualTo(l.cwd());
    assertThat(o.maxFds()).isEqualTo(l.maxFds());
    assertThat(o.startTimeSeconds()).isCloseTo(l.startTimeSeconds(), within(1.0));
    assertThat(o.cpuSeconds()).isCloseTo(l.cpuSeconds(), within(1.0));
    assertThat((double) o.residentBytes()).isCloseTo(l.residentBytes(), within(64e6));
    // other tests' threads (HTTP workers, timers) start and end between the two reads
    assertThat(o.threads()).isCloseTo(l.threads(), within(25L));
  }

  @Test
  void systemAgreesWithProc() throws Exception {
    OshiSystemSource oshi = new OshiSystemSource();
    LinuxSystemSource linux = new LinuxSystemSource(Path.of("/proc"));
    SystemSnapshot o = oshi.read();
    SystemSnapshot l = linux.read();
    assertThat(o.cpus()).hasSameSizeAs(l.cpus());
    assertThat(o.cpus().get(0).idle()).isCloseTo(l.cpus().get(0).idle(), within(5.0));
    assertThat(o.bootTimeSeconds()).isCloseTo(l.bootTimeSeconds(), within(2.0));
    assertThat(oshi.identity().logicalCpus()).isEqualTo(linux.identity().logicalCpus());
    assertThat(oshi.identity().hostname()).isEqualTo(linux.identity().hostname());
  }
}
