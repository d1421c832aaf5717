package io.procagent.prometheus;

import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes one collector's {@link MetricSnapshots}, which client_java sorts by name whatever it is
 * given: while a collection has the same metrics (the same metadata objects: collectors keep
 * theirs) in the same places as the last one, they are handed over in the last one's sorted
 * order, so that the sort finds one run and checks it, rather than sorting anew at every scrape.
 * Otherwise client_java sorts, and the order is learnt from its result. Safe for collections
 * running at once: each uses one order object, whole. client_java sorts in any case, so the
 * order only saves work: it never decides what is served.
 *
 * <p>A collection of the very snapshots of the last one, in the same places (a collector gives
 * its unchanged metrics again: the JVM's classes, buffer pools and collections between GCs, the
 * threads, the children between rounds), gets the last {@link MetricSnapshots} again: nothing is
 * sorted or checked, and client_java's constructor, run once per collector at every scrape, is
 * not run so often that C2 compiles it (56 ms of C2 two minutes into a JVM scraped once a
 * second, by LogCompilation).
 */
final class SortedOrder {

  private volatile Order order;
  private volatile Made last;
  /** Collections handed over in the last order (for tests). */
  int reused;
  /** Collections answered with the last result (for tests). */
  int kept;

  MetricSnapshots of(List<MetricSnapshot> collected) {
    Made m = last;
    if (m != null && m.of(collected)) {
      kept++;
      return m.result;
    }
    MetricSnapshots result = sorted(collected);
    last = new Made(collected.toArray(new MetricSnapshot[0]), result);
    return result;
  }

  private MetricSnapshots sorted(List<MetricSnapshot> collected) {
    Order o = order;
    if (o != null && o.same(collected)) {
      MetricSnapshot[] sorted = new MetricSnapshot[collected.size()];
      for (int i = 0; i < sorted.length; i++) {
        sorted[o.rank[i]] = collected.get(i);
      }
      reused++;
      return new MetricSnapshots(sorted);
    }
    MetricSnapshots result = new MetricSnapshots(collected);
    order = Order.of(collected, result);
    return result;
  }

  /** The snapshots of one collection, as collected, and what was made of them. */
  private static final class Made {
    final MetricSnapshot[] collected;
    final MetricSnapshots result;

    Made(MetricSnapshot[] collected, MetricSnapshots result) {
      this.collected = collected;
      this.result = result;
    }

    /** Whether {@code now} holds the same snapshot objects in the same places. */
    boolean of(List<MetricSnapshot> now) {
      if (now.size() != collected.length) {
        return false;
      }
      for (int i = 0; i < collected.length; i++) {
        if (now.get(i) != collected[i]) {
          return false;
        }
      }
      return true;
    }
  }

  /** The metadata of each metric as collected, and its place once sorted. */
  private static final class Order {
    final MetricMetadata[] metadata;
    final int[] rank;

    private Order(MetricMetadata[] metadata, int[] rank) {
      this.metadata = metadata;
      this.rank = rank;
    }

    static Order of(List<MetricSnapshot> collected, MetricSnapshots sorted) {
      Map<MetricSnapshot, Integer> at = new IdentityHashMap<>();
      for (int i = 0; i < sorted.size(); i++) {
        at.put(sorted.get(i), i);
      }
      MetricMetadata[] metadata = new MetricMetadata[collected.size()];
      int[] rank = new int[metadata.length];
      for (int i = 0; i < metadata.length; i++) {
        metadata[i] = collected.get(i).getMetadata();
        rank[i] = at.get(collected.get(i));
      }
      return new Order(metadata, rank);
    }

    boolean same(List<MetricSnapshot> collected) {
      if (collected.size() != metadata.length) {
        return false;
      }
      for (int i = 0; i < metadata.length; i++) {
        if (collected.get(i).getMetadata() != metadata[i]) {
          return false;
        }
      }
      return true;
    }
  }
}
