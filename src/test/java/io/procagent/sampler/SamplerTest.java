package io.procagent.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.procagent.Fakes;
import io.procagent.source.ChildProcess;
import io.procagent.source.ProcessSnapshot;
import io.procagent.source.ProcessSource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
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
    // not at 130 s (quiet until the pace is known), and from the third scrape (150 s) only the
    // last round before each expected scrape: 120, 125, 135, 140, 145, 160, 175 s
    assertThat(system.reads).as("rounds while scraped every 15 s").isEqualTo(7);
    // scrapes stop (last at 165 s): rounds go on while within twice the pace (30 s), then one a minute
    system.reads = 0;
    for (int i = 0; i < 25; i++, now[0] += tick) { // 180 .. 300 s
      s.scheduledTick();
    }
    // 185-195 s, then 255 s (not at 180 s, when the next scrape was due: 175 s served it)
    assertThat(system.reads).as("rounds after the last scrape").isEqualTo(4);
    assertThat(s.quiet(now[0])).isTrue();
    // a scrape at 307 s: rounds again, at the pace of the scrapes before the quiet spell (the
    // next expected at 322 s: the round at 317 s; the sampler's thread runs one at once too)
    now[0] += 2_000_000_000L;
    s.process();
    assertThat(s.quiet(now[0])).isFalse();
    system.reads = 0;
    for (int i = 0; i < 3; i++, now[0] += tick) { // 307, 312, 317 s
      s.scheduledTick();
    }
    assertThat(system.reads).isEqualTo(1);
    assertThat(s.paced(now[0] - tick)).isFalse();
  }

  /**
   * Runs the sampler's ticks every 5 s from 0 to {@code endS} (s) with a visit (a scrape: the
   * utilisation and the descendants read) at each of {@code readsS}, and gives the times of
   * the rounds (s), from their descendant scans; each took the utilisation window too.
   */
  List<Double> roundsWith(double endS, double... readsS) {
    long[] now = {0};
    Sampler s = clocked(now, Duration.ofSeconds(5));
    List<Double> scans = new ArrayList<>();
    system.reads = 0;
    s.scanChildren((root, args) -> {
      scans.add(now[0] / 1e9);
      return List.of();
    }, 1, new CommandGroups(10), 10, false);
    int r = 0;
    for (long t = 0; t <= (long) (endS * 1e9); t += 5_000_000_000L) {
      for (; r < readsS.length && readsS[r] * 1e9 < t; r++) {
        now[0] = (long) (readsS[r] * 1e9);
        s.utilization();
        s.children();
      }
      now[0] = t;
      s.scheduledTick();
    }
    assertThat(system.reads).as("host CPU read in every round").isEqualTo(scans.size());
    return scans;
  }

  @Test
  void scrapedEvery15sOnlyTheLastRoundBeforeEachScrapeRuns() {
    // (no rounds at 10 and 15 s: nobody read for longer than the pace lets expect, see above)
    // the pace is known from the third scrape (32 s): then one round 2 s before each scrape
    assertThat(roundsWith(90, 2, 17, 32, 47, 62, 77))
        .containsExactly(0.0, 5.0, 20.0, 25.0, 30.0, 45.0, 60.0, 75.0, 90.0);
  }

  @Test
  void aScrapeDueJustAfterARoundIsServedByTheOneBefore() {
    // scrapes 0.1 s after a round is due (it could still be under way): the round before it
    // runs, and that one does not (it would come after the scrape, if 0.2 s late, say)
    assertThat(roundsWith(70, 10.1, 25.1, 40.1, 55.1, 70.1))
        .containsExactly(0.0, 15.0, 30.0, 35.0, 40.0, 50.0, 65.0);
    // and just before: 0.3 s before a round is due, that round serves the scrape
    assertThat(roundsWith(70, 9.7, 24.7, 39.7, 54.7, 69.7))
        .containsExactly(0.0, 10.0, 25.0, 30.0, 35.0, 50.0, 65.0);
  }

  @Test
  void everyRoundRunsWhenReadsComeOftenOrIrregularlyOrStop() {
    // every 8 s: under two intervals
    assertThat(roundsWith(60, 2, 10, 18, 26, 34, 42, 50, 58))
        .containsExactly(0.0, 5.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 55.0, 60.0);
    // a JMX read at 54 s, between two scrapes, makes the pace 7 s: every round from then
    assertThat(roundsWith(90, 2, 17, 32, 47, 54, 62, 77))
        .containsExactly(0.0, 5.0, 20.0, 25.0, 30.0, 45.0, 55.0, 60.0, 65.0, 70.0, 75.0, 80.0, 85.0, 90.0);
    // the last scrape at 47 s: every round from the one before the expected 62 s
    assertThat(roundsWith(120, 2, 17, 32, 47))
        .containsSequence(60.0, 65.0, 70.0, 75.0)
        .doesNotContain(50.0, 55.0);
  }

  @Test
  void aReadEarlierThanThePaceWantsARoundOfItsOwn() {
    long[] now = {0};
    Sampler s = clocked(now, Duration.ofSeconds(5));
    AtomicInteger scans = countedScans(s);
    // Prometheus every 15 s (2, 17, 32, 47 s) on the 5 s ticks: once the pace is known, only the
    // round before each scrape runs, and a scrape on pace wants none of its own
    double[] scrapes = {2, 17, 32, 47};
    int r = 0;
    for (long t = 0; t <= 50_000_000_000L; t += 5_000_000_000L) {
      for (; r < scrapes.length && scrapes[r] * 1e9 < t; r++) {
        now[0] = (long) (scrapes[r] * 1e9);
        if (r >= 2) {
          assertThat(s.roundForRead()).as("scrape at %s s", scrapes[r]).isFalse();
        }
        s.children();
      }
      now[0] = t;
      s.scheduledTick();
    }
    int before = scans.get();
    // a curl (or JConsole) at 54 s: the last round ran at 45 s, and 50 s was left out for the
    // scrape expected at 62 s; 9 s old descendants are too old: the read has a round first
    now[0] = 54_000_000_000L;
    assertThat(s.roundForRead()).isTrue();
    assertThat(scans.get()).isEqualTo(before + 1);
    s.children();
    // the same visit wants no other
    now[0] = 54_100_000_000L;
    assertThat(s.roundForRead()).isFalse();
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
    AtomicInteger scans = new AtomicInteger();
    AtomicReference<List<ChildProcess>> tree = new AtomicReference<>(List.of());
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
      tree.set(List.of(child(11), child(12), child(13)));
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

  @Test
  void theFirstUtilisationReadAfterAQuietSpellIsOfTheWindowItsRoundCloses() throws Exception {
    long[] now = {0};
    Sampler s = clocked(now, null); // process 1.0 s and host 100/100 at 1 ns
    AtomicInteger scans = countedScans(s);
    try {
      s.start(Duration.ofSeconds(5)); // one round, then none for a minute: nobody reads
      awaitFirstScan(scans);
      assertThat(scans.get()).isEqualTo(1);
      // 30 s later JConsole opens: one sample only, so the window is the round the read starts
      now[0] = 30_000_000_000L;
      process.next = Fakes.process(4.0, 0.0, 30_000_000_001L);
      system.next = Fakes.system(130, 130, 30_000_000_001L);
      Utilization u = s.utilization();
      assertThat(u.total()).as("not NaN: the read waited for its round").isCloseTo(0.5, within(1e-9));
      assertThat(u.windowSeconds()).isCloseTo(30.0, within(1e-9));
      assertThat(scans.get()).isEqualTo(2);
    } finally {
      s.stop();
    }
  }

  /** Scans of no descendants, counted. */
  private static AtomicInteger countedScans(Sampler s) {
    AtomicInteger scans = new AtomicInteger();
    s.scanChildren((root, args) -> {
      scans.incrementAndGet();
      return List.of();
    }, 1, new CommandGroups(10), 10, false);
    return scans;
  }

  /** Waits (up to 5 s) for the sampler thread's first round. */
  private static void awaitFirstScan(AtomicInteger scans) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (scans.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  private static ChildProcess child(long pid) {
    return new ChildProcess(pid, 1, "sleep", 'S', 0, 0, pid, 1.7e9, 1000, 1, 3, "");
  }

  @Test
  void aReadSoonAfterTheLastRoundBringsTheIntervalBack() throws Exception {
    long[] now = {0};
    Sampler s = clocked(now, null); // the interval comes with start
    AtomicInteger scans = countedScans(s);
    try {
      s.start(Duration.ofMillis(200)); // a round at 0; never read: the next in a minute
      awaitFirstScan(scans);
      now[0] = 100_000_000L; // read 100 ms after that round: no round now, the next at 200 ms
      s.utilization();
      assertThat(scans.get()).isEqualTo(1);
      now[0] = 200_000_000L;
      long deadline = System.nanoTime() + 5_000_000_000L;
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
  ProcessSource withCpu(Supplier<ProcessSource.Cpu> cpu) {
    return new ProcessSource() {
      @Override
      public ProcessSnapshot read() throws IOException {
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
    ProcessSource source = withCpu(() -> {
      cpuReads[0]++;
      return new ProcessSource.Cpu(cpuReads[0], cpuReads[0] * 1_000_000_000L);
    });
    Sampler s = new Sampler(source, system, Duration.ZERO, () -> 4, errors);
    system.next = Fakes.system(1, 1, 1);
    process.next = Fakes.process(1, 1, 5); // may run on 2 CPUs
    s.tick();
    s.tick(); // +1 CPU second in 1 s on 2 of 4 CPUs
    s.tick();
    assertThat(cpuReads[0]).isEqualTo(3);
    // once, as no reader had: the CPUs it may run on (and its cgroup's quota) divide its CPU time
    assertThat(process.reads).isEqualTo(1);
    assertThat(s.utilization().process()).isCloseTo(0.5, within(1e-9));
    assertThat(s.process()).isNotNull();
    assertThat(process.reads).isEqualTo(2);
  }

  /** A container of a quarter CPU, whose JVM counts 1: fully busy is 1, not 0.25. */
  @Test
  void aCgroupsFractionalQuotaIsTheCpusAvailable() {
    double[] seconds = {0};
    ProcessSource source = withCpu(() -> {
      seconds[0] += 0.25;
      return new ProcessSource.Cpu(seconds[0], (long) (seconds[0] * 4e9));
    });
    ProcessSnapshot quarter = Fakes.process(1, 1, 5);
    process.next = new ProcessSnapshot(quarter.pid(), quarter.ppid(), quarter.command(), quarter.state(), quarter.user(),
        quarter.uid(), quarter.gid(), quarter.cwd(), quarter.startTimeSeconds(), 1, 1, Double.NaN, 0, 0,
        quarter.residentBytes(), quarter.virtualBytes(), quarter.virtualMaxBytes(), quarter.openFds(), quarter.maxFds(),
        quarter.threads(), 1, 1, 0, 0, 2, new io.procagent.source.CgroupCpu(0.25, 10, 9, 0.5), 5);
    Sampler s = new Sampler(source, system, Duration.ZERO, () -> 1, errors);
    system.next = Fakes.system(1, 1, 1);
    s.tick();
    s.tick(); // +0.25 CPU second in 1 s under a quota of 0.25 CPU
    assertThat(s.utilization().process()).isEqualTo(1.0);
    assertThat(s.utilization().processCpus()).isEqualTo(0.25);
  }

  @Test
  void theCpusAvailableAreAskedAtMostOnceAMinute() {
    long[] at = {0};
    ProcessSource source = // one CPU busy all the time
        withCpu(() -> new ProcessSource.Cpu(at[0] / 1e9, at[0]));
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
    assertThat(s.utilization().processCpus()).isEqualTo(4);
    available[0] = 2; // a new quota: seen within a minute
    at[0] += 60_000_000_000L;
    s.tick();
    assertThat(asked[0]).isEqualTo(2);
    assertThat(s.utilization().process()).isCloseTo(0.5, within(1e-9));
    assertThat(s.utilization().processCpus()).isEqualTo(2);
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
    system.next = Fakes.systemWithGuest(101, 499.99, 2, 7, 1); // idle stepped back by a tick
    assertThat(s.system().cpus().get(0).idle()).isEqualTo(500);
    assertThat(s.system().cpus().get(0).user()).isEqualTo(101);
    assertThat(s.system().cpus().get(0).guest()).as("kept by the clamp").isEqualTo(7);
    assertThat(s.system().cpus().get(0).guestNice()).isEqualTo(1);
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
