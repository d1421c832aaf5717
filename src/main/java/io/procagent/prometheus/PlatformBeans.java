package io.procagent.prometheus;

import io.procagent.log.Log;
import java.lang.instrument.Instrumentation;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JVM's platform MXBeans that procagent's collectors read, taken from the factory {@link
 * ManagementFactory} itself takes them from ({@code sun.management.ManagementFactoryHelper}): the
 * same memory, pool, garbage-collector, class-loading, compilation and buffer-pool objects.
 *
 * <p>Why not {@link ManagementFactory}: each of its getters, {@code getThreadMXBean()} included,
 * goes through its platform-MBean finder, which loads every platform MBean provider with a
 * ServiceLoader, streams and lambdas and names each bean with an {@code ObjectName}. In a small
 * program that is 170 more classes and 2.5 MB more RSS than the same beans from the helper; in
 * the benchmarks' host with procagent (whose own lambdas already load part of that machinery), 41
 * classes and 0.8 MB. An application that uses ManagementFactory pays that itself; procagent no
 * longer makes one that does not pay it.
 *
 * <p>The helper is JDK-internal: its package is exported to procagent alone with the agent's
 * {@link Instrumentation} ({@link #open}). The daemon, procagent's own JVM, does not open it: it
 * makes the platform MBean server at start for its MXBeans, which loads the finder anyway. The
 * garbage collectors' notifications are natives of the {@code jdk.management}
 * library, which ManagementFactory's finder loads; {@link #open} loads it the same way, by
 * initialising that module's provider class. Where any of this fails, or on another JVM,
 * ManagementFactory is used as before; the thread bean always comes from it when the helper's
 * is not there.
 */
public final class PlatformBeans {

  private static final Log LOG = Log.get(PlatformBeans.class);
  private static final String HELPER = "sun.management.ManagementFactoryHelper";
  private static final String PROVIDER = "com.sun.management.internal.PlatformMBeanProviderImpl";

  /** The helper, or null: ManagementFactory. Set once by {@link #open}, before any collector. */
  private static volatile Class<?> helper;

  private PlatformBeans() {}

  /**
   * Exports the helper's package to procagent and readies it; on any failure one debug line and
   * ManagementFactory is used.
   */
  public static void open(Instrumentation inst) {
    try {
      Module management = ManagementFactory.class.getModule();
      if (inst != null && management.isNamed()) {
        inst.redefineModule(
            management, Set.of(), Map.of("sun.management", Set.of(PlatformBeans.class.getModule())),
            Map.of(), Set.of(), Map.of());
      }
      Class<?> h = Class.forName(HELPER);
      Module own = PlatformBeans.class.getModule();
      if (!own.canRead(management) || !management.isExported("sun.management", own)) {
        LOG.debug("the JVM's MXBeans come through ManagementFactory: sun.management is not exported to procagent");
        return;
      }
      Module ext = ModuleLayer.boot().findModule("jdk.management").orElse(null);
      if (ext != null) { // its static initialiser loads libmanagement_ext, and does nothing else
        Class.forName(PROVIDER, true, ext.getClassLoader());
      }
      helper = h;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.debug("the JVM's MXBeans come through ManagementFactory: " + e);
    }
  }

  /** Whether the beans come from the helper (for tests). */
  static boolean direct() {
    return helper != null;
  }

  static MemoryMXBean memory() {
    Object b = call("getMemoryMXBean");
    return b != NONE ? (MemoryMXBean) b : ManagementFactory.getMemoryMXBean();
  }

  @SuppressWarnings("unchecked")
  static List<MemoryPoolMXBean> memoryPools() {
    Object b = call("getMemoryPoolMXBeans");
    return b != NONE ? (List<MemoryPoolMXBean>) b : ManagementFactory.getMemoryPoolMXBeans();
  }

  @SuppressWarnings("unchecked")
  static List<GarbageCollectorMXBean> garbageCollectors() {
    Object b = call("getGarbageCollectorMXBeans");
    return b != NONE ? (List<GarbageCollectorMXBean>) b : ManagementFactory.getGarbageCollectorMXBeans();
  }

  @SuppressWarnings("unchecked")
  static List<BufferPoolMXBean> bufferPools() {
    Object b = call("getBufferPoolMXBeans");
    return b != NONE ? (List<BufferPoolMXBean>) b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);
  }

  static ClassLoadingMXBean classLoading() {
    Object b = call("getClassLoadingMXBean");
    return b != NONE ? (ClassLoadingMXBean) b : ManagementFactory.getClassLoadingMXBean();
  }

  /** The JIT's bean, or null when the JVM has none (as ManagementFactory's). */
  static CompilationMXBean compilation() {
    Object b = call("getCompilationMXBean");
    return b != NONE ? (CompilationMXBean) b : ManagementFactory.getCompilationMXBean();
  }

  static ThreadMXBean threads() {
    Object b = call("getThreadMXBean");
    return b != NONE ? (ThreadMXBean) b : ManagementFactory.getThreadMXBean();
  }

  /** What a getter gives when the helper is not there or failed: ManagementFactory's, then. */
  private static final Object NONE = new Object();

  /** The helper's getter's result (a bean, a list of beans, or null for none), or {@link #NONE}. */
  private static Object call(String getter) {
    Class<?> h = helper;
    if (h == null) {
      return NONE;
    }
    try {
      return h.getMethod(getter).invoke(null);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.debug("the JVM's " + getter.substring(3) + " comes through ManagementFactory: " + e);
      return NONE;
    }
  }
}
