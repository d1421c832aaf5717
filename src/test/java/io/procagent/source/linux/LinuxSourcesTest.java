package io.procagent.source.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.procagent.source.ProcessSnapshot;
import io.procagent.source.SystemIdentity;
import io.procagent.source.SystemSnapshot;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class LinuxSourcesTest {

  @TempDir Path proc;

  private void write(String rel, String text) throws IOException {
    Path p = proc.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  private void fixture() throws IOException {
    write("stat", "cpu  1 1 1 1\ncpu0 100 0 50 1000 10 0 5 0\ncpu1 200 0 60 900 0 0 0 0\nctxt 77\nbtime 1700000000\nprocesses 99\n");
    write("loadavg", "0.10 0.20 0.30 1/100 200\n");
    write("sys/kernel/hostname", "fixture-host\n");
    write("sys/kernel/ostype", "Linux\n");
    write("sys/kernel/osrelease", "6.1.0-test\n");
    write("sys/kernel/task_delayacct", "1\n");
    write("42/stat", ProcParsersTest.STAT.replace("4242 (", "42 ("));
    write(
        "42/status",
        "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nVmRSS:\t2048 kB\nThreads:\t2\n"
            + "voluntary_ctxt_switches:\t1\nnonvoluntary_ctxt_switches:\t1\nCpus_allowed_list:\t0-1\n");
    write("42/task/42/status", "voluntary_ctxt_switches:\t10\nnonvoluntary_ctxt_switches:\t1\n");
    write("42/task/43/status", "voluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t2\n");
    write("42/limits", "Max open files            4096                 4096                 files\n");
    Files.createDirectories(proc.resolve("42/fd"));
    Files.writeString(proc.resolve("42/fd/0"), "");
    Files.writeString(proc.resolve("42/fd/1"), "");
  }

  @Test
  void processFromFixture() throws IOException {
    fixture();
    ProcessSnapshot p = new LinuxProcessSource(proc, 42).read();
    assertThat(p.pid()).isEqualTo(42);
    assertThat(p.command()).isEqualTo("my (odd) cmd");
    assertThat(p.userSeconds()).isCloseTo(2.5, within(1e-9));
    assertThat(p.systemSeconds()).isCloseTo(0.75, within(1e-9));
    assertThat(p.iowaitSeconds()).isCloseTo(0.42, within(1e-9));
    assertThat(p.reapedChildrenUserSeconds()).isCloseTo(0.12, within(1e-9));
    assertThat(p.startTimeSeconds()).isCloseTo(1700000000 + 1234.56, within(1e-6));
    assertThat(p.residentBytes()).isEqualTo(16194L * 4096); // stat's rss, in pages
    assertThat(p.openFds()).isEqualTo(2);
    assertThat(p.maxFds()).isEqualTo(4096);
    assertThat(p.virtualMaxBytes()).isNaN();
    assertThat(p.voluntaryContextSwitches()).isEqualTo(15);
    assertThat(p.involuntaryContextSwitches()).isEqualTo(3);
    assertThat(p.cpusAllowed()).isEqualTo(2);
    assertThat(p.cwd()).isEmpty();
  }

  @Test
  void cpuAloneAgreesWithTheWholeRead() throws IOException {
    fixture();
    LinuxProcessSource source = new LinuxProcessSource(proc, 42);
    assertThat(source.cpu().seconds()).isCloseTo(source.read().cpuSeconds(), within(1e-9)).isCloseTo(3.25, within(1e-9));
    write("42/stat", "42 (cut) S 1 2 3");
    assertThatThrownBy(source::cpu).isInstanceOf(IOException.class).hasMessageContaining("42/stat");
    assertThatThrownBy(() -> new LinuxProcessSource(proc, 999).cpu())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("999");
  }

  @Test
  void limitsAreKeptBetweenReads() throws IOException {
    fixture();
    LinuxProcessSource source = new LinuxProcessSource(proc, 42);
    assertThat(source.read().maxFds()).isEqualTo(4096);
    write("42/limits", "Max open files            8192                 8192                 files\n");
    assertThat(source.read().maxFds()).as("read again a minute later").isEqualTo(4096);
    assertThat(new LinuxProcessSource(proc, 42).read().maxFds()).isEqualTo(8192);
  }

  /**
   * Between refreshes of the context switches a read takes resident memory and threads from the
   * stat (rss in pages; this fixture has no smaps, so pages of 4 KB), and status's slow fields
   * from its last read.
   */
  @Test
  void statusIsReadWithTheContextSwitchesAndStatGivesMemoryAndThreads() throws IOException {
    fixture();
    write("42/status",
        "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nVmRSS:\t64776 kB\nThreads:\t2\nCpus_allowed_list:\t0-1\n");
    LinuxProcessSource source = new LinuxProcessSource(proc, 42);
    ProcessSnapshot first = source.read();
    assertThat(first.residentBytes()).isEqualTo(16194L * 4096);
    assertThat(first.threads()).isEqualTo(17);
    write("42/stat", ProcParsersTest.STAT.replace("4242 (", "42 (").replace(" 16194 ", " 20000 ").replace(" 17 0 123456", " 19 0 123456"));
    write("42/status",
        "Uid:\t1000\t1000\t1000\t1000\nGid:\t0\t0\t0\t0\nVmRSS:\t1 kB\nThreads:\t1\nCpus_allowed_list:\t0\n");
    ProcessSnapshot second = source.read();
    assertThat(second.residentBytes()).isEqualTo(20000L * 4096);
    assertThat(second.threads()).isEqualTo(19);
    assertThat(second.uid()).as("status as last read").isZero();
    assertThat(second.cpusAllowed()).isEqualTo(2);
    ProcessSnapshot fresh = new LinuxProcessSource(proc, 42).read();
    assertThat(fresh.uid()).isEqualTo(1000);
    assertThat(fresh.residentBytes()).as("from stat, not VmRSS").isEqualTo(20000L * 4096);
  }

  @Test
  void contextSwitchesNeverDecreaseWhenAThreadEnds() throws IOException {
    fixture();
    LinuxProcessSource source = new LinuxProcessSource(proc, 42);
    assertThat(source.read().voluntaryContextSwitches()).isEqualTo(15);
    Files.delete(proc.resolve("42/task/43/status"));
    assertThat(source.read().voluntaryContextSwitches()).isEqualTo(15);
  }

  @Test
  void contextSwitchesOfManyThreadsAreReadAFewAtATime() throws IOException {
    fixture(); // threads 42 (10 voluntary switches) and 43 (5)
    write("42/task/44/status", "voluntary_ctxt_switches:\t100\nnonvoluntary_ctxt_switches:\t0\n");
    LinuxProcessSource source = new LinuxProcessSource(proc, 42, 1, 1);
    assertThat(source.read().voluntaryContextSwitches()).as("the first refresh reads every thread").isEqualTo(115);
    for (String[] t : new String[][] {{"42", "1010"}, {"43", "1005"}, {"44", "1100"}}) {
      write("42/task/" + t[0] + "/status", "voluntary_ctxt_switches:\t" + t[1] + "\nnonvoluntary_ctxt_switches:\t0\n");
    }
    ProcParsers.Status none = ProcParsers.parseStatus(new byte[0], 0);
    source.sumContextSwitches(none);
    assertThat(source.read().voluntaryContextSwitches()).as("one thread read again").isEqualTo(1115);
    source.sumContextSwitches(none);
    assertThat(source.read().voluntaryContextSwitches()).isEqualTo(2115);
    write("42/task/45/status", "voluntary_ctxt_switches:\t7\nnonvoluntary_ctxt_switches:\t0\n");
    source.sumContextSwitches(none);
    assertThat(source.read().voluntaryContextSwitches()).as("a new thread first").isEqualTo(2122);
    source.sumContextSwitches(none);
    assertThat(source.read().voluntaryContextSwitches()).as("then the one read longest ago").isEqualTo(3122);
    Files.delete(proc.resolve("42/task/43/status"));
    Files.delete(proc.resolve("42/task/43"));
    source.sumContextSwitches(none);
    assertThat(source.read().voluntaryContextSwitches()).as("an ended thread's switches are kept").isEqualTo(3122);
    write("42/task/44/status", "voluntary_ctxt_switches:\t5100\nnonvoluntary_ctxt_switches:\t0\n");
    for (int i = 0; i < 3; i++) { // every thread read again, one a refresh
      source.sumContextSwitches(none);
    }
    assertThat(source.read().voluntaryContextSwitches()).as("and no longer summed: 1010 + 5100 + 7").isEqualTo(6117);
    write("42/task/43/status", "voluntary_ctxt_switches:\t50\nnonvoluntary_ctxt_switches:\t0\n");
    source.sumContextSwitches(none);
    assertThat(source.read().voluntaryContextSwitches()).as("a new thread under the ended one's tid").isEqualTo(6167);
  }

  @Test
  void contextSwitchesOfThreadsThatDidNotChangeAreReadAFewAtATime() throws IOException {
    fixture(); // threads 42 (10 voluntary switches) and 43 (5)
    write("42/task/44/status", "voluntary_ctxt_switches:\t100\nnonvoluntary_ctxt_switches:\t0\n");
    LinuxProcessSource source = new LinuxProcessSource(proc, 42, 3, 1);
    ProcParsers.Status none = ProcParsers.parseStatus(new byte[0], 0);
    assertThat(source.read().voluntaryContextSwitches()).isEqualTo(115);
    source.sumContextSwitches(none);
    assertThat(source.read().voluntaryContextSwitches()).as("each changed at its first read: all read again").isEqualTo(115);
    for (String[] t : new String[][] {{"42", "1010"}, {"43", "1005"}, {"44", "1100"}}) {
      write("42/task/" + t[0] + "/status", "voluntary_ctxt_switches:\t" + t[1] + "\nnonvoluntary_ctxt_switches:\t0\n");
    }
    source.sumContextSwitches(none);
    assertThat(source.read().voluntaryContextSwitches()).as("none changed last time: one of them read").isEqualTo(1115);
    source.sumContextSwitches(none);
    assertThat(source.read().voluntaryContextSwitches()).as("that one again, as it changed, and one more").isEqualTo(2115);
    source.sumContextSwitches(none);
    assertThat(source.read().voluntaryContextSwitches()).isEqualTo(3115);
    source.sumContextSwitches(none);
    assertThat(source.read().voluntaryContextSwitches()).as("nothing changed since").isEqualTo(3115);
  }

  @Test
  void iowaitOmittedWithoutDelayAccounting() throws IOException {
    fixture();
    write("sys/kernel/task_delayacct", "0\n");
    assertThat(new LinuxProcessSource(proc, 42).read().iowaitSeconds()).isNaN();
  }

  @Test
  void vanishedProcessIsAnError() {
    assertThatThrownBy(() -> new LinuxProcessSource(proc, 999).read())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("999");
  }

  @Test
  void systemFromFixture() throws IOException {
    fixture();
    LinuxSystemSource source = new LinuxSystemSource(proc, () -> 1);
    SystemSnapshot s = source.read();
    assertThat(s.cpus()).hasSize(2);
    assertThat(s.cpus().get(1).user()).isCloseTo(2.0, within(1e-9));
    assertThat(s.load15()).isEqualTo(0.30);
    assertThat(s.contextSwitches()).isEqualTo(77);
    assertThat(s.forks()).isEqualTo(99);
    assertThat(s.bootTimeSeconds()).isEqualTo(1.7e9);
    SystemIdentity id = source.identity();
    assertThat(id.hostname()).isEqualTo("fixture-host");
    assertThat(id.kernel()).isEqualTo("6.1.0-test");
    assertThat(id.logicalCpus()).isEqualTo(2);
    assertThat(id.physicalCpus()).isEqualTo(1);
  }

  @Test
  void unameMachine() {
    assertThat(LinuxSystemSource.unameMachine("amd64")).isEqualTo("x86_64");
    assertThat(LinuxSystemSource.unameMachine("aarch64")).isEqualTo("aarch64");
    assertThat(LinuxSystemSource.unameMachine("riscv64")).isEqualTo("riscv64");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void liveProcessAgreesWithTheJvm() throws Exception {
    long pid = ProcessHandle.current().pid();
    var os = (com.sun.management.UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    double before = os.getProcessCpuTime() / 1e9;
    ProcessSnapshot p = new LinuxProcessSource(Path.of("/proc"), pid).read();
    double after = os.getProcessCpuTime() / 1e9;
    assertThat(p.pid()).isEqualTo(pid);
    assertThat(p.ppid()).isEqualTo(ProcessHandle.current().parent().orElseThrow().pid());
    assertThat(p.cpuSeconds()).isBetween(before - 0.05, after + 0.05);
    assertThat(p.threads()).isCloseTo(Files.list(Path.of("/proc/self/task")).count(), within(5L));
    assertThat(p.openFds()).isCloseTo(os.getOpenFileDescriptorCount(), within(5L));
    assertThat(p.maxFds()).isEqualTo(os.getMaxFileDescriptorCount());
    assertThat(p.residentBytes()).isGreaterThan(Runtime.getRuntime().totalMemory() / 100);
    long vmRss = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
        .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).findFirst().orElseThrow();
    assertThat((double) p.residentBytes()).as("rss from stat, in bytes").isCloseTo(vmRss, within(vmRss * 0.2));
    assertThat(p.cwd()).isEqualTo(Path.of("").toAbsolutePath().toString());
    assertThat(p.user()).isEqualTo(System.getProperty("user.name"));
    double uptime = ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0;
    assertThat(p.startTimeSeconds()).isCloseTo(uptime, within(2.0));
    assertThat(p.voluntaryContextSwitches()).isPositive();
    assertThat(p.minorFaults()).as("a JVM touches fresh pages").isPositive();
    assertThat(p.majorFaults()).isGreaterThanOrEqualTo(0);
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void liveSystemInvariants() throws Exception {
    LinuxSystemSource source = new LinuxSystemSource(Path.of("/proc"));
    SystemSnapshot s = source.read();
    assertThat(s.cpus()).hasSize(source.identity().logicalCpus());
    assertThat(source.identity().logicalCpus()).isGreaterThanOrEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(source.identity().physicalCpus()).isBetween(1, source.identity().logicalCpus());
    assertThat(s.bootTimeSeconds()).isLessThan(System.currentTimeMillis() / 1000.0);
    assertThat(s.load1()).isGreaterThanOrEqualTo(0);
    double sysLoad = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    assertThat(s.load1()).isCloseTo(sysLoad, within(2.0));
    SystemSnapshot later = source.read();
    assertThat(later.cpus().get(0).idle()).isGreaterThanOrEqualTo(s.cpus().get(0).idle() - 0.01);
    assertThat(s.cpus()).allSatisfy(c -> assertThat(c.guest()).isGreaterThanOrEqualTo(0).isLessThanOrEqualTo(c.user()));
    assertThat(s.procsRunning()).as("the thread reading /proc/stat is running").isGreaterThanOrEqualTo(1);
    assertThat(s.procsBlocked()).isGreaterThanOrEqualTo(0);
    assertThat(s.interrupts()).isPositive();
    assertThat(s.softInterrupts()).isPositive();
    assertThat(later.interrupts()).isGreaterThanOrEqualTo(s.interrupts());
    assertThat(later.softInterrupts()).isGreaterThanOrEqualTo(s.softInterrupts());
  }
}
