package io.procagent.sampler;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every child this JVM launched, recorded at {@code ProcessBuilder.start} and at its exit:
 * started, exited by exit code, failed launches, a duration histogram, and the last exits.
 * Thread-safe and cheap: the hook calls it on the application's thread and on the JDK's
 * process reaper thread.
 */
public final class Launches {

  /** Upper bounds of the duration histogram, seconds: from a quick {@code sh -c} to an hour. */
  public static final double[] BUCKETS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600
  };

  private final CommandGroups groups;
  private final int recentMax;
  private final Map<String, LongAdder> started = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> failed = new ConcurrentHashMap<>();
  private final Map<String, Map<Integer, LongAdder>> exited = new ConcurrentHashMap<>();
  private final Map<String, Histogram> durations = new ConcurrentHashMap<>();
  private final Deque<Exit> recent = new ArrayDeque<>();
  /** Records made so far, counted after each is made: readers rebuild only when it moved. */
  private final AtomicLong changes = new AtomicLong();

  public Launches(CommandGroups groups, int recentMax) {
    this.groups = groups;
    this.recentMax = recentMax;
  }

  /** A child was started; {@code command} is its executable (path or name). */
  public void started(String command) {
    started.computeIfAbsent(groups.label(CommandGroups.baseName(command)), k -> new LongAdder()).increment();
    changes.incrementAndGet();
  }

  /** {@code start()} threw: the command was not found, not executable, or similar. */
  public void failed(String command) {
    failed.computeIfAbsent(groups.label(CommandGroups.baseName(command)), k -> new LongAdder()).increment();
    changes.incrementAndGet();
  }

  /** A launched child exited after {@code seconds}. */
  public void exited(String command, int exitCode, double seconds) {
    String label = groups.label(CommandGroups.baseName(command));
    exited.computeIfAbsent(label, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(exitCode, k -> new LongAdder())
        .increment();
    durations.computeIfAbsent(label, k -> new Histogram()).observe(seconds);
    changes.incrementAndGet();
    synchronized (recent) {
      recent.addFirst(new Exit(CommandGroups.baseName(command), exitCode, seconds, Instant.now()));
      while (recent.size() > recentMax) {
        recent.removeLast();
      }
    }
  }

  /**
   * How many launches, failures and exits were recorded so far, counted once each is in every
   * map: a reader that reads this first, then the maps, and finds it unchanged next time, finds
   * the same records.
   */
  public long changes() {
    return changes.get();
  }

  /** Distinct commands folded into "other" so far (by launches and by the scan alike). */
  public int foldedCommands() {
    return groups.foldedCommands();
  }

  public Map<String, Long> started() {
    return sums(started);
  }

  public Map<String, Long> failed() {
    return sums(failed);
  }

  /** label -> exit code -> count. */
  public Map<String, Map<Integer, Long>> exited() {
    Map<String, Map<Integer, Long>> out = new TreeMap<>();
    exited.forEach((k, v) -> out.put(k, new TreeMap<>(sumsInt(v))));
    return out;
  }

  /** label -> cumulative bucket counts (one per {@link #BUCKETS} bound, then +Inf), sum. */
  public Map<String, HistogramView> durations() {
    Map<String, HistogramView> out = new TreeMap<>();
    durations.forEach((k, v) -> out.put(k, v.view()));
    return out;
  }

  /** The most recent exits, newest first. */
  public List<Exit> recent() {
    synchronized (recent) {
      return new ArrayList<>(recent);
    }
  }

  private static Map<String, Long> sums(Map<String, LongAdder> m) {
    Map<String, Long> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  private static Map<Integer, Long> sumsInt(Map<Integer, LongAdder> m) {
    Map<Integer, Long> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** One exit of a launched child. */
  public record Exit(String command, int exitCode, double durationSeconds, Instant time) {}

  /** A consistent-enough read of one histogram: cumulative counts per bound, count, sum. */
  public record HistogramView(long[] cumulative, long count, double sum) {}

  private static final class Histogram {
    private final LongAdder[] buckets = new LongAdder[BUCKETS.length + 1];
    private final DoubleAdder sum = new DoubleAdder();

    Histogram() {
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = new LongAdder();
      }
    }

    void observe(double v) {
      int i = 0;
      while (i < BUCKETS.length && v > BUCKETS[i]) {
        i++;
      }
      buckets[i].increment();
      sum.add(v);
    }

    HistogramView view() {
      long[] cumulative = new long[buckets.length];
      long running = 0;
      for (int i = 0; i < buckets.length; i++) {
        running += buckets[i].sum();
        cumulative[i] = running;
      }
      return new HistogramView(cumulative, running, sum.sum());
    }
  }
}
