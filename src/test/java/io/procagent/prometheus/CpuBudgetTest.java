package io.procagent.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CpuBudgetTest {

  long now = 1_000_000_000L;
  static final long MS = 1_000_000L;

  @Test
  void aBurstWithinTenSecondsWorthNeverWaits() {
    CpuBudget b = new CpuBudget(0.05, () -> now); // 5%: 500 ms of CPU in the bucket
    for (int i = 0; i < 1000; i++) {
      assertThat(b.waitNanos()).isZero();
      b.charge(MS / 2); // 1,000 scrapes of 0.5 ms back to back
    }
    assertThat(b.waitNanos()).isZero();
  }

  @Test
  void debtIsPaidBackAtTheShare() {
    CpuBudget b = new CpuBudget(0.05, () -> now);
    b.charge(500 * MS + 10 * MS); // 10 ms beyond the bucket
    assertThat(b.waitNanos()).isEqualTo(200 * MS); // 10 ms at 5% takes 200 ms
    now += 100 * MS;
    assertThat(b.waitNanos()).isEqualTo(100 * MS);
    now += 100 * MS;
    assertThat(b.waitNanos()).isZero();
  }

  @Test
  void aStormAveragesTheShare() {
    CpuBudget b = new CpuBudget(0.05, () -> now);
    long used = 0;
    long start = now;
    for (int i = 0; i < 100_000; i++) { // a scraper that always comes back, 1 ms CPU per scrape
      now += b.waitNanos();
      b.charge(MS);
      used += MS;
      now += MS;
    }
    double share = (double) (used - 500 * MS) / (now - start); // less the initial bucket
    assertThat(share).isCloseTo(0.05, org.assertj.core.data.Offset.offset(0.0005));
  }

  @Test
  void idleTimeRefillsOnlyUpToTheBucket() {
    CpuBudget b = new CpuBudget(0.05, () -> now);
    now += 3_600_000 * MS; // an hour idle
    b.charge(500 * MS);
    assertThat(b.waitNanos()).isZero();
    b.charge(MS);
    assertThat(b.waitNanos()).isEqualTo(20 * MS);
  }

  @Test
  void zeroMeansUnlimited() {
    CpuBudget b = new CpuBudget(0, () -> now);
    b.charge(1_000_000 * MS);
    assertThat(b.waitNanos()).isZero();
    assertThat(b.limited()).isFalse();
  }
}
