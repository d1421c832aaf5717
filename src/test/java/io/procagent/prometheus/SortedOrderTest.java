package io.procagent.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SortedOrderTest {

  final MetricMetadata a = new MetricMetadata("a_metric", "A.");
  final MetricMetadata b = new MetricMetadata("b_metric", "B.");
  final MetricMetadata c = new MetricMetadata("c_metric", "C.");
  final SortedOrder order = new SortedOrder();

  static MetricSnapshot gauge(MetricMetadata m, double v) {
    return new GaugeSnapshot(m, List.of(new GaugeSnapshot.GaugeDataPointSnapshot(v, Labels.EMPTY, null)));
  }

  static List<MetricSnapshot> list(MetricSnapshots s) {
    List<MetricSnapshot> out = new ArrayList<>();
    s.forEach(out::add);
    return out;
  }

  @Test
  void everyCollectionIsWhatClientJavaSortsItInto() {
    List<List<MetricSnapshot>> collections = List.of(
        List.of(gauge(b, 1), gauge(c, 1), gauge(a, 1)),
        List.of(gauge(b, 2), gauge(c, 2), gauge(a, 2)), // the same metrics in the same places
        List.of(gauge(b, 3), gauge(c, 3), gauge(a, 3)),
        List.of(gauge(c, 4), gauge(a, 4), gauge(b, 4)), // the same metrics, elsewhere
        List.of(gauge(c, 5), gauge(a, 5)), // one fewer
        List.of(gauge(c, 6), gauge(b, 6)), // as many, another one
        List.of(gauge(new MetricMetadata("c_metric", "C."), 7), gauge(b, 7)), // a new metadata object
        List.of(),
        List.of(gauge(a, 9), gauge(c, 9), gauge(b, 9)));
    List<Integer> reusedAt = new ArrayList<>();
    for (int i = 0; i < collections.size(); i++) {
      List<MetricSnapshot> collected = collections.get(i);
      int before = order.reused;
      List<MetricSnapshot> got = list(order.of(collected));
      assertThat(got).containsExactlyElementsOf(list(new MetricSnapshots(collected)));
      assertThat(got).hasSameSizeAs(collected).allMatch(s -> collected.stream().anyMatch(x -> x == s));
      if (order.reused > before) {
        reusedAt.add(i);
      }
    }
    assertThat(reusedAt).containsExactly(1, 2); // the same metadata objects in the same places only
  }

  @Test
  void theSameSnapshotsInTheSamePlacesGetTheLastResultAgain() {
    MetricSnapshot x = gauge(b, 1);
    MetricSnapshot y = gauge(a, 1);
    MetricSnapshots first = order.of(List.of(x, y));
    assertThat(order.of(new ArrayList<>(List.of(x, y)))).isSameAs(first);
    assertThat(order.kept).isEqualTo(1);
    MetricSnapshot y2 = gauge(a, 2); // one value changed: a new snapshot of the same metric
    MetricSnapshots second = order.of(List.of(x, y2));
    assertThat(second).isNotSameAs(first);
    assertThat(list(second)).containsExactly(y2, x);
    assertThat(order.of(List.of(y2, x))).as("the same snapshots elsewhere").isNotSameAs(second);
    assertThat(order.kept).isEqualTo(1);
  }

  @Test
  void namesOfTwoTypesAreRefusedAsClientJavaRefusesThem() {
    order.of(List.of(gauge(a, 1), gauge(b, 1)));
    MetricSnapshot counter =
        new CounterSnapshot(a, List.of(new CounterSnapshot.CounterDataPointSnapshot(1, Labels.EMPTY, null, 0)));
    assertThatThrownBy(() -> new MetricSnapshots(gauge(a, 2), counter)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> order.of(List.of(gauge(a, 2), counter))).isInstanceOf(IllegalArgumentException.class);
    assertThat(list(order.of(List.of(gauge(b, 3), gauge(a, 3))))).extracting(s -> s.getMetadata().getName())
        .containsExactly("a_metric", "b_metric");
  }
}
