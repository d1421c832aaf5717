package io.procagent.source.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.procagent.source.ChildProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class LinuxDescendantSourceTest {

  @TempDir Path proc;

  void process(long pid, long ppid, String comm) throws IOException {
    Path d = Files.createDirectories(proc.resolve(Long.toString(pid)));
    Files.writeString(
        d.resolve("stat"),
        pid + " (" + comm + ") S " + ppid + " 1 1 0 -1 0 0 0 0 0 150 50 0 0 20 0 2 0 500 1000 10 0 0");
    Files.writeString(d.resolve("cmdline"), comm + "\0--password\0secret\0");
  }

  @Test
  void walksTheTreeFromTheRootWithOnePass() throws IOException {
    Files.writeString(proc.resolve("stat"), "cpu0 1 1 1 1\nbtime 1000\n");
    process(1, 0, "init");
    process(100, 1, "java");
    process(200, 100, "sh");
    process(300, 200, "sleep"); // grandchild
    process(400, 1, "unrelated");
    process(500, 400, "not mine");
    Files.createDirectories(proc.resolve("200/fd"));
    Files.writeString(proc.resolve("200/fd/0"), "");
    Files.createDirectories(proc.resolve("self"));
    Files.writeString(proc.resolve("self/smaps"), "00400000-00452000 r-xp\nKernelPageSize:        4 kB\n");
    Files.createDirectories(proc.resolve("sys")); // not a pid: skipped
    Files.createDirectories(proc.resolve("600")); // exited while listed: no stat, skipped
    List<ChildProcess> kids = new LinuxDescendantSource(proc).descendants(100, true);
    assertThat(kids).extracting(ChildProcess::pid).containsExactly(200L, 300L);
    ChildProcess sh = kids.get(0);
    assertThat(sh.command()).isEqualTo("sh");
    assertThat(sh.userSeconds()).isEqualTo(1.5);
    assertThat(sh.systemSeconds()).isEqualTo(0.5);
    assertThat(sh.residentBytes()).isEqualTo(10 * 4096);
    assertThat(sh.threads()).isEqualTo(2);
    assertThat(sh.startTimeSeconds()).isEqualTo(1005.0);
    assertThat(sh.openFds()).isEqualTo(1);
    assertThat(sh.arguments()).isEqualTo("sh --password ***");
    assertThat(kids.get(1).openFds()).isEqualTo(-1); // no fd dir we may read
    assertThat(new LinuxDescendantSource(proc).descendants(100, false).get(0).arguments()).isEmpty();
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void childrenFilesFindWhatAFullScanFinds() throws Exception {
    // a child, and grandchildren started by it
    Process sh = new ProcessBuilder("sh", "-c", "sleep 30 & sleep 30 & wait").start();
    Process sleep = new ProcessBuilder("sleep", "30").start();
    try {
      long self = ProcessHandle.current().pid();
      Path proc = Path.of("/proc");
      LinuxDescendantSource source = new LinuxDescendantSource(proc);
      java.util.Set<Long> viaChildren = java.util.Set.of();
      for (int i = 0; i < 50 && viaChildren.size() < 4; i++) { // sh starts its sleeps
        Thread.sleep(50);
        List<ChildProcess> small = source.viaChildrenFiles(self, false);
        assertThat(small).as("this kernel has /proc/PID/task/TID/children").isNotNull();
        viaChildren = new java.util.HashSet<>(small.stream().map(ChildProcess::pid).toList());
      }
      java.util.Set<Long> viaScan = new java.util.HashSet<>(ProcessTable.scan(proc).descendantsOf(List.of(self)));
      assertThat(viaChildren).hasSize(4).contains(sh.pid(), sleep.pid()).isEqualTo(viaScan);
      // the next round, through what the first one kept, finds the same
      assertThat(source.viaChildrenFiles(self, false)).extracting(ChildProcess::pid).containsExactlyInAnyOrderElementsOf(viaScan);
      // and so does a listing of /proc, round after round, that does not read again what it
      // found not to be ours: a child started in between is found
      LinuxDescendantSource listing = new LinuxDescendantSource(proc);
      assertThat(listing.viaListing(new java.io.File("/proc").list(), self, false))
          .extracting(ChildProcess::pid).containsExactlyInAnyOrderElementsOf(viaScan);
      Process late = new ProcessBuilder("sleep", "30").start();
      try {
        assertThat(listing.viaListing(new java.io.File("/proc").list(), self, false))
            .extracting(ChildProcess::pid).contains(late.pid()).containsAll(viaScan).hasSize(5);
      } finally {
        late.destroy();
        late.waitFor();
      }
    } finally {
      sh.descendants().forEach(ProcessHandle::destroy);
      sh.destroy();
      sleep.destroy();
      sh.waitFor();
      sleep.waitFor();
    }
  }

  @Test
  void aSecondRoundSeesExecAndPidReuse() throws IOException {
    Files.writeString(proc.resolve("stat"), "cpu0 1 1 1 1\nbtime 1000\n");
    process(100, 1, "java");
    process(200, 100, "sh");
    LinuxDescendantSource source = new LinuxDescendantSource(proc);
    ChildProcess first = source.descendants(100, false).get(0);
    assertThat(first.command()).isEqualTo("sh");
    assertThat(source.descendants(100, false).get(0).command()).isSameAs(first.command()); // kept
    process(200, 100, "sleep"); // sh exec'd sleep: same pid and start time, new comm
    assertThat(source.descendants(100, false).get(0).command()).isEqualTo("sleep");
    // the pid reused by another process (another start time) with the same comm
    Files.writeString(
        proc.resolve("200/stat"), "200 (sleep) R 100 1 1 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 900 1000 20 0 0");
    ChildProcess reused = source.descendants(100, false).get(0);
    assertThat(reused.startTicks()).isEqualTo(900);
    assertThat(reused.state()).isEqualTo('R');
    assertThat(reused.userSeconds()).isEqualTo(0.07);
    assertThat(reused.threads()).isEqualTo(1);
    assertThat(reused.residentBytes()).isEqualTo(20 * 4096);
  }

  /** A descendant a round does not find is forgotten: found again later, it is read as new. */
  @Test
  void aDescendantThatExitedIsForgotten() throws IOException {
    Files.writeString(proc.resolve("stat"), "cpu0 1 1 1 1\nbtime 1000\n");
    process(100, 1, "java");
    process(200, 100, "sh");
    process(300, 100, "sleep");
    LinuxDescendantSource source = new LinuxDescendantSource(proc);
    List<ChildProcess> first = source.descendants(100, false);
    assertThat(first).extracting(ChildProcess::pid).containsExactlyInAnyOrder(200L, 300L);
    String sleep = command(first, 300);
    assertThat(command(source.descendants(100, false), 300)).isSameAs(sleep); // kept
    Files.delete(proc.resolve("300/stat"));
    Files.delete(proc.resolve("300/cmdline"));
    Files.delete(proc.resolve("300"));
    assertThat(source.descendants(100, false)).extracting(ChildProcess::pid).containsExactly(200L);
    process(300, 100, "sleep"); // the same stat again: had it been kept, its command would be too
    List<ChildProcess> again = source.descendants(100, false);
    assertThat(again).extracting(ChildProcess::pid).containsExactlyInAnyOrder(200L, 300L);
    assertThat(command(again, 300)).isEqualTo("sleep").isNotSameAs(sleep);
  }

  private static String command(List<ChildProcess> found, long pid) {
    return found.stream().filter(c -> c.pid() == pid).findFirst().orElseThrow().command();
  }

  /** A round's stats are copied into buffers kept from the round before: nothing of a longer one may show. */
  @Test
  void aShorterStatInAKeptBufferIsReadToItsOwnEnd() throws IOException {
    Files.writeString(proc.resolve("stat"), "cpu0 1 1 1 1\nbtime 1000\n");
    process(100, 1, "java");
    Path d = Files.createDirectories(proc.resolve("200"));
    Files.writeString(
        d.resolve("stat"),
        "200 (a rather long command name (with parens)) S 100 1 1 0 -1 0 0 0 0 0 123456789 987654321 0 0 20 0 64 0"
            + " 500 1000 123456 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0");
    LinuxDescendantSource source = new LinuxDescendantSource(proc);
    assertThat(source.descendants(100, false).get(0).command()).isEqualTo("a rather long command name (with parens)");
    Files.writeString(d.resolve("stat"), "200 (sh) R 100 1 1 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 900 1000 20");
    ChildProcess shorter = source.descendants(100, false).get(0);
    assertThat(shorter.command()).isEqualTo("sh");
    assertThat(shorter.state()).isEqualTo('R');
    assertThat(shorter.userSeconds()).isEqualTo(0.07);
    assertThat(shorter.systemSeconds()).isEqualTo(0.03);
    assertThat(shorter.threads()).isEqualTo(1);
    assertThat(shorter.residentBytes()).isEqualTo(20 * 4096);
  }

  @Test
  void openFilesAreCountedAgainWhenTheProcessWasChargedCpuOrEveryFewRounds() throws IOException {
    Files.writeString(proc.resolve("stat"), "cpu0 1 1 1 1\nbtime 1000\n");
    process(100, 1, "java");
    process(200, 100, "sh");
    Path fd = Files.createDirectories(proc.resolve("200/fd"));
    Files.writeString(fd.resolve("0"), "");
    LinuxDescendantSource source = new LinuxDescendantSource(proc);
    assertThat(source.descendants(100, false).get(0).openFds()).isEqualTo(1);
    Files.writeString(fd.resolve("1"), ""); // opened without being charged a tick
    for (int i = 0; i < LinuxDescendantSource.FDS_REUSED_AT_MOST; i++) {
      assertThat(source.descendants(100, false).get(0).openFds()).as("round %d", i + 2).isEqualTo(1);
    }
    assertThat(source.descendants(100, false).get(0).openFds()).as("counted again").isEqualTo(2);
    Files.writeString(fd.resolve("2"), "");
    Files.writeString( // charged one tick of user time: counted at once
        proc.resolve("200/stat"), "200 (sh) S 100 1 1 0 -1 0 0 0 0 0 151 50 0 0 20 0 2 0 500 1000 10 0 0");
    assertThat(source.descendants(100, false).get(0).openFds()).isEqualTo(3);
    Files.delete(fd.resolve("2"));
    assertThat(source.descendants(100, false).get(0).openFds()).isEqualTo(3); // reused again
    // a new process in the same pid (another start time) is counted, not given the old count
    Files.writeString(
        proc.resolve("200/stat"), "200 (sh) S 100 1 1 0 -1 0 0 0 0 0 151 50 0 0 20 0 2 0 900 1000 10 0 0");
    assertThat(source.descendants(100, false).get(0).openFds()).isEqualTo(2);
  }

  /** A fake /proc of this JVM's pid namespace (its {@code self}), with pid_max 32768. */
  void ownPidNamespace() throws IOException {
    Files.createDirectories(proc.resolve("sys/kernel"));
    Files.writeString(proc.resolve("sys/kernel/pid_max"), "32768\n");
    Files.createSymbolicLink(proc.resolve("self"), Path.of(Long.toString(ProcessHandle.current().pid())));
  }

  void hostCounters(long forks, long cursor) throws IOException {
    Files.writeString(proc.resolve("stat"), "cpu0 1 1 1 1\nbtime 1000\nprocesses " + forks + "\n");
    Files.writeString(proc.resolve("loadavg"), "0.00 0.01 0.05 1/100 " + cursor + "\n");
  }

  @Test
  void aProcessFoundNotToDescendIsNotReadAgainUntilItsPidCouldBeReused() throws IOException {
    ownPidNamespace();
    hostCounters(5000, 1000);
    process(100, 1, "java");
    process(200, 100, "sh");
    process(400, 1, "unrelated");
    LinuxDescendantSource source = new LinuxDescendantSource(proc);
    assertThat(source.descendants(100, false)).extracting(ChildProcess::pid).containsExactly(200L);
    // 400 now claims the root as parent, which only a reused pid could: not read, not seen
    process(400, 100, "reused");
    process(1005, 200, "new"); // a new pid is read
    hostCounters(5010, 1010);
    assertThat(source.descendants(100, false)).extracting(ChildProcess::pid).containsExactly(200L, 1005L);
    // the cursor wrapped and went past 400: it is read again
    hostCounters(5100, 500);
    assertThat(source.descendants(100, false)).extracting(ChildProcess::pid).containsExactlyInAnyOrder(200L, 1005L, 400L);
    // so many tasks created that the cursor may have gone all the way round: everything is read
    process(400, 1, "unrelated");
    hostCounters(5110, 510);
    assertThat(source.descendants(100, false)).extracting(ChildProcess::pid).containsExactly(200L, 1005L);
    process(400, 100, "reused");
    hostCounters(5120, 520);
    assertThat(source.descendants(100, false)).extracting(ChildProcess::pid).containsExactly(200L, 1005L);
    hostCounters(5120 + 32768 - 300 - 100, 530);
    assertThat(source.descendants(100, false)).extracting(ChildProcess::pid).containsExactlyInAnyOrder(200L, 1005L, 400L);
  }

  /**
   * While no pid is handed out (the cursor stands, few tasks created) a round reads the known
   * descendants only: a process in /proc it did not know is not even looked at (a fake one here:
   * a real one cannot appear without the cursor moving), and one that exited or was left to init
   * by its parent is gone from the result.
   */
  @Test
  void aRoundWithoutNewPidsReadsTheKnownDescendantsOnly() throws IOException {
    ownPidNamespace();
    hostCounters(5000, 1000);
    process(100, 1, "java");
    process(200, 100, "sh");
    process(300, 200, "sleep");
    process(310, 200, "sleep");
    process(320, 100, "cat");
    LinuxDescendantSource source = new LinuxDescendantSource(proc);
    assertThat(source.descendants(100, false)).extracting(ChildProcess::pid).containsExactlyInAnyOrder(200L, 320L, 300L, 310L);
    process(900, 100, "unlisted"); // not read while the cursor stands
    Files.writeString( // 300 charged a tick: its new stat is read
        proc.resolve("300/stat"), "300 (sleep) S 200 1 1 0 -1 0 0 0 0 0 151 50 0 0 20 0 2 0 500 1000 10 0 0");
    List<ChildProcess> quiet = source.descendants(100, false);
    assertThat(quiet).extracting(ChildProcess::pid).containsExactlyInAnyOrder(200L, 320L, 300L, 310L);
    assertThat(quiet.stream().filter(c -> c.pid() == 300).findFirst().orElseThrow().userSeconds()).isEqualTo(1.51);
    // sh exits: 300 and 310 go to init, out of the tree; cat exits
    delete(200);
    delete(320);
    process(300, 1, "sleep");
    process(310, 1, "sleep");
    assertThat(source.descendants(100, false)).isEmpty();
    // they stay out, even claiming the root as parent, which only a pid handed out again could
    process(310, 100, "sleep");
    assertThat(source.descendants(100, false)).isEmpty();
    // the cursor moves: /proc is listed, and the new pid is read
    hostCounters(5001, 1001);
    assertThat(source.descendants(100, false)).extracting(ChildProcess::pid).containsExactly(900L);
    // and the quiet round after it reads what the listing found
    assertThat(source.descendants(100, false)).extracting(ChildProcess::pid).containsExactly(900L);
    // so many tasks created that the cursor may have gone round to where it stood: listed too
    process(910, 100, "late");
    hostCounters(5001 + 32768 - 300 - 100, 1001);
    assertThat(source.descendants(100, false)).extracting(ChildProcess::pid).containsExactlyInAnyOrder(900L, 910L, 310L);
  }

  private void delete(long pid) throws IOException {
    try (var files = Files.list(proc.resolve(Long.toString(pid)))) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(proc.resolve(Long.toString(pid)));
  }

  @Test
  void thePidCursorsWay() {
    assertThat(LinuxDescendantSource.passed(1000, 1010, 1005)).isTrue();
    assertThat(LinuxDescendantSource.passed(1000, 1010, 1000)).isFalse();
    assertThat(LinuxDescendantSource.passed(1000, 1010, 400)).isFalse();
    assertThat(LinuxDescendantSource.passed(32000, 500, 400)).isTrue(); // wrapped
    assertThat(LinuxDescendantSource.passed(32000, 500, 32500)).isTrue();
    assertThat(LinuxDescendantSource.passed(32000, 500, 1000)).isFalse();
    long[] out = new long[2];
    byte[] loadavg = "0.00 0.01 0.05 2/345 6789\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(ProcParsers.pidCursorOf(loadavg, loadavg.length, out)).isTrue();
    assertThat(out).containsExactly(345, 6789);
    assertThat(ProcParsers.pidCursorOf(loadavg, 12, out)).isFalse();
  }

  @Test
  void statFieldsReadsACommWithSpacesAndParentheses() {
    byte[] line = "42 (a) (b) c) S 7 1 1 0 -1 0 0 0 0 0 150 50 0 0 20 0 3 0 500 1000 10 0 0\n"
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    long[] f = new long[ProcParsers.STAT_FIELDS];
    assertThat(ProcParsers.statFields(line, line.length, f)).isTrue();
    assertThat(new String(line, (int) f[ProcParsers.S_COMM_FROM], (int) (f[ProcParsers.S_COMM_TO] - f[ProcParsers.S_COMM_FROM]),
        java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("a) (b) c");
    assertThat((char) f[ProcParsers.S_STATE]).isEqualTo('S');
    assertThat(f).startsWith('S', 7, 150, 50, 3, 500, 10);
    // cut short after utime: what is missing is unknown, not zero
    assertThat(ProcParsers.statFields(line, 50, f)).isTrue();
    assertThat(f[ProcParsers.S_UTIME]).isEqualTo(150);
    assertThat(f[ProcParsers.S_RSS]).isEqualTo(ProcParsers.UNKNOWN);
    byte[] junk = "not a stat line".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(ProcParsers.statFields(junk, junk.length, f)).isFalse();
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void liveChildIsFound() throws Exception {
    Process sleep = new ProcessBuilder("sleep", "30").start();
    try {
      // start() returns while the child may still be exec'ing (no memory mapped yet); the scan
      // through children lists is fast enough to see that moment, so wait until it is sleeping
      java.nio.file.Path stat = Path.of("/proc/" + sleep.pid() + "/stat");
      for (int i = 0; i < 100 && !java.nio.file.Files.readString(stat).matches("\\d+ \\(sleep\\) S .*\\s*"); i++) {
        Thread.sleep(20);
      }
      List<ChildProcess> kids =
          new LinuxDescendantSource(Path.of("/proc")).descendants(ProcessHandle.current().pid(), false);
      assertThat(kids).anySatisfy(c -> {
        assertThat(c.pid()).isEqualTo(sleep.pid());
        assertThat(c.command()).isEqualTo("sleep");
        assertThat(c.residentBytes()).isPositive();
        assertThat(c.openFds()).isGreaterThanOrEqualTo(3);
      });
    } finally {
      sleep.destroy();
      sleep.waitFor();
    }
  }

  @Test
  void physicalCores() {
    String cpuinfo =
        "processor\t: 0\nphysical id\t: 0\ncore id\t: 0\n\nprocessor\t: 1\nphysical id\t: 0\ncore id\t: 0\n\n"
            + "processor\t: 2\nphysical id\t: 1\ncore id\t: 0\n";
    assertThat(ProcParsers.countPhysicalCores(cpuinfo)).isEqualTo(2);
    assertThat(ProcParsers.countPhysicalCores("processor : 0\nBogoMIPS : 50\n")).isZero();
  }
}
