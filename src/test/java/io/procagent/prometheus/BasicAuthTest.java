package io.procagent.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.procagent.config.BasicAuthConfig;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Basic credentials as a header value, and the bound on bcrypt verifications a second. */
class BasicAuthTest {

  static final String HASH = PasswordHash.bcrypt("s3cret".toCharArray());

  static String header(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void headerValuesAreCheckedAndMalformedOnesRefused() {
    BasicAuth auth = new BasicAuth(new BasicAuthConfig("prometheus", HASH, true));
    assertThat(auth.accepts(header("prometheus", "s3cret"))).isTrue();
    assertThat(auth.accepts("basic " + header("prometheus", "s3cret").substring(6))).as("scheme ignores case").isTrue();
    assertThat(auth.accepts(header("prometheus", "wrong"))).isFalse();
    assertThat(auth.accepts(null)).isFalse();
    assertThat(auth.accepts("Bearer abc")).isFalse();
    assertThat(auth.accepts("Basic !!!not-base64")).isFalse();
    assertThat(auth.accepts("Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes(StandardCharsets.UTF_8)))).isFalse();
  }

  @Test
  void guessingIsBoundedPerSecondAndTheAcceptedClientIsNotAffected() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    BasicAuth auth = new BasicAuth(new BasicAuthConfig("prometheus", HASH, true), now::get);
    assertThat(auth.accepts(header("prometheus", "s3cret"))).isTrue(); // accepted: remembered
    for (int i = 1; i < BasicAuth.VERIFICATIONS_PER_SECOND; i++) {
      assertThat(auth.accepts(header("prometheus", "guess" + i))).isFalse();
    }
    // the budget of this second is spent: the right password of another user name is refused unchecked
    assertThat(auth.accepts(header("admin", "s3cret"))).isFalse();
    assertThat(auth.accepts(header("prometheus", "s3cret"))).as("the accepted client").isTrue();
    now.addAndGet(1_000_000_000L);
    BasicAuth fresh = new BasicAuth(new BasicAuthConfig("prometheus", HASH, true), now::get);
    for (int i = 0; i < BasicAuth.VERIFICATIONS_PER_SECOND; i++) {
      assertThat(fresh.accepts(header("prometheus", "guess" + i))).isFalse();
    }
    assertThat(fresh.accepts(header("prometheus", "s3cret"))).as("unchecked within the second").isFalse();
    now.addAndGet(1_000_000_000L);
    assertThat(fresh.accepts(header("prometheus", "s3cret"))).as("checked again the next second").isTrue();
  }
}
