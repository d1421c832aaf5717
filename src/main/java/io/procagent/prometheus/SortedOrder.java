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
 */
final class SortedOrder {

  private volatile Order order;
  /** Collections handed over in the last order (for tests). */
  int reused;

  MetricSnapshots of(List<MetricSnapshot> collected) {
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
