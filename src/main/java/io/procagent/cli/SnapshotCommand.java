package io.procagent.cli;

import io.procagent.cli.Cli.UsageException;
import io.procagent.sampler.ChildrenSnapshot;
import io.procagent.sampler.CommandGroups;
import io.procagent.sampler.Errors;
import io.procagent.sampler.Sampler;
import io.procagent.sampler.Utilization;
import io.procagent.source.ChildProcess;
import io.procagent.source.ProcessSnapshot;
import io.procagent.source.Sources;
import io.procagent.source.SystemIdentity;
import io.procagent.source.SystemSnapshot;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code procagent snapshot [--pid PID] [--json] [--interval MS]}: what procagent would export
 * for one process, read once (utilisation over a short interval), for a person, or as JSON for
 * scripts. Like psutil at a prompt.
 */
final class SnapshotCommand {

  static final String HELP =
      """
      usage: java -jar procagent.jar snapshot [--pid PID] [--json] [--interval MS]

      Prints what procagent sees of process PID (default: this command's own JVM): identity,
      CPU times and utilisation (measured over --interval, default 1000 ms), memory, threads,
      file descriptors, the host's CPUs, and the table of its live descendants.
      --json prints the same as one JSON object.
      """;

  private final PrintStream out;
  private final PrintStream err;

  SnapshotCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  int run(List<String> args) throws UsageException {
    long pid = ProcessHandle.current().pid();
    boolean json = false;
    long interval = 1000;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--help", "-h" -> {
          out.print(HELP);
          return 0;
        }
        case "--json" -> json = true;
        case "--pid", "--interval" -> {
          if (i + 1 >= args.size()) {
            throw new UsageException("option " + a + " needs a value");
          }
          String v = args.get(++i);
          long n;
          try {
            n = Long.parseLong(v);
          } catch (NumberFormatException e) {
            n = -1;
          }
          boolean isPid = a.equals("--pid");
          if (n <= 0 || (!isPid && n > 60_000)) {
            throw new UsageException(a + " '" + v + "' is not " + (isPid ? "a process id (1 or more)" : "1..60000 milliseconds"));
          }
          if (isPid) {
            pid = n;
          } else {
            interval = n;
          }
        }
        default -> throw new UsageException("unknown option '" + a + "' (known: --pid, --json, --interval)");
      }
    }
    if (ProcessHandle.of(pid).isEmpty()) {
      throw new UsageException("no process " + pid);
    }
    Errors errors = new Errors();
    int cpus = Runtime.getRuntime().availableProcessors();
    Sampler sampler = new Sampler(Sources.process(pid), Sources.system(), Duration.ZERO, () -> cpus, errors);
    sampler.scanChildren(Sources.descendants(), pid, new CommandGroups(1000), 1000, false);
    sampler.tick();
    try {
      Thread.sleep(interval);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sampler.tick();
    ProcessSnapshot p = sampler.process();
    SystemSnapshot s = sampler.system();
    if (p == null) {
      err.println("procagent snapshot: cannot read process " + pid + ": " + errors.last());
      return 1;
    }
    SystemIdentity id;
    try {
      id = sampler.systemSource().identity();
    } catch (IOException e) {
      id = new SystemIdentity("", "", "", "", 0, 0);
    }
    Map<String, Object> data = data(p, s, id, sampler.utilization(), sampler.children());
    out.print(json ? Json.write(data) : human(p, s, id, sampler.utilization(), sampler.children()));
    return 0;
  }

  private static Map<String, Object> data(
      ProcessSnapshot p, SystemSnapshot s, SystemIdentity id, Utilization u, ChildrenSnapshot c) {
    Map<String, Object> proc = new LinkedHashMap<>();
    proc.put("pid", p.pid());
    proc.put("ppid", p.ppid());
    proc.put("command", p.command());
    proc.put("state", String.valueOf(p.state()));
    proc.put("user", p.user());
    proc.put("uid", p.uid());
    proc.put("gid", p.gid());
    proc.put("cwd", p.cwd());
    proc.put("start_time_seconds", p.startTimeSeconds());
    Map<String, Object> cpu = new LinkedHashMap<>();
    cpu.put("user_seconds", p.userSeconds());
    cpu.put("system_seconds", p.systemSeconds());
    cpu.put("iowait_seconds", p.iowaitSeconds());
    cpu.put("utilization_ratio", u.process());
    cpu.put("cpus_available", u.processCpus());
    cpu.put("window_seconds", u.windowSeconds());
    cpu.put("reaped_children_user_seconds", p.reapedChildrenUserSeconds());
    cpu.put("reaped_children_system_seconds", p.reapedChildrenSystemSeconds());
    cpu.put("cgroup_limit_cores", p.cgroup().limitCores());
    cpu.put("cgroup_periods", nullIfUnknown(p.cgroup().periods()));
    cpu.put("cgroup_throttled_periods", nullIfUnknown(p.cgroup().throttledPeriods()));
    cpu.put("cgroup_throttled_seconds", p.cgroup().throttledSeconds());
    proc.put("cpu", cpu);
    Map<String, Object> mem = new LinkedHashMap<>();
    mem.put("resident_bytes", p.residentBytes());
    mem.put("virtual_bytes", p.virtualBytes());
    mem.put("virtual_max_bytes", p.virtualMaxBytes());
    proc.put("memory", mem);
    proc.put("threads", p.threads());
    proc.put("open_fds", nullIfUnknown(p.openFds()));
    proc.put("max_fds", nullIfUnknown(p.maxFds()));
    proc.put("voluntary_context_switches", nullIfUnknown(p.voluntaryContextSwitches()));
    proc.put("involuntary_context_switches", nullIfUnknown(p.involuntaryContextSwitches()));
    proc.put("minor_page_faults", nullIfUnknown(p.minorFaults()));
    proc.put("major_page_faults", nullIfUnknown(p.majorFaults()));
    List<Object> kids = new ArrayList<>();
    if (c != null) {
      for (ChildProcess k : c.live()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", k.pid());
        m.put("ppid", k.ppid());
        m.put("command", k.command());
        m.put("state", String.valueOf(k.state()));
        m.put("cpu_seconds", k.userSeconds() + k.systemSeconds());
        m.put("resident_bytes", nullIfUnknown(k.residentBytes()));
        m.put("threads", k.threads());
        m.put("open_fds", nullIfUnknown(k.openFds()));
        m.put("start_time_seconds", k.startTimeSeconds());
        kids.add(m);
      }
    }
    proc.put("children", kids);
    Map<String, Object> host = new LinkedHashMap<>();
    host.put("hostname", id.hostname());
    host.put("os", id.os());
    host.put("kernel", id.kernel());
    host.put("arch", id.arch());
    host.put("logical_cpus", id.logicalCpus());
    host.put("physical_cpus", id.physicalCpus());
    if (s != null) {
      host.put("boot_time_seconds", s.bootTimeSeconds());
      host.put("load", List.of(s.load1(), s.load5(), s.load15()));
      host.put("procs_running", nullIfUnknown(s.procsRunning()));
      host.put("procs_blocked", nullIfUnknown(s.procsBlocked()));
      host.put("context_switches", nullIfUnknown(s.contextSwitches()));
      host.put("interrupts", nullIfUnknown(s.interrupts()));
      host.put("soft_interrupts", nullIfUnknown(s.softInterrupts()));
      host.put("forks", nullIfUnknown(s.forks()));
    }
    Map<String, Object> perCpu = new LinkedHashMap<>();
    double[] per = u.perCpu();
    for (int i = 0; i < per.length; i++) {
      perCpu.put(u.cpus().get(i), per[i]);
    }
    host.put("cpu_utilization_ratio", perCpu);
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("process", proc);
    all.put("host", host);
    return all;
  }

  private static Object nullIfUnknown(long v) {
    return v < 0 ? null : v;
  }

  private static String human(ProcessSnapshot p, SystemSnapshot s, SystemIdentity id, Utilization u, ChildrenSnapshot c) {
    StringBuilder b = new StringBuilder();
    Instant started = Double.isNaN(p.startTimeSeconds()) ? null : Instant.ofEpochMilli((long) (p.startTimeSeconds() * 1000));
    b.append(String.format(Locale.ROOT, "process %d (%s)  state %s  user %s (uid %d, gid %d)%n",
        p.pid(), p.command(), p.state(), p.user(), p.uid(), p.gid()));
    b.append(String.format(Locale.ROOT, "  parent    %d%n  cwd       %s%n", p.ppid(), p.cwd().isEmpty() ? "(not readable)" : p.cwd()));
    if (started != null) {
      b.append(String.format(Locale.ROOT, "  started   %s (up %s)%n", started, age(Duration.between(started, Instant.now()))));
    }
    b.append(String.format(Locale.ROOT, "cpu%n  user %.2f s  system %.2f s  iowait %s%n", p.userSeconds(), p.systemSeconds(),
        Double.isNaN(p.iowaitSeconds()) ? "n/a" : String.format(Locale.ROOT, "%.2f s", p.iowaitSeconds())));
    b.append(String.format(Locale.ROOT, "  utilisation %s of its %s CPUs over %.1f s%n", pct(u.process()),
        Double.isNaN(u.processCpus()) ? "n/a" : Json.number(u.processCpus()), u.windowSeconds()));
    if (!Double.isNaN(p.cgroup().limitCores())) {
      b.append(String.format(Locale.ROOT, "  cgroup limit %s CPUs, throttled in %s of %s periods (%s s)%n",
          Json.number(p.cgroup().limitCores()), unknown(p.cgroup().throttledPeriods()), unknown(p.cgroup().periods()),
          Double.isNaN(p.cgroup().throttledSeconds()) ? "n/a" : String.format(Locale.ROOT, "%.2f", p.cgroup().throttledSeconds())));
    }
    b.append(String.format(Locale.ROOT, "  reaped children  user %.2f s  system %.2f s%n", p.reapedChildrenUserSeconds(), p.reapedChildrenSystemSeconds()));
    b.append(String.format(Locale.ROOT, "memory%n  rss %s  virtual %s  limit %s  page faults %s minor, %s major%n", bytes(p.residentBytes()),
        bytes(p.virtualBytes()),
        Double.isInfinite(p.virtualMaxBytes()) ? "unlimited" : Double.isNaN(p.virtualMaxBytes()) ? "n/a" : bytes((long) p.virtualMaxBytes()),
        unknown(p.minorFaults()), unknown(p.majorFaults())));
    b.append(String.format(Locale.ROOT, "threads %d  fds %s / %s  context switches %s voluntary, %s involuntary%n", p.threads(),
        unknown(p.openFds()), unknown(p.maxFds()), unknown(p.voluntaryContextSwitches()), unknown(p.involuntaryContextSwitches())));
    b.append(String.format(Locale.ROOT, "host %s  %s %s  %s  %d logical / %d physical CPUs", id.hostname(), id.os(), id.kernel(), id.arch(),
        id.logicalCpus(), id.physicalCpus()));
    if (s != null) {
      b.append(String.format(Locale.ROOT, "  load %.2f %.2f %.2f  running %s  blocked %s", s.load1(), s.load5(), s.load15(),
          unknown(s.procsRunning()), unknown(s.procsBlocked())));
    }
    b.append(System.lineSeparator()).append(" ");
    double[] per = u.perCpu();
    for (int i = 0; i < per.length; i++) {
      b.append(String.format(Locale.ROOT, " cpu%s %s", u.cpus().get(i), pct(per[i])));
    }
    b.append(System.lineSeparator());
    List<ChildProcess> kids = c == null ? List.of() : c.live();
    b.append(String.format(Locale.ROOT, "children (%d)%n", kids.size()));
    if (!kids.isEmpty()) {
      b.append(String.format(Locale.ROOT, "  %-8s %-8s %-16s %-5s %9s %10s %7s %5s%n", "PID", "PPID", "COMMAND", "STATE", "CPU s", "RSS", "THREADS", "FDS"));
      for (ChildProcess k : kids) {
        b.append(String.format(Locale.ROOT, "  %-8d %-8d %-16s %-5s %9.2f %10s %7d %5s%n", k.pid(), k.ppid(), k.command(), k.state(),
            k.userSeconds() + k.systemSeconds(), bytes(k.residentBytes()), k.threads(), unknown(k.openFds())));
      }
    }
    return b.toString();
  }

  private static String pct(double ratio) {
    return Double.isNaN(ratio) ? "n/a" : String.format(Locale.ROOT, "%.1f %%", ratio * 100);
  }

  private static String unknown(long v) {
    return v < 0 ? "n/a" : Long.toString(v);
  }

  static String bytes(long b) {
    if (b < 0) {
      return "n/a";
    }
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = b;
    int i = 0;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return i == 0 ? b + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[i]);
  }

  private static String age(Duration d) {
    long s = d.getSeconds();
    return s >= 86400 ? (s / 86400) + "d" + (s % 86400 / 3600) + "h" : s >= 3600 ? (s / 3600) + "h" + (s % 3600 / 60) + "m" : (s / 60) + "m" + (s % 60) + "s";
  }
}
