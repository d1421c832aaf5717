package io.procagent;

import io.procagent.source.CpuTimes;
import io.procagent.source.ProcessSnapshot;
import io.procagent.source.ProcessSource;
import io.procagent.source.SystemIdentity;
import io.procagent.source.SystemSnapshot;
import io.procagent.source.SystemSource;
import java.io.IOException;
import java.util.List;

/** Hand-written fake sources with values a test sets. */
public final class Fakes {

  private Fakes() {}

  public static ProcessSnapshot process(double user, double system, long readAtNanos) {
    return new ProcessSnapshot(
        4242, 1, "java", 'S', "app", 1000, 100, "/srv/app", 1.7e9, user, system, Double.NaN,
        0.5, 0.25, 104857600, 2147483648L, Double.POSITIVE_INFINITY, 23, 1024, 17, 300, 20, 4000, 7, 2,
        io.procagent.source.CgroupCpu.NONE, readAtNanos);
  }

  public static SystemSnapshot system(double busy0, double idle0, long readAtNanos) {
    return new SystemSnapshot(
        List.of(
            new CpuTimes("0", busy0, 0, 0, idle0, 1, 0, 0, 0),
            new CpuTimes("1", 10, 0, 0, 100, Double.NaN, 0, 0, 0)),
        0.5, 0.25, 0.125, 1000, 50, 7000, 9000, 3, 1, 1.6e9, readAtNanos);
  }

  /** {@link #system} with CPU 0 given {@code guest} and {@code guestNice} seconds (the others none). */
  public static SystemSnapshot systemWithGuest(double busy0, double idle0, long readAtNanos, double guest, double guestNice) {
    SystemSnapshot s = system(busy0, idle0, readAtNanos);
    CpuTimes c = s.cpus().get(0);
    return new SystemSnapshot(
        List.of(
            new CpuTimes(c.cpu(), c.user(), c.nice(), c.system(), c.idle(), c.iowait(), c.irq(), c.softirq(), c.steal(), guest, guestNice),
            s.cpus().get(1)),
        s.load1(), s.load5(), s.load15(), s.contextSwitches(), s.forks(), s.interrupts(), s.softInterrupts(), s.procsRunning(),
        s.procsBlocked(), s.bootTimeSeconds(), readAtNanos);
  }

  public static final SystemIdentity IDENTITY =
      new SystemIdentity("host1", "Linux", "6.1.0-test", "x86_64", 2, 1);

  /** A process source returning a queue of snapshots, or failing when told to. */
  public static final class Process implements ProcessSource {
    public volatile ProcessSnapshot next;
    public volatile IOException failure;
    public int reads;

    @Override
    public ProcessSnapshot read() throws IOException {
      reads++;
      if (failure != null) {
        throw failure;
      }
      return next;
    }
  }

  /** A system source returning what a test set. */
  public static final class System implements SystemSource {
    public volatile SystemSnapshot next;
    public volatile IOException failure;
    public int reads;

    @Override
    public SystemSnapshot read() throws IOException {
      reads++;
      if (failure != null) {
        throw failure;
      }
      return next;
    }

    @Override
    public SystemIdentity identity() {
      return IDENTITY;
    }
  }
}
