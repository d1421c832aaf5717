package io.procagent.prometheus;

import java.util.function.LongSupplier;

/**
 * A token bucket over CPU time: it fills at {@code share} CPU-nanoseconds per nanosecond up to
 * ten seconds' worth, scrapes take out the CPU they used, and while it is in debt the next
 * scrape waits until it is paid back. A storm of scrapes therefore costs the host at most {@code
 * share} of one CPU on average, while one scraper, or a burst of a few thousand, never waits.
 */
final class CpuBudget {

  static final long WINDOW_NANOS = 10_000_000_000L;

  private final double share;
  private final double capacity;
  private final LongSupplier clock;
  private double tokens;
  private long last;

  /**
   * @param share CPU seconds per second; 0 means unlimited
   * @param clock nanosecond clock ({@code System::nanoTime}; tests pass their own)
   */
  CpuBudget(double share, LongSupplier clock) {
    this.share = share;
    this.capacity = share * WINDOW_NANOS;
    this.clock = clock;
    this.tokens = capacity;
    this.last = clock.getAsLong();
  }

  boolean limited() {
    return share > 0;
  }

  /** How long the next scrape should wait, 0 when the bucket is not in debt. */
  synchronized long waitNanos() {
    if (share <= 0) {
      return 0;
    }
    refill();
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / share);
  }

  /** Takes out CPU a scrape used. */
  synchronized void charge(long cpuNanos) {
    if (share <= 0 || cpuNanos <= 0) {
      return;
    }
    refill();
    tokens -= cpuNanos;
  }

  private void refill() {
    long now = clock.getAsLong();
    tokens = Math.min(capacity, tokens + (now - last) * share);
    last = now;
  }
}
