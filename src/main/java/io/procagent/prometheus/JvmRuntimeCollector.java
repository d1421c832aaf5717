package io.procagent.prometheus;

import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The JVM's buffer pools, classes, JIT compilation time, garbage collections and runtime: the
 * same series, names, help texts and units as client_java 1.5.0's {@code JvmBufferPoolMetrics},
 * {@code JvmClassLoadingMetrics}, {@code JvmCompilationMetrics}, {@code
 * JvmGarbageCollectorMetrics} and {@code JvmRuntimeInfoMetric} (a test compares them), read
 * straight from the JDK's beans with labels built once. Built on client_java's metric builders,
 * those five need {@code PrometheusProperties}, whose loading alone allocates 1.4 MB of the
 * host's heap at start-up (it reads {@code prometheus.properties} through every jar on
 * procagent's class path, the environment and the system properties, and links twenty lambdas);
 * the five themselves another 1.2 MB and about 170 classes.
 */
final class JvmRuntimeCollector implements FilteringCollector {

  private static final MetricMetadata BUFFER_USED =
      new MetricMetadata("jvm_buffer_pool_used_bytes", "Used bytes of a given JVM buffer pool.", Unit.BYTES);
  private static final MetricMetadata BUFFER_CAPACITY =
      new MetricMetadata("jvm_buffer_pool_capacity_bytes", "Bytes capacity of a given JVM buffer pool.", Unit.BYTES);
  private static final MetricMetadata BUFFERS =
      new MetricMetadata("jvm_buffer_pool_used_buffers", "Used buffers of a given JVM buffer pool.");
  private static final MetricMetadata CLASSES =
      new MetricMetadata("jvm_classes_currently_loaded", "The number of classes that are currently loaded in the JVM");
  private static final MetricMetadata CLASSES_LOADED =
      new MetricMetadata(
          "jvm_classes_loaded", "The total number of classes that have been loaded since the JVM has started execution");
  private static final MetricMetadata CLASSES_UNLOADED =
      new MetricMetadata(
          "jvm_classes_unloaded", "The total number of classes that have been unloaded since the JVM has started execution");
  private static final MetricMetadata COMPILATION =
      new MetricMetadata(
          "jvm_compilation_time_seconds", "The total time in seconds taken for HotSpot class compilation", Unit.SECONDS);
  private static final MetricMetadata GC =
      new MetricMetadata("jvm_gc_collection_seconds", "Time spent in a given JVM garbage collector in seconds.", Unit.SECONDS);
  private static final MetricMetadata RUNTIME = new MetricMetadata("jvm_runtime", "JVM runtime info");

  private final List<BufferPoolMXBean> bufferPools = PlatformBeans.bufferPools();
  private final Labels[] bufferPoolLabels;
  private final ClassLoadingMXBean classes = PlatformBeans.classLoading();
  /** Null when the JVM has no JIT or does not time it (client_java then has no such metric). */
  private final CompilationMXBean compilation;
  private final List<GarbageCollectorMXBean> collectors = PlatformBeans.garbageCollectors();
  private final Labels[] collectorLabels;
  private final InfoSnapshot runtime;
  /** This collector's last snapshots, given again while unchanged. */
  private final LastSnapshots last = new LastSnapshots();
  /** Hands client_java this collector's metrics in their sorted order (see SortedOrder). */
  private final SortedOrder sorted = new SortedOrder();

  JvmRuntimeCollector() {
    bufferPoolLabels = new Labels[bufferPools.size()];
    for (int i = 0; i < bufferPoolLabels.length; i++) {
      bufferPoolLabels[i] = Labels.of("pool", bufferPools.get(i).getName());
    }
    CompilationMXBean jit = PlatformBeans.compilation();
    compilation = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit : null;
    collectorLabels = new Labels[collectors.size()];
    for (int i = 0; i < collectorLabels.length; i++) {
      collectorLabels[i] = Labels.of("gc", collectors.get(i).getName());
    }
    runtime =
        new InfoSnapshot(
            RUNTIME,
            List.of(
                new InfoDataPointSnapshot(
                    Labels.of(
                        "version", System.getProperty("java.runtime.version", "unknown"),
                        "vendor", System.getProperty("java.vm.vendor", "unknown"),
                        "runtime", System.getProperty("java.runtime.name", "unknown")))));
  }

  @Override
  public MetricSnapshots collect(Predicate<String> include) {
    List<MetricSnapshot> out = new ArrayList<>(10);
    bufferPools(out, include, BUFFER_USED, 0);
    bufferPools(out, include, BUFFER_CAPACITY, 1);
    bufferPools(out, include, BUFFERS, 2);
    if (include.test(CLASSES.getPrometheusName())) {
      out.add(last.gauge(CLASSES, Labels.EMPTY, classes.getLoadedClassCount()));
    }
    if (include.test(CLASSES_LOADED.getPrometheusName())) {
      out.add(last.counter(CLASSES_LOADED, Labels.EMPTY, classes.getTotalLoadedClassCount()));
    }
    if (include.test(CLASSES_UNLOADED.getPrometheusName())) {
      out.add(last.counter(CLASSES_UNLOADED, Labels.EMPTY, classes.getUnloadedClassCount()));
    }
    if (compilation != null && include.test(COMPILATION.getPrometheusName())) {
      out.add(last.counter(COMPILATION, Labels.EMPTY, Unit.millisToSeconds(compilation.getTotalCompilationTime())));
    }
    if (include.test(GC.getPrometheusName())) {
      out.add(gc());
    }
    if (include.test(RUNTIME.getPrometheusName())) {
      out.add(runtime);
    }
    return sorted.of(out);
  }

  /** The collections' counts, then their times in seconds: a summary given again while the same. */
  private SummarySnapshot gc() {
    int n = collectors.size();
    double[] countsAndSums = new double[2 * n];
    for (int i = 0; i < n; i++) {
      GarbageCollectorMXBean gc = collectors.get(i);
      countsAndSums[i] = gc.getCollectionCount();
      countsAndSums[n + i] = Unit.millisToSeconds(gc.getCollectionTime());
    }
    return last.summary(GC, collectorLabels, countsAndSums);
  }

  /** One gauge over the buffer pools: {@code field} 0 used bytes, 1 capacity, 2 buffers. */
  private void bufferPools(List<MetricSnapshot> out, Predicate<String> include, MetricMetadata m, int field) {
    if (!include.test(m.getPrometheusName())) {
      return;
    }
    double[] values = new double[bufferPoolLabels.length];
    for (int i = 0; i < values.length; i++) {
      BufferPoolMXBean pool = bufferPools.get(i);
      values[i] = field == 0 ? pool.getMemoryUsed() : field == 1 ? pool.getTotalCapacity() : pool.getCount();
    }
    out.add(last.gauge(m, bufferPoolLabels, values, values.length));
  }
}
