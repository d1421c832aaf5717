package io.procagent.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LaunchesTest {

  @Test
  void countsExitsAndHistogram() {
    Launches l = new Launches(new CommandGroups(10), 2);
    l.started("/bin/sh");
    l.started("sh");
    l.failed("/no/such");
    l.exited("/bin/sh", 3, 0.004);
    l.exited("sh", 0, 7.0);
    l.exited("sh", 3, 4000);
    assertThat(l.started()).containsEntry("sh", 2L);
    assertThat(l.failed()).containsEntry("such", 1L);
    assertThat(l.exited().get("sh")).containsEntry(3, 2L).containsEntry(0, 1L);
    Launches.HistogramView h = l.durations().get("sh");
    assertThat(h.count()).isEqualTo(3);
    assertThat(h.sum()).isEqualTo(4007.004);
    assertThat(h.cumulative()[0]).isEqualTo(1); // <= 5 ms
    assertThat(h.cumulative()[Launches.BUCKETS.length - 1]).isEqualTo(2); // <= 3600 s
    assertThat(h.cumulative()[Launches.BUCKETS.length]).isEqualTo(3); // +Inf
    assertThat(l.recent()).hasSize(2);
    assertThat(l.recent().get(0).durationSeconds()).isEqualTo(4000);
  }
}
