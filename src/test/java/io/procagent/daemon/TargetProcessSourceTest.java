package io.procagent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.procagent.config.TargetConfig;
import io.procagent.source.ProcessSnapshot;
import io.procagent.source.linux.ProcessTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetProcessSourceTest {

  @TempDir Path proc;

  /** A process's stat with {@code utime} and {@code stime} in ticks, a hundredth of a second. */
  private void process(long pid, long utime, long stime) throws IOException {
    // minflt 100 x pid, majflt pid
    String stat = pid + " (app) S 1 " + pid + " " + pid + " 0 -1 4194560 " + 100 * pid + " 0 " + pid + " 0 " + utime + " " + stime
        + " 0 0 20 0 1 0 " + (1000 + pid) + " 1000000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
    Files.createDirectories(proc.resolve(pid + "/fd"));
    Files.writeString(proc.resolve(pid + "/stat"), stat);
    Files.writeString(proc.resolve(pid + "/status"), "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nThreads:\t1\n");
  }

  @Test
  void cpuSummedOverProcessesIsTheTicksDecimal() throws IOException {
    Files.writeString(proc.resolve("stat"), "cpu  1 1 1 1\ncpu0 1 1 1 1\nbtime 1700000000\nprocesses 9\n");
    process(10, 10, 1); // 0.1 s user
    process(11, 20, 2); // 0.2 s: in doubles, 0.1 + 0.2 is 0.30000000000000004, which would be shown
    TargetProcessSource source =
        new TargetProcessSource(new TargetConfig("app", -1, null, Pattern.compile("^app$"), null, null, false), proc);
    source.rematch(ProcessTable.scan(proc));
    assertThat(source.matched()).containsExactlyInAnyOrder(10L, 11L);
    ProcessSnapshot p = source.read();
    assertThat(p.userSeconds()).isEqualTo(0.3);
    assertThat(p.minorFaults()).as("summed over the target's processes").isEqualTo(2100);
    assertThat(p.majorFaults()).isEqualTo(21);
  }

  @Test
  void aPidfileThatNamesNoProcessIsAProblemNamedOnceTheTargetIsDown() throws IOException {
    Files.writeString(proc.resolve("stat"), "cpu  1 1 1 1\ncpu0 1 1 1 1\nbtime 1700000000\nprocesses 9\n");
    process(10, 1, 1);
    process(11, 1, 1);
    Path pidfile = proc.resolve("app.pid");
    TargetProcessSource source =
        new TargetProcessSource(new TargetConfig("app", -1, pidfile.toString(), null, null, null, false), proc);
    ProcessTable table = ProcessTable.scan(proc);

    source.rematch(table); // missing: the service is stopped, which is no fault
    assertThat(source.matched()).isEmpty();
    assertThat(source.pidfileProblem()).isNull();

    Files.writeString(pidfile, "11\n");
    source.rematch(table);
    assertThat(source.matched()).containsExactly(11L);
    assertThat(source.pidfileProblem()).isNull();

    Files.writeString(pidfile, "");  // being written
    source.rematch(table);
    assertThat(source.matched()).isEmpty();
    assertThat(source.pidfileProblem()).isNull();

    Files.writeString(pidfile, "0\n"); // would have selected every process
    source.rematch(table);
    assertThat(source.matched()).isEmpty();
    assertThat(source.pidfileProblem())
        .isEqualTo("pidfile " + pidfile + " holds '0', not a process id (1 or more)");

    Files.writeString(pidfile, "nginx\u0007\n");
    source.rematch(table);
    assertThat(source.matched()).isEmpty();
    assertThat(source.pidfileProblem()).isEqualTo("pidfile " + pidfile + " holds 'nginx?', not a process id (1 or more)");

    Files.writeString(pidfile, "1".repeat(10_000)); // read no further than a pid's length
    source.rematch(table);
    assertThat(source.matched()).isEmpty();
    assertThat(source.pidfileProblem())
        .isEqualTo("pidfile " + pidfile + " holds '" + "1".repeat(32) + "...', not a process id (1 or more)");

    Files.delete(pidfile);
    Files.createDirectory(pidfile);
    source.rematch(table);
    assertThat(source.matched()).isEmpty();
    assertThat(source.pidfileProblem()).startsWith("pidfile " + pidfile + " cannot be read: java.io.IOException");

    Files.delete(pidfile);
    source.rematch(table);
    assertThat(source.pidfileProblem()).isNull();
  }
}
