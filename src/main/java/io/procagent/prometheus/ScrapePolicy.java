package io.procagent.prometheus;

import io.procagent.config.HttpLimits;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one endpoint may cost and what it did about it: the request timeout, the CPU budget
 * shared by HTTP workers and the collection thread, how long responses are reused, and the
 * counts {@link SelfCollector} exports ({@code procagent_http_*}).
 */
public final class ScrapePolicy {

  private static final ThreadMXBean THREADS = PlatformBeans.threads();

  private final HttpLimits limits;
  private final long cacheNanos;
  private final CpuBudget budget;
  final LongAdder timedOut = new LongAdder();
  final LongAdder throttledNanos = new LongAdder();
  final LongAdder restarts = new LongAdder();

  /**
   * @param cacheTtl how long a response is served again to the same request (0: never)
   */
  public ScrapePolicy(HttpLimits limits, Duration cacheTtl) {
    this.limits = limits;
    this.cacheNanos = cacheTtl.toNanos();
    this.budget = new CpuBudget(limits.cpuLimit(), System::nanoTime);
  }

  static ScrapePolicy defaults() {
    return new ScrapePolicy(HttpLimits.DEFAULTS, Duration.ofSeconds(1));
  }

  HttpLimits limits() {
    return limits;
  }

  long cacheNanos() {
    return cacheNanos;
  }

  /** The current thread's CPU time in ns, or -1 when the JVM does not measure it. */
  static long threadCpu() {
    return THREADS.getCurrentThreadCpuTime();
  }

  /** Charges the CPU the current thread used since {@code startCpu} (from {@link #threadCpu}). */
  void chargeSince(long startCpu) {
    if (startCpu >= 0 && budget.limited()) {
      long now = threadCpu();
      if (now >= 0) {
        budget.charge(now - startCpu);
      }
    }
  }

  /**
   * How long a scrape should wait before it is served: while the CPU budget is in debt, at most
   * half the request timeout (so the wait alone never gets a request cut off); 0 for none.
   */
  long throttleNanos() {
    return Math.max(0, Math.min(budget.waitNanos(), limits.requestTimeout().toNanos() / 2));
  }

  /** Records a scrape that waited {@code nanos} for the budget. */
  void throttled(long nanos) {
    throttledNanos.add(nanos);
  }

  /** Waits on the calling thread as {@link #throttleNanos()} says (the TLS endpoint's workers). */
  void throttle() {
    long wait = throttleNanos();
    if (wait <= 0) {
      return;
    }
    long start = System.nanoTime();
    try {
      TimeUnit.NANOSECONDS.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throttled(System.nanoTime() - start);
  }
}
