package io.procagent.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.procagent.sampler.Errors;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SingleFlightTest {

  /** A collector that counts its calls and, when told, blocks until released. */
  static final class Slow implements MultiCollector {
    final AtomicInteger calls = new AtomicInteger();
    volatile CountDownLatch gate = new CountDownLatch(0);

    @Override
    public MetricSnapshots collect() {
      int n = calls.incrementAndGet();
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return MetricSnapshots.of(
          GaugeSnapshot.builder().name("calls").dataPoint(GaugeDataPointSnapshot.builder().value(n).build()).build());
    }
  }

  static double value(MetricSnapshots s) {
    return ((GaugeSnapshot) s.get(0)).getDataPoints().get(0).getValue();
  }

  @Test
  void concurrentScrapesShareOneCollection() throws Exception {
    Slow slow = new Slow();
    slow.gate = new CountDownLatch(1);
    SingleFlight sf = new SingleFlight(slow, Duration.ofSeconds(10), new Errors());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<MetricSnapshots>> scrapes = new ArrayList<>();
    CountDownLatch started = new CountDownLatch(8);
    for (int i = 0; i < 8; i++) {
      scrapes.add(pool.submit(() -> {
        started.countDown();
        return sf.collect();
      }));
    }
    started.await();
    Thread.sleep(500); // all eight are inside collect(), waiting on the one held collection
    slow.gate.countDown();
    for (Future<MetricSnapshots> f : scrapes) {
      assertThat(value(f.get())).isEqualTo(1.0);
    }
    assertThat(slow.calls.get()).isEqualTo(1);
    pool.shutdownNow();
    sf.shutdown();
  }

  @Test
  void aFailingCollectionServesTheLastResultAndTheNextOneRuns() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    MultiCollector flaky = () -> {
      int n = calls.incrementAndGet();
      if (n == 2) {
        throw new IllegalStateException("boom");
      }
      return MetricSnapshots.of(
          GaugeSnapshot.builder().name("calls").dataPoint(GaugeDataPointSnapshot.builder().value(n).build()).build());
    };
    Errors errors = new Errors();
    SingleFlight sf = new SingleFlight(flaky, Duration.ofSeconds(10), errors);
    assertThat(value(sf.collect())).isEqualTo(1.0);
    assertThat(value(sf.collect())).isEqualTo(1.0); // failed: the last complete one, at once
    assertThat(value(sf.collect())).isEqualTo(3.0);
    assertThat(errors.snapshot()).doesNotContainEntry(SingleFlight.TIMEOUT, 1L);
    sf.shutdown();
    assertThat(value(sf.collect())).isEqualTo(3.0); // stopped: the last, no collection
    assertThat(calls.get()).isEqualTo(3);
  }

  @Test
  void aStuckCollectionServesTheLastResultAndIsCounted() throws Exception {
    Slow slow = new Slow();
    Errors errors = new Errors();
    SingleFlight sf = new SingleFlight(slow, Duration.ofMillis(200), errors);
    assertThat(value(sf.collect())).isEqualTo(1.0);
    slow.gate = new CountDownLatch(1); // the next collection hangs
    assertThat(value(sf.collect())).isEqualTo(1.0); // the last complete one, after the timeout
    assertThat(value(sf.collect())).isEqualTo(1.0); // joins the same stuck collection
    assertThat(slow.calls.get()).isEqualTo(2);
    assertThat(errors.snapshot()).containsEntry(SingleFlight.TIMEOUT, 2L);
    slow.gate.countDown();
    Thread.sleep(100);
    assertThat(value(sf.collect())).isEqualTo(3.0);
    sf.shutdown();
  }
}
