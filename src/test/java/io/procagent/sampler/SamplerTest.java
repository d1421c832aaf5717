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
  }

  @Test
  void aRoundReadsOnlyTheProcesssCpuAndAScrapeReadsTheRest() {
    int[] cpuReads = {0};
    Fakes.Process whole = process;
    io.procagent.source.ProcessSource source =
        new io.procagent.source.ProcessSource() {
          @Override
          public io.procagent.source.ProcessSnapshot read() throws IOException {
            return whole.read();
          }

          @Override
          public Cpu cpu() {
            cpuReads[0]++;
            return new Cpu(cpuReads[0], cpuReads[0] * 1_000_000_000L);
          }
        };
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
