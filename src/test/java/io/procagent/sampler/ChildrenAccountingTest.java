package io.procagent.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.procagent.source.ChildProcess;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChildrenAccountingTest {

  static ChildProcess child(long pid, String command, long startTicks, double user, double system) {
    return new ChildProcess(pid, 1, command, 'S', user, system, startTicks, 1.7e9, 1000, 1, 3, "");
  }

  final CommandGroups groups = new CommandGroups(2);
  final ChildrenAccounting accounting = new ChildrenAccounting(groups, 10);

  static ChildrenSnapshot.Group group(ChildrenSnapshot s, String command) {
    return s.groups().stream().filter(g -> g.command().equals(command)).findFirst().orElseThrow();
  }

  @Test
  void liveChildrenAreCountedByState() {
    List<ChildProcess> scan = List.of(
        new ChildProcess(1, 1, "a", 'R', 0, 0, 1, 1.7e9, 0, 1, 0, ""),
        new ChildProcess(2, 1, "a", 'S', 0, 0, 1, 1.7e9, 0, 1, 0, ""),
        new ChildProcess(3, 1, "a", 'S', 0, 0, 1, 1.7e9, 0, 1, 0, ""),
        new ChildProcess(4, 1, "a", 'D', 0, 0, 1, 1.7e9, 0, 1, 0, ""),
        new ChildProcess(5, 1, "a", 't', 0, 0, 1, 1.7e9, 0, 1, 0, ""),
        new ChildProcess(6, 1, "a", 'T', 0, 0, 1, 1.7e9, 0, 1, 0, ""),
        new ChildProcess(7, 1, "a", 'Z', 0, 0, 1, 1.7e9, 0, 1, 0, ""),
        new ChildProcess(8, 1, "a", 'X', 0, 0, 1, 1.7e9, 0, 1, 0, ""));
    ChildrenSnapshot s = accounting.update(scan, 0);
    assertThat(ChildrenSnapshot.STATES).containsExactly("running", "sleeping", "disk_sleep", "stopped", "zombie", "other");
    assertThat(s.states()).containsExactly(1, 2, 1, 2, 1, 1);
    s.states()[0] = 99;
    assertThat(s.states()[0]).as("a copy").isEqualTo(1);
    assertThat(accounting.update(List.of(), 0).states()).containsOnly(0);
  }

  @Test
  void aChildThatExecsMovesToItsNewCommandAndKeepsItsOldCpuWhereItWas() {
    accounting.update(List.of(child(10, "sh", 100, 1.0, 0)), 0);
    ChildrenSnapshot s = accounting.update(List.of(child(10, "sleep", 100, 1.5, 0)), 0); // exec, same pid
    assertThat(group(s, "sh").processes()).isZero();
    assertThat(group(s, "sh").userSeconds()).isCloseTo(1.0, within(1e-9));
    assertThat(group(s, "sleep").processes()).isEqualTo(1);
    assertThat(group(s, "sleep").userSeconds()).as("only what it used since").isCloseTo(0.5, within(1e-9));
  }

  @Test
  void theJvmsLaunchHelperIsLeftOutUntilItIsTheChild() {
    ChildrenSnapshot s = accounting.update(List.of(child(10, "jspawnhelper", 100, 0, 0), child(11, "sleep", 101, 0, 0)), 0);
    assertThat(s.groups()).extracting(ChildrenSnapshot.Group::command).containsExactly("sleep");
    assertThat(s.liveTotal()).isEqualTo(1);
    assertThat(s.live()).extracting(ChildProcess::pid).containsExactly(11L);
    assertThat(s.states()).containsExactly(0, 1, 0, 0, 0, 0);
    s = accounting.update(List.of(child(10, "sh", 100, 0.25, 0), child(11, "sleep", 101, 0, 0)), 0);
    assertThat(group(s, "sh").processes()).isEqualTo(1);
    assertThat(group(s, "sh").userSeconds()).isCloseTo(0.25, within(1e-9));
    assertThat(s.liveTotal()).isEqualTo(2);
  }

  @Test
  void cpuIsKeptWhenAChildExits() {
    accounting.update(List.of(child(10, "sleep", 100, 1.0, 0.5), child(11, "sleep", 101, 2.0, 0)), 0);
    ChildrenSnapshot s = accounting.update(List.of(child(10, "sleep", 100, 1.5, 0.5)), 0);
    ChildrenSnapshot.Group g = group(s, "sleep");
    assertThat(g.processes()).isEqualTo(1);
    assertThat(g.userSeconds()).isCloseTo(3.5, within(1e-9)); // 1.5 + the exited child's 2.0
    assertThat(g.systemSeconds()).isCloseTo(0.5, within(1e-9));
    s = accounting.update(List.of(), 0);
    assertThat(group(s, "sleep").processes()).isZero();
    assertThat(group(s, "sleep").userSeconds()).isCloseTo(3.5, within(1e-9));
    assertThat(group(s, "sleep").residentBytes()).isZero();
  }

  @Test
  void cpuAddsUpToTheTicksDecimal() {
    // in doubles, 0.1 + 0.2 is 0.30000000000000004, which a scrape would show
    accounting.update(List.of(child(10, "sleep", 100, 0.1, 0.01), child(11, "sleep", 101, 0.2, 0.02)), 0);
    ChildrenSnapshot s = accounting.update(List.of(child(10, "sleep", 100, 0.1, 0.01), child(11, "sleep", 101, 0.2, 0.02)), 0);
    assertThat(group(s, "sleep").userSeconds()).isEqualTo(0.3);
    assertThat(group(s, "sleep").systemSeconds()).isEqualTo(0.03);
  }

  @Test
  void exitedChildrenAreForgottenOnlyThen() {
    accounting.update(List.of(child(10, "sleep", 100, 1, 0), child(11, "sleep", 101, 1, 0)), 0);
    accounting.update(List.of(child(10, "sleep", 100, 1, 0), child(11, "sleep", 101, 1, 0)), 0);
    assertThat(accounting.tracked()).isEqualTo(2);
    accounting.update(List.of(child(10, "sleep", 100, 1, 0)), 0);
    assertThat(accounting.tracked()).isEqualTo(1);
    // one exits as another starts: as many found as known before, one of them gone
    accounting.update(List.of(child(12, "sleep", 102, 1, 0)), 0);
    assertThat(accounting.tracked()).isEqualTo(1);
  }

  @Test
  void reusedPidIsANewProcess() {
    accounting.update(List.of(child(10, "sh", 100, 5.0, 0)), 0);
    // pid 10 now belongs to another process, started later, with less CPU
    ChildrenSnapshot s = accounting.update(List.of(child(10, "sh", 900, 0.25, 0)), 0);
    assertThat(group(s, "sh").userSeconds()).isCloseTo(5.25, within(1e-9));
  }

  @Test
  void commandsBeyondTheCapFoldIntoOtherAndStayThere() {
    ChildrenSnapshot s =
        accounting.update(
            List.of(child(1, "a", 1, 1, 0), child(2, "b", 1, 1, 0), child(3, "c", 1, 1, 0), child(4, "d", 1, 1, 0)), 0);
    assertThat(s.groups()).extracting(ChildrenSnapshot.Group::command).containsExactly("a", "b", "other");
    assertThat(group(s, "other").processes()).isEqualTo(2);
    assertThat(s.foldedCommands()).isEqualTo(2);
    s = accounting.update(List.of(child(5, "c", 2, 1, 0)), 0);
    assertThat(group(s, "other").processes()).isEqualTo(1);
    assertThat(group(s, "a").processes()).isZero();
  }

  @Test
  void unreadableFdsAreLeftOutNotZeroed() {
    ChildProcess readable = child(1, "x", 1, 0, 0);
    ChildProcess foreign = new ChildProcess(2, 1, "x", 'S', 0, 0, 1, 1.7e9, 500, 1, -1, "");
    ChildProcess onlyForeign = new ChildProcess(3, 1, "y", 'S', 0, 0, 1, 1.7e9, 500, 1, -1, "");
    ChildrenSnapshot s = accounting.update(List.of(readable, foreign, onlyForeign), 0);
    assertThat(group(s, "x").openFds()).isEqualTo(3);
    assertThat(group(s, "x").processes()).isEqualTo(2);
    assertThat(group(s, "y").openFds()).isEqualTo(-1);
    assertThat(group(s, "y").residentBytes()).isEqualTo(500);
  }

  @Test
  void liveTableIsCapped() {
    ChildrenAccounting small = new ChildrenAccounting(new CommandGroups(5), 1);
    ChildrenSnapshot s = small.update(List.of(child(1, "a", 1, 0, 0), child(2, "a", 1, 0, 0)), 0.002);
    assertThat(s.live()).hasSize(1);
    assertThat(s.liveTotal()).isEqualTo(2);
    assertThat(s.scanSeconds()).isEqualTo(0.002);
  }

  @Test
  void baseNames() {
    assertThat(CommandGroups.baseName("/usr/bin/sh")).isEqualTo("sh");
    assertThat(CommandGroups.baseName("sleep")).isEqualTo("sleep");
    assertThat(CommandGroups.baseName("C:\\\\bin\\\\x.exe")).isEqualTo("x.exe");
    assertThat(new CommandGroups(3).label("")).isEqualTo("unknown");
  }
}
