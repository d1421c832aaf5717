package io.procagent.sampler;

import io.procagent.source.ChildProcess;
import java.util.List;

/**
 * The target's live descendants after one scan, grouped by command label.
 *
 * @param groups one entry per command label ever seen, in label order
 * @param live the descendants of this scan (for the JMX table), at most the configured number
 * @param liveTotal number of live descendants
 * @param foldedCommands distinct commands folded into "other"
 * @param scanSeconds how long the scan took
 */
public record ChildrenSnapshot(
    List<Group> groups, List<ChildProcess> live, int liveTotal, int foldedCommands, double scanSeconds) {

  public static final ChildrenSnapshot EMPTY = new ChildrenSnapshot(List.of(), List.of(), 0, 0, 0);

  public ChildrenSnapshot {
    groups = List.copyOf(groups);
    live = List.copyOf(live);
  }

  /**
   * One command label.
   *
   * @param command the label
   * @param processes live processes now
   * @param userSeconds user CPU of every process ever seen in this group (monotonic)
   * @param systemSeconds system CPU of every process ever seen in this group (monotonic)
   * @param residentBytes RSS of the live ones (those we could read)
   * @param threads threads of the live ones
   * @param openFds descriptors of the live ones we may read; -1 when none could be read
   */
  public record Group(
      String command,
      int processes,
      double userSeconds,
      double systemSeconds,
      long residentBytes,
      long threads,
      long openFds) {}
}
