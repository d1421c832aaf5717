package io.procagent.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.procagent.Fakes;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SamplerTest {

  final Fakes.Process process = new Fakes.Process();
  final Fakes.System system = new Fakes.System();
  final Errors errors = new Errors();

  Sampler sampler(Duration ttl) {
    return new Sampler(process, system, ttl, () -> 4, errors);
  }

  /** A sampler on the clock {@code now[0]}, its sources answering, with {@code interval} if given. */
  Sampler clocked(long[] now, Duration interval) {
    Sampler s = sampler(Duration.ZERO);
    s.clock(() -> now[0]);
    if (interval != null) {
      s.interval(interval);
    }
    process.next = Fakes.process(1.0, 0.0, 1);
    system.next = Fakes.system(100, 100, 1);
    return s;
  }

  @Test
  void utilisationComesFromTheSamplersOwnWindow() {
    Sampler s = sampler(Duration.ZERO);
    long t0 = 1_000_000_000L;
    process.next = Fakes.process(1.0, 0.0, t0);
    system.next = Fakes.system(100, 100, t0);
    s.tick();
    assertThat(s.utilization().process()).isNaN();
    // 2 s later: +2 CPU seconds on a process limited to 2 CPUs (cpusAllowed) -> 50 %
    process.next = Fakes.process(2.5, 0.5, t0 + 2_000_000_000L);
    system.next = Fakes.system(130, 110, t0 + 2_000_000_000L);
    // a scrape between ticks reads fresh values but must not move the window
    assertThat(s.process().userSeconds()).isEqualTo(2.5);
    s.tick();
    Utilization u = s.utilization();
    assertThat(u.process()).isCloseTo(0.5, within(1e-9));
    assertThat(u.perCpu()[0]).isCloseTo(0.75, within(1e-9)); // 30 busy of 40
    assertThat(u.perCpu()[1]).isNaN(); // no change at all on cpu1
    assertThat(u.cpus()).containsExactly("0", "1");
    assertThat(u.total()).isCloseTo(0.75, within(1e-9));
    assertThat(u.windowSeconds()).isCloseTo(2.0, within(1e-9));
    // a third window of 1/3 busy: written to the millionth, a ratio of ticks has no more digits
    process.next = Fakes.process(3.5, 0.5, t0 + 3_500_000_000L);
    system.next = Fakes.system(140, 130, t0 + 3_500_000_000L);
    s.tick();
    assertThat(s.utilization().perCpu()[0]).isEqualTo(0.333333);
    assertThat(s.utilization().process()).isEqualTo(0.333333);
  }

  @Test
  void durationsAreSecondsToTheMicrosecond() {
    assertThat(Sampler.seconds(11_779_792)).isEqualTo(0.01178);
    assertThat(Sampler.seconds(1_500)).isEqualTo(0.000002);
    assertThat(Sampler.seconds(3_000_000_000L)).isEqualTo(3.0);
  }

  @Test
  void whileNobodyReadsTheScheduledRoundsComeOnceAMinute() {
    long[] now = {0};
    Sampler s = clocked(now, Duration.ofSeconds(5));
    long tick = 5_000_000_000L;
    // never read: the first tick is a round, then one a minute (ticks at 0, 5, .. 115 s)
    for (int i = 0; i < 24; i++, now[0] += tick) {
      s.scheduledTick();
    }
    assertThat(system.reads).as("rounds while never read").isEqualTo(2); // at 0 and 60 s
    // a scrape every 15 s from 120 s: every tick is a round, but one before the pace is known
    system.reads = 0;
    for (int i = 0; i < 12; i++, now[0] += tick) {
      if (i % 3 == 0) {
        s.utilization();
        s.children(); // reads of one visit
      }
      s.scheduledTick();
    }
    assertThat(system.reads).as("rounds while scraped every 15 s").isEqualTo(11); // not at 130 s
    // scrapes stop (last at 165 s): rounds go on while within twice the pace (30 s), then one a minute
    system.reads = 0;
    for (int i = 0; i < 25; i++, now[0] += tick) { // 180 .. 300 s
      s.scheduledTick();
    }
    assertThat(system.reads).as("rounds after the last scrape").isEqualTo(5); // 180-195 s, then 255 s
    assertThat(s.quiet(now[0])).isTrue();
    // a scrape at 307 s: the next tick is a round again
    now[0] += 2_000_000_000L;
    s.process();
    assertThat(s.quiet(now[0])).isFalse();
    system.reads = 0;
    s.scheduledTick();
    assertThat(system.reads).isEqualTo(1);
  }

  @Test
  void aQuietSamplersThreadSleepsUntilTheNextQuietRound() {
    long[] now = {0};
    Sampler s = clocked(now, Duration.ofSeconds(5));
    s.scheduledTick(); // a round at 0, never read
    assertThat(s.nextDelay(0, 2_000_000L)).isEqualTo(60_000_000_000L - 2_000_000L);
    now[0] = 10_000_000_000L;
    s.utilization(); // read: an interval from the tick's start
    assertThat(s.nextDelay(now[0], now[0] + 1_000_000L)).isEqualTo(4_999_000_000L);
    assertThat(s.nextDelay(now[0], now[0] + 4_990_000_000L)).isEqualTo(10_000_000L); // a long round
    // still nobody else: quiet after an interval, then the next quiet round (60 s after the last)
    assertThat(s.nextDelay(now[0], now[0] + 6_000_000_000L)).isEqualTo(44_000_000_000L);
  }

  @Test
  void theFirstReadAfterAQuietSpellGetsDescendantsOfARoundItStarted() throws Exception {
    long[] now = {0};
    Sampler s = clocked(now, null); // the interval comes with start
    java.util.concurrent.atomic.AtomicInteger scans = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicReference<java.util.List<io.procagent.source.ChildProcess>> tree =
        new java.util.concurrent.atomic.AtomicReference<>(java.util.List.of());
    s.scanChildren(
        (root, args) -> {
          scans.incrementAndGet();
          return tree.get();
        },
        1, new CommandGroups(10), 10, false);
    try {
      s.start(Duration.ofSeconds(5)); // the first tick is a round; the next is 5 s away
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (scans.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(scans.get()).isEqualTo(1);
      // two minutes nobody read; meanwhile three children started
      now[0] += 120_000_000_000L;
      tree.set(java.util.List.of(child(11), child(12), child(13)));
      assertThat(s.children().liveTotal()).as("descendants of a round the read started").isEqualTo(3);
      assertThat(scans.get()).isEqualTo(2);
      // the visit goes on: no other round
      now[0] += 1_000_000L;
      assertThat(s.children().liveTotal()).isEqualTo(3);
      assertThat(scans.get()).isEqualTo(2);
    } finally {
      s.stop();
    }
  }

  private static io.procagent.source.ChildProcess child(long pid) {
    return new io.procagent.source.ChildProcess(pid, 1, "sleep", 'S', 0, 0, pid, 1.7e9, 1000, 1, 3, "");
  }

  @Test
  void aReadSoonAfterTheLastRoundBringsTheIntervalBack() throws Exception {
    long[] now = {0};
    Sampler s = clocked(now, null); // the interval comes with start
    java.util.concurrent.atomic.AtomicInteger scans = new java.util.concurrent.atomic.AtomicInteger();
    s.scanChildren((root, args) -> {
      scans.incrementAndGet();
      return java.util.List.of();
    }, 1, new CommandGroups(10), 10, false);
    try {
      s.start(Duration.ofMillis(200)); // a round at 0; never read: the next in a minute
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (scans.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      now[0] = 100_000_000L; // read 100 ms after that round: no round now, the next at 200 ms
      s.utilization();
      assertThat(scans.get()).isEqualTo(1);
      now[0] = 200_000_000L;
      deadline = System.nanoTime() + 5_000_000_000L;
      while (scans.get() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(scans.get()).as("a round an interval after the last, not a minute").isGreaterThanOrEqualTo(2);
    } finally {
      s.stop();
    }
  }

  @Test
  void aDirectTickIsAlwaysARound() {
    Sampler s = clocked(new long[] {0}, Duration.ofSeconds(5));
    for (int i = 0; i < 3; i++) {
      s.tick();
    }
    assertThat(system.reads).isEqualTo(3);
  }

  /** The fake process, its CPU alone (what a sampling round reads) from {@code cpu}. */
  io.procagent.source.ProcessSource withCpu(java.util.function.Supplier<io.procagent.source.ProcessSource.Cpu> cpu) {
    return new io.procagent.source.ProcessSource() {
      @Override
      public io.procagent.source.ProcessSnapshot read() throws IOException {
        return process.read();
      }

      @Override
      public Cpu cpu() {
        return cpu.get();
      }
    };
  }

  @Test
  void aRoundReadsOnlyTheProcesssCpuAndAScrapeReadsTheRest() {
    int[] cpuReads = {0};
    io.procagent.source.ProcessSource source = withCpu(() -> {
      cpuReads[0]++;
      return new io.procagent.source.ProcessSource.Cpu(cpuReads[0], cpuReads[0] * 1_000_000_000L);
    });
    Sampler s = new Sampler(source, system, Duration.ZERO, () -> 4, errors);
    system.next = Fakes.system(1, 1, 1);
    s.tick();
    s.tick(); // +1 CPU second in 1 s on 4 CPUs
    assertThat(cpuReads[0]).isEqualTo(2);
    assertThat(process.reads).isZero();
    assertThat(s.utilization().process()).isCloseTo(0.25, within(1e-9));
    process.next = Fakes.process(1, 1, 5);
    assertThat(s.process()).isNotNull();
    assertThat(process.reads).isEqualTo(1);
  }

  @Test
  void theCpusAvailableAreAskedAtMostOnceAMinute() {
    long[] at = {0};
    io.procagent.source.ProcessSource source = // one CPU busy all the time
        withCpu(() -> new io.procagent.source.ProcessSource.Cpu(at[0] / 1e9, at[0]));
    int[] asked = {0};
    int[] available = {4};
    Sampler s =
        new Sampler(source, system, Duration.ZERO, () -> {
          asked[0]++;
          return available[0];
        }, errors);
    system.next = Fakes.system(1, 1, 1);
    for (int i = 0; i < 5; i++) { // a round every 5 s
      at[0] += 5_000_000_000L;
      s.tick();
    }
    assertThat(asked[0]).isEqualTo(1);
    assertThat(s.utilization().process()).isCloseTo(0.25, within(1e-9));
    available[0] = 2; // a new quota: seen within a minute
    at[0] += 60_000_000_000L;
    s.tick();
    assertThat(asked[0]).isEqualTo(2);
    assertThat(s.utilization().process()).isCloseTo(0.5, within(1e-9));
  }

  @Test
  void cacheServesManyCallersWithOneRead() {
    Sampler s = sampler(Duration.ofHours(1));
    process.next = Fakes.process(1, 1, System.nanoTime());
    for (int i = 0; i < 100; i++) {
      s.process();
    }
    assertThat(process.reads).isEqualTo(1);
  }

  @Test
  void hostCountersNeverGoBackwards() {
    Sampler s = sampler(Duration.ZERO);
    system.next = Fakes.system(100, 500, 1);
    assertThat(s.system().cpus().get(0).idle()).isEqualTo(500);
    system.next = Fakes.system(101, 499.99, 2); // idle stepped back by a tick
    assertThat(s.system().cpus().get(0).idle()).isEqualTo(500);
    assertThat(s.system().cpus().get(0).user()).isEqualTo(101);
  }

  @Test
  void failuresAreCountedAndGiveNull() {
    Sampler s = sampler(Duration.ZERO);
    process.failure = new IOException("gone");
    system.next = Fakes.system(1, 1, 1);
    assertThat(s.process()).isNull();
    s.tick();
    assertThat(errors.snapshot()).containsEntry(Sampler.PROCESS, 2L);
    assertThat(errors.last()).contains("gone");
  }

  @Test
  void disabledSourcesGiveNull() {
    Sampler s = new Sampler(null, null, Duration.ZERO, () -> 1, errors);
    s.tick();
    assertThat(s.process()).isNull();
    assertThat(s.system()).isNull();
  }
}
