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
 * @param states live descendants in each of {@link #STATES}, by its index (a copy is given)
 */
public record ChildrenSnapshot(
    List<Group> groups, List<ChildProcess> live, int liveTotal, int foldedCommands, double scanSeconds, int[] states) {

  /**
   * The scheduler states a descendant is counted in, psutil's names for the kernel's letters: R
   * running or runnable, S sleeping, D uninterruptible (disk) sleep, T or t stopped (by a signal
   * or a tracer), Z zombie (exited, not yet waited for by its parent), anything else other.
   */
  public static final List<String> STATES = List.of("running", "sleeping", "disk_sleep", "stopped", "zombie", "other");

  public static final ChildrenSnapshot EMPTY = new ChildrenSnapshot(List.of(), List.of(), 0, 0, 0, new int[STATES.size()]);

  public ChildrenSnapshot {
    groups = List.copyOf(groups);
    live = List.copyOf(live);
    states = states.clone();
  }

  /** The live descendants in each state, by the index of {@link #STATES} (a copy). */
  @Override
  public int[] states() {
    return states.clone();
  }

  /** The index in {@link #STATES} of a one-letter scheduler state. */
  public static int stateIndex(char state) {
    return switch (state) {
      case 'R' -> 0;
      case 'S' -> 1;
      case 'D' -> 2;
      case 'T', 't' -> 3;
      case 'Z' -> 4;
      default -> 5;
    };
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
