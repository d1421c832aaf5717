package io.procagent.prometheus;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import java.util.function.Predicate;

/**
 * The snapshots one part of a collector made from what it read, given again while that is the
 * same: the same source object (the sampler's last children scan) and the same count of changes
 * (of {@code Launches}, of {@code Errors}). The part is then not read or built at all. At a
 * scrape a second over records that hardly ever change (the launches of a JVM that started its
 * children at start-up, a collector's errors, a children scan made every 5 s), that work was
 * copying them into sorted maps and labelled points and comparing those with the last ones, code
 * that kept the JIT compiling a minute after start. Only unfiltered collections are kept and
 * served; a {@code name[]} filter builds anew.
 */
final class KeptPart {

  /** What the kept snapshots were made from, and those snapshots; replaced whole. */
  private record Kept(Object source, long changes, MetricSnapshot[] snapshots) {}

  private volatile Kept kept;

  /**
   * Adds the kept snapshots to {@code out} when an unfiltered collection made them from this
   * {@code source} (compared by identity) at this count of {@code changes}.
   *
   * @param changes the source's count of changes, read before the source itself
   * @return whether it did; otherwise build the part, then {@link #keep}
   */
  boolean addTo(List<MetricSnapshot> out, Predicate<String> include, Object source, long changes) {
    Kept k = kept;
    if (include != FilteringCollector.ALL || k == null || k.source != source || k.changes != changes) {
      return false;
    }
    for (MetricSnapshot s : k.snapshots) {
      out.add(s);
    }
    return true;
  }

  /** Keeps what an unfiltered collection added to {@code out} from index {@code from} on. */
  void keep(List<MetricSnapshot> out, int from, Predicate<String> include, Object source, long changes) {
    if (include == FilteringCollector.ALL) {
      kept = new Kept(source, changes, out.subList(from, out.size()).toArray(new MetricSnapshot[0]));
    }
  }
}
