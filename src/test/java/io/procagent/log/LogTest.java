package io.procagent.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LogTest {

  static String stamp(long millis) {
    StringBuilder sb = new StringBuilder();
    Log.timestamp(sb, millis);
    return sb.toString();
  }

  @Test
  void timestampIsIso8601InUtcLikeInstant() {
    assertThat(stamp(0)).isEqualTo("1970-01-01T00:00:00.000Z");
    assertThat(stamp(951_782_400_000L)).isEqualTo("2000-02-29T00:00:00.000Z");
    assertThat(stamp(1_795_331_588_123L)).isEqualTo("2026-11-22T07:13:08.123Z");
    Random r = new Random(42);
    for (int i = 0; i < 100_000; i++) { // 1970 .. 2300, against java.time with millis always shown
      long millis = (long) (r.nextDouble() * 10_413_792_000_000L);
      String expected = Instant.ofEpochMilli(millis).toString();
      if (millis % 1000 == 0) {
        expected = expected.replace("Z", ".000Z");
      } else if (expected.length() == 23) { // .12Z
        expected = expected.replace("Z", "0Z");
      } else if (expected.length() == 22) { // .1Z
        expected = expected.replace("Z", "00Z");
      }
      assertThat(stamp(millis)).as("%d", millis).isEqualTo(expected);
    }
  }
}
