package io.procagent.prometheus;

import io.procagent.log.Log;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.lang.management.GarbageCollectorMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/**
 * {@code jvm_memory_pool_allocated_bytes_total{pool}}, as client_java's {@code
 * JvmMemoryPoolAllocationMetrics} defines it: at each GC, a pool's growth since the last GC
 * plus its growth during this one (only increases count), added up. Ours because client_java's
 * builds its counter from the global {@code PrometheusProperties} (the host's {@code
 * prometheus.properties} and system properties) with exemplars on, and the first GC then starts
 * client_java's exemplar scheduler thread in the host JVM.
 */
final class PoolAllocationCollector implements FilteringCollector, NotificationListener {

  static final String NAME = "jvm_memory_pool_allocated_bytes";
  /** {@code GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION}. */
  static final String GC_NOTIFICATION = "com.sun.management.gc.notification";
  private static final Log LOG = Log.get(PoolAllocationCollector.class);
  private static final String HELP =
      "Total bytes allocated in a given JVM memory pool. Only updated after GC, not continuously.";

  /** Pool name to {used after the last GC, allocated so far}. */
  private final Map<String, long[]> pools = new LinkedHashMap<>();
  /** This collector's last snapshots, given again while unchanged. */
  private final LastSnapshots last = new LastSnapshots();
  /** Hands client_java this collector's metrics in their sorted order (see SortedOrder). */
  private final SortedOrder sorted = new SortedOrder();

  /** Listens to every collector's GC notifications. */
  static PoolAllocationCollector listening() {
    PoolAllocationCollector c = new PoolAllocationCollector();
    for (GarbageCollectorMXBean gc : PlatformBeans.garbageCollectors()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(c, null, null);
      }
    }
    return c;
  }

  /**
   * Reads the notification's open data as the MXBean mapping lays it out ({@code gcInfo}, its
   * {@code memoryUsageBeforeGc}/{@code AfterGc} maps as tables of {@code key} and {@code value}
   * rows), not through {@code GarbageCollectionNotificationInfo.from}: that maps the data back
   * to Java objects by reflection, and at the first GC loaded about 120 classes (generic
   * signatures, a generated method accessor) into the host, 0.5 MB of metaspace.
   */
  @Override
  public void handleNotification(Notification n, Object handback) {
    if (!GC_NOTIFICATION.equals(n.getType()) || !(n.getUserData() instanceof CompositeData data)) {
      return;
    }
    try {
      CompositeData info = (CompositeData) data.get("gcInfo");
      TabularData before = (TabularData) info.get("memoryUsageBeforeGc");
      TabularData after = (TabularData) info.get("memoryUsageAfterGc");
      for (Object row : before.values()) {
        CompositeData b = (CompositeData) row;
        Object pool = b.get("key");
        CompositeData a = after.get(new Object[] {pool});
        if (pool instanceof String name && a != null) {
          gc(name, used(b), used(a));
        }
      }
    } catch (RuntimeException e) { // not the documented layout: this GC is not counted
      LOG.warnOnce("gc-notification", "a GC notification could not be read: " + e);
    }
  }

  /** {@code used} of a {@code key}/{@code value} row whose value is a {@code MemoryUsage}. */
  private static long used(CompositeData row) {
    return (Long) ((CompositeData) row.get("value")).get("used");
  }

  /** One GC's effect on one pool: used {@code before} and {@code after} it. */
  synchronized void gc(String pool, long before, long after) {
    long[] p = pools.computeIfAbsent(pool, k -> new long[2]);
    p[1] += Math.max(0, before - p[0]) + Math.max(0, after - before);
    p[0] = after;
  }

  @Override
  public synchronized MetricSnapshots collect(Predicate<String> include) {
    String[] names = new String[pools.size()];
    double[] values = new double[pools.size()];
    int n = 0;
    for (Map.Entry<String, long[]> e : pools.entrySet()) {
      if (e.getValue()[1] > 0) { // a pool shows from its first increase
        names[n] = e.getKey();
        values[n++] = e.getValue()[1];
      }
    }
    List<MetricSnapshot> out = new ArrayList<>(1);
    if (n > 0) {
      new Snapshots(out, include, Labels.EMPTY, last)
          .counter(NAME, HELP, "pool", Arrays.copyOf(names, n), Arrays.copyOf(values, n));
    }
    return sorted.of(out);
  }
}
