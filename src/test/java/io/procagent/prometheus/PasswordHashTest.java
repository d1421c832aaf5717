package io.procagent.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordHashTest {

  @Test
  void bcryptRoundTripAndKnownHash() {
    String h = PasswordHash.bcrypt("s3cret".toCharArray());
    assertThat(PasswordHash.supported(h)).isTrue();
    assertThat(PasswordHash.verify("s3cret".toCharArray(), h)).isTrue();
    assertThat(PasswordHash.verify("s3cret!".toCharArray(), h)).isFalse();
    // made by Apache's htpasswd -nbBC 10 u test, the tool exporter-toolkit's docs suggest
    String known = "$2y$10$G0Dqr75Q79oub5P3SnYxHOXArixmob2eAO1I1XiQ2B6iJAd.kh8Ti";
    assertThat(PasswordHash.supported(known)).isTrue();
    assertThat(PasswordHash.verify("test".toCharArray(), known)).isTrue();
    assertThat(PasswordHash.verify("Test".toCharArray(), known)).isFalse();
  }

  @Test
  void pbkdf2RoundTripAndDjangoVector() throws Exception {
    String h = PasswordHash.pbkdf2("s3cret".toCharArray());
    assertThat(h).startsWith("pbkdf2_sha256$310000$");
    assertThat(PasswordHash.supported(h)).isTrue();
    assertThat(PasswordHash.verify("s3cret".toCharArray(), h)).isTrue();
    assertThat(PasswordHash.verify("other".toCharArray(), h)).isFalse();
    // Django's test vector for PBKDF2PasswordHasher: password "lètmein", salt "seasalt", 260000 iterations
    String django = "pbkdf2_sha256$260000$seasalt$YlZ2Vggtqdc61YjArZuoApoBh9JNGYoDRBUGu6tcJQo=";
    assertThat(PasswordHash.verify("lètmein".toCharArray(), django)).isTrue();
    assertThat(PasswordHash.verify("letmein".toCharArray(), django)).isFalse();
  }

  @Test
  void malformedHashesAreRejected() {
    assertThat(PasswordHash.supported("plaintext")).isFalse();
    assertThat(PasswordHash.supported("$2y$10$short")).isFalse();
    assertThat(PasswordHash.supported("pbkdf2_sha256$10$salt$AAAA")).isFalse();
    assertThat(PasswordHash.verify("x".toCharArray(), "pbkdf2_sha256$x$y$z")).isFalse();
  }
}
