package io.procagent.sampler;

import io.procagent.source.ChildProcess;
import io.procagent.source.CpuTimes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns successive scans into monotonic per-command counters: each PID's CPU is added as the
 * delta since its previous scan, so a child that exits keeps its CPU in the total, and a PID
 * reused by another process (other start time) starts afresh. Called from the sampler thread
 * only.
 */
final class ChildrenAccounting {

  /**
   * What the JVM's {@code ProcessBuilder.start} runs first on Linux (its default launch
   * mechanism, posix_spawn): the helper execs the command at once, keeping its pid, so a scan
   * that comes between the two sees a {@code jspawnhelper} that is really the child being
   * started. It is left out until it is that child.
   */
  static final String LAUNCH_HELPER = "jspawnhelper";

  private final CommandGroups groups;
  private final int maxLive;
  private final Map<Long, Seen> seen = new HashMap<>();
  private int round;
  private final Map<String, double[]> cpu = new TreeMap<>(); // label -> {user, system}

  ChildrenAccounting(CommandGroups groups, int maxLive) {
    this.groups = groups;
    this.maxLive = maxLive;
  }

  ChildrenSnapshot update(List<ChildProcess> scan, double scanSeconds) {
    round++;
    Map<String, long[]> live = new TreeMap<>(); // label -> {processes, rss, threads, fds, fdsKnown}
    for (String label : cpu.keySet()) {
      live.put(label, new long[5]);
    }
    int[] states = new int[ChildrenSnapshot.STATES.size()];
    int helpers = 0;
    for (int i = 0, n = scan.size(); i < n; i++) {
      ChildProcess p = scan.get(i);
      if (LAUNCH_HELPER.equals(p.command())) {
        helpers++; // the JVM's launcher, about to become the child it starts: counted once it has
      } else {
        account(p, live, states);
      }
    }
    if (helpers > 0) {
      List<ChildProcess> children = new ArrayList<>(scan.size() - helpers);
      for (ChildProcess p : scan) {
        if (!LAUNCH_HELPER.equals(p.command())) {
          children.add(p);
        }
      }
      scan = children;
    }
    if (seen.size() > scan.size()) { // a scan's pids are distinct: some are gone since the last scan
      for (Iterator<Seen> it = seen.values().iterator(); it.hasNext(); ) {
        if (it.next().round != round) {
          it.remove();
        }
      }
    }
    List<ChildrenSnapshot.Group> out = new ArrayList<>(live.size());
    for (Map.Entry<String, long[]> e : live.entrySet()) {
      long[] g = e.getValue();
      double[] c = cpu.get(e.getKey());
      out.add(
          new ChildrenSnapshot.Group(
              e.getKey(), (int) g[0], c[0], c[1], g[1], g[2], g[4] > 0 || g[0] == 0 ? g[3] : -1));
    }
    List<ChildProcess> table = scan.size() <= maxLive ? scan : scan.subList(0, maxLive);
    return new ChildrenSnapshot(out, table, scan.size(), groups.foldedCommands(), scanSeconds, states);
  }

  /**
   * Adds one process of the scan to its group. A method of its own: called once per process, it
   * is compiled within seconds, where the loop of a method run once a round runs interpreted
   * until that method has been called 100 times (C1's threshold with back-edges counted), eight
   * minutes of rounds 5 s apart.
   */
  private void account(ChildProcess p, Map<String, long[]> live, int[] states) {
    states[ChildrenSnapshot.stateIndex(p.state())]++;
    Seen before = seen.get(p.pid());
    boolean same = before != null && before.startTicks == p.startTicks();
    // a process that exec()ed another program since its last scan goes to that command's group
    // from now on (the CPU it used before stays in the old one, which never decreases)
    String label = same && p.command().equals(before.command) ? before.label : groups.label(p.command());
    double baseUser = same ? before.user : 0;
    double baseSystem = same ? before.system : 0;
    double du = Math.max(0, p.userSeconds() - baseUser);
    double ds = Math.max(0, p.systemSeconds() - baseSystem);
    Seen now = before != null ? before : new Seen();
    if (before == null) {
      seen.put(p.pid(), now);
    }
    now.startTicks = p.startTicks();
    now.user = Math.max(p.userSeconds(), baseUser);
    now.system = Math.max(p.systemSeconds(), baseSystem);
    now.label = label;
    now.command = p.command();
    now.round = round;
    double[] c = cpu.computeIfAbsent(label, k -> new double[2]);
    c[0] = CpuTimes.micros(c[0] + du); // ticks add up with rounding errors, which would be shown
    c[1] = CpuTimes.micros(c[1] + ds);
    long[] g = live.computeIfAbsent(label, k -> new long[5]);
    g[0]++;
    g[1] += Math.max(0, p.residentBytes());
    g[2] += Math.max(0, p.threads());
    if (p.openFds() >= 0) {
      g[3] += p.openFds();
      g[4]++;
    }
  }

  /** How many PIDs are remembered (for tests). */
  int tracked() {
    return seen.size();
  }

  /** A PID as of its last scan, updated in place from scan to scan while it lives. */
  private static final class Seen {
    long startTicks;
    double user;
    double system;
    String label;
    /** Its command at that scan: another one at a later scan means it exec()ed. */
    String command;
    /** The last scan that found it. */
    int round;
  }
}
