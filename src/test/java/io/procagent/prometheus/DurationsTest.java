package io.procagent.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.Labels;
import org.junit.jupiter.api.Test;

class DurationsTest {

  /**
   * Slots are given out in any order and copied in their collectors' name order (client_java's
   * order for the points), each with one label set kept from call to call; an unset slot is left
   * out, and a slot asked for again is the same.
   */
  @Test
  void slotsAreCopiedInNameOrderWithKeptLabels() {
    Durations d = new Durations();
    Durations.Slot system = d.slot("system");
    Durations.Slot children = d.slot("children");
    Durations.Slot process = d.slot("process");
    Durations.Slot jvm = d.slot("jvm");
    assertThat(d.slot("process")).isEqualTo(process);
    assertThat(d.size()).isEqualTo(4);
    system.set(0.5);
    process.set(0.25);
    jvm.set(0.125);

    Labels[] labels = new Labels[4];
    double[] seconds = new double[4];
    assertThat(d.copy(labels, seconds)).isEqualTo(3); // children never set
    assertThat(labels[0].get("collector")).isEqualTo("jvm");
    assertThat(labels[1].get("collector")).isEqualTo("process");
    assertThat(labels[2].get("collector")).isEqualTo("system");
    assertThat(seconds).startsWith(0.125, 0.25, 0.5);

    children.set(1);
    Labels[] again = new Labels[4];
    assertThat(d.copy(again, new double[4])).isEqualTo(4);
    assertThat(again[0].get("collector")).isEqualTo("children");
    assertThat((Object) again[1]).isSameAs(labels[0]);

    assertThat(d.copy(new Labels[2], new double[2])).isEqualTo(2); // no more than the arrays hold
  }
}
