package io.procagent.prometheus;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
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
  private static final String HELP =
      "Total bytes allocated in a given JVM memory pool. Only updated after GC, not continuously.";

  /** Pool name to {used after the last GC, allocated so far}. */
  private final Map<String, long[]> pools = new LinkedHashMap<>();

  /** Listens to every collector's GC notifications. */
  static PoolAllocationCollector listening() {
    PoolAllocationCollector c = new PoolAllocationCollector();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(c, null, null);
      }
    }
    return c;
  }

  @Override
  public void handleNotification(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()).getGcInfo();
    Map<String, MemoryUsage> after = info.getMemoryUsageAfterGc();
    for (Map.Entry<String, MemoryUsage> e : info.getMemoryUsageBeforeGc().entrySet()) {
      MemoryUsage a = after.get(e.getKey());
      if (a != null) {
        gc(e.getKey(), e.getValue().getUsed(), a.getUsed());
      }
    }
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
      new Snapshots(out, include)
          .counter(NAME, HELP, "pool", Arrays.copyOf(names, n), Arrays.copyOf(values, n));
    }
    return new MetricSnapshots(out);
  }
}
