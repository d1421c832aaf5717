package io.procagent.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RedactionTest {

  @Test
  void secretsAreMasked() {
    assertThat(
            Redaction.redact(
                List.of("psql", "--password", "hunter2", "PGPASSWORD=x", "--api-key=abc", "-Dtoken=t", "--user", "bob", "file.txt")))
        .isEqualTo("psql --password *** PGPASSWORD=*** --api-key=*** -Dtoken=*** --user bob file.txt");
    assertThat(Redaction.redact(List.of("sleep", "300"))).isEqualTo("sleep 300");
    assertThat(Redaction.redact(List.of())).isEmpty();
  }
}
