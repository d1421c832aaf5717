package io.procagent.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LastSnapshotsTest {

  private static final MetricMetadata G = new MetricMetadata("g", "a gauge");
  private static final MetricMetadata C = new MetricMetadata("c", "a counter");
  private static final MetricMetadata I = new MetricMetadata("i", "an info");
  private static final Labels A = Labels.of("pool", "a");
  private static final Labels B = Labels.of("pool", "b");

  private final LastSnapshots last = new LastSnapshots();

  @Test
  void theSameLabelObjectsAndValueBitsGiveTheLastSnapshotAgain() {
    GaugeSnapshot first = last.gauge(G, new Labels[] {A, B}, new double[] {1, 2}, 2);
    assertThat(last.gauge(G, new Labels[] {A, B, null}, new double[] {1, 2, 9}, 2)).isSameAs(first);
    GaugeSnapshot changed = last.gauge(G, new Labels[] {A, B}, new double[] {1, 3}, 2);
    assertThat(changed).isNotSameAs(first);
    assertThat(changed.getDataPoints().get(1).getValue()).isEqualTo(3);
    assertThat(last.gauge(G, new Labels[] {A}, new double[] {1}, 1)).isNotSameAs(changed).satisfies(g -> assertThat(g.getDataPoints()).hasSize(1));
    // equal labels that are another object: a new snapshot (only kept label sets are compared)
    GaugeSnapshot one = last.gauge(G, new Labels[] {A}, new double[] {1}, 1);
    assertThat(last.gauge(G, new Labels[] {Labels.of("pool", "a")}, new double[] {1}, 1)).isNotSameAs(one);
    // bits, not ==: NaN stays the same, -0.0 is not 0.0
    GaugeSnapshot nan = last.gauge(G, A, Double.NaN);
    assertThat(last.gauge(G, A, Double.NaN)).isSameAs(nan);
    GaugeSnapshot zero = last.gauge(G, A, 0.0);
    assertThat(last.gauge(G, A, -0.0)).isNotSameAs(zero);
  }

  @Test
  void aSummaryIsGivenAgainWhileItsCountsAndSumsAreTheSame() {
    io.prometheus.metrics.model.snapshots.MetricMetadata s =
        new io.prometheus.metrics.model.snapshots.MetricMetadata("gc_seconds", "h");
    Labels[] labels = {A, B};
    io.prometheus.metrics.model.snapshots.SummarySnapshot first = last.summary(s, labels, new double[] {3, 4, 0.5, 0.25});
    assertThat(first.getDataPoints()).extracting(p -> p.getCount(), p -> p.getSum())
        .containsExactly(org.assertj.core.groups.Tuple.tuple(3L, 0.5), org.assertj.core.groups.Tuple.tuple(4L, 0.25));
    assertThat(last.summary(s, labels, new double[] {3, 4, 0.5, 0.25})).isSameAs(first);
    assertThat(last.summary(s, labels, new double[] {3, 4, 0.5, 0.5})).isNotSameAs(first); // a sum changed
    assertThat(last.summary(s, new Labels[] {A}, new double[] {3, 0.5})).isNotSameAs(first)
        .satisfies(x -> assertThat(x.getDataPoints()).hasSize(1));
  }

  @Test
  void countersAndInfosAreKeptByTheirMetadataApartFromGauges() {
    CounterSnapshot c = last.counter(C, Labels.EMPTY, 5);
    GaugeSnapshot g = last.gauge(G, Labels.EMPTY, 5);
    assertThat(last.counter(C, Labels.EMPTY, 5)).isSameAs(c);
    assertThat(last.gauge(G, Labels.EMPTY, 5)).isSameAs(g);
    assertThat(last.counter(C, Labels.EMPTY, 6)).isNotSameAs(c).satisfies(n -> assertThat(n.getDataPoints().get(0).getValue()).isEqualTo(6));
    CounterSnapshot two = last.counter(C, new Labels[] {A, B}, new double[] {1, 2}, 2);
    assertThat(last.counter(C, new Labels[] {A, B}, new double[] {1, 2}, 2)).isSameAs(two);
    InfoSnapshot i = last.info(I, A);
    assertThat(last.info(I, A)).isSameAs(i);
    InfoSnapshot other = last.info(I, B);
    assertThat(other).isNotSameAs(i);
    assertThat(other.getDataPoints().get(0).getLabels().get("pool")).isEqualTo("b");
    // a metadata object used by two kinds: the kind asked for, never the other's snapshot
    MetricMetadata both = new MetricMetadata("x", "x");
    assertThat(last.gauge(both, Labels.EMPTY, 1)).isInstanceOf(GaugeSnapshot.class);
    assertThat(last.counter(both, Labels.EMPTY, 1)).isInstanceOf(CounterSnapshot.class);
  }

  /** Through the collectors' helper: the second collection gives the unchanged metrics' snapshots again. */
  @Test
  void aCollectorsUnchangedMetricsAreTheSameSnapshotsNextScrape() {
    List<MetricSnapshot> first = new ArrayList<>();
    List<MetricSnapshot> second = new ArrayList<>();
    Snapshots s1 = new Snapshots(first, FilteringCollector.ALL, Labels.EMPTY, last);
    s1.gauge("process_max_fds", "Maximum number of open file descriptors.", 1024);
    s1.counter("process_cpu_seconds", "Total user and system CPU time spent in seconds.", 1.5);
    s1.counter("process_cpu_time_seconds", "CPU time by mode.", "mode", new String[] {"user", "system"}, new double[] {1, 0.5});
    s1.info("process", "Identity.", Snapshots.labels("pid", "42"));
    Snapshots s2 = new Snapshots(second, FilteringCollector.ALL, Labels.EMPTY, last);
    s2.gauge("process_max_fds", "Maximum number of open file descriptors.", 1024);
    s2.counter("process_cpu_seconds", "Total user and system CPU time spent in seconds.", 1.6);
    s2.counter("process_cpu_time_seconds", "CPU time by mode.", "mode", new String[] {"user", "system"}, new double[] {1, 0.5});
    s2.info("process", "Identity.", Snapshots.labels("pid", "42"));
    assertThat(second).hasSize(4);
    assertThat(second.get(0)).isSameAs(first.get(0));
    assertThat(second.get(1)).isNotSameAs(first.get(1));
    assertThat(second.get(2)).isSameAs(first.get(2));
    assertThat(second.get(3)).isSameAs(first.get(3));
  }
}
