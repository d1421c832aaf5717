package io.procagent.jmx;

import io.procagent.sampler.ChildrenSnapshot;
import io.procagent.sampler.Launches;
import io.procagent.sampler.Sampler;
import io.procagent.source.ChildProcess;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link ChildrenMXBean} over the sampler's last scan and the launch records. */
final class ChildrenView implements ChildrenMXBean {

  private final Sampler sampler;
  private final Launches launches;

  ChildrenView(Sampler sampler, Launches launches) {
    this.sampler = sampler;
    this.launches = launches;
  }

  private ChildrenSnapshot c() {
    ChildrenSnapshot c = sampler.children();
    return c == null ? ChildrenSnapshot.EMPTY : c;
  }

  @Override
  public int getLiveChildren() {
    return c().liveTotal();
  }

  @Override
  public Map<String, Integer> getLiveByState() {
    int[] states = c().states();
    Map<String, Integer> out = new LinkedHashMap<>();
    for (int i = 0; i < states.length; i++) {
      out.put(ChildrenSnapshot.STATES.get(i), states[i]);
    }
    return out;
  }

  @Override
  public long getStarted() {
    return launches == null ? 0 : sum(launches.started());
  }

  @Override
  public long getExited() {
    return launches == null
        ? 0
        : launches.exited().values().stream().mapToLong(ChildrenView::sumInt).sum();
  }

  @Override
  public long getFailedExits() {
    if (launches == null) {
      return 0;
    }
    long n = 0;
    for (Map<Integer, Long> codes : launches.exited().values()) {
      for (Map.Entry<Integer, Long> e : codes.entrySet()) {
        if (e.getKey() != 0) {
          n += e.getValue();
        }
      }
    }
    return n;
  }

  @Override
  public long getLaunchFailures() {
    return launches == null ? 0 : sum(launches.failed());
  }

  @Override
  public int getFoldedCommands() {
    return c().foldedCommands();
  }

  @Override
  public ChildRows.Command[] getCommands() {
    List<ChildrenSnapshot.Group> groups = c().groups();
    ChildRows.Command[] out = new ChildRows.Command[groups.size()];
    for (int i = 0; i < out.length; i++) {
      ChildrenSnapshot.Group g = groups.get(i);
      out[i] =
          new ChildRows.Command(g.command(), g.processes(), g.userSeconds() + g.systemSeconds(), g.residentBytes(), g.threads(), g.openFds());
    }
    return out;
  }

  @Override
  public ChildRows.Child[] getLive() {
    List<ChildProcess> live = c().live();
    ChildRows.Child[] out = new ChildRows.Child[live.size()];
    for (int i = 0; i < out.length; i++) {
      ChildProcess p = live.get(i);
      out[i] =
          new ChildRows.Child(
              p.pid(), p.ppid(), p.command(), String.valueOf(p.state()), p.userSeconds() + p.systemSeconds(),
              p.residentBytes(), p.threads(),
              Double.isNaN(p.startTimeSeconds()) ? "" : Instant.ofEpochMilli((long) (p.startTimeSeconds() * 1000)).toString(),
              p.arguments());
    }
    return out;
  }

  @Override
  public ChildRows.Exit[] getRecentExits() {
    if (launches == null) {
      return new ChildRows.Exit[0];
    }
    List<Launches.Exit> exits = launches.recent();
    ChildRows.Exit[] out = new ChildRows.Exit[exits.size()];
    for (int i = 0; i < out.length; i++) {
      Launches.Exit e = exits.get(i);
      out[i] = new ChildRows.Exit(e.command(), e.exitCode(), e.durationSeconds(), e.time().toString());
    }
    return out;
  }

  private static long sum(Map<String, Long> m) {
    return m.values().stream().mapToLong(Long::longValue).sum();
  }

  private static long sumInt(Map<Integer, Long> m) {
    return m.values().stream().mapToLong(Long::longValue).sum();
  }
}
