package io.procagent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The systemd unit passes systemd-analyze verify without a single complaint. */
class SystemdIT {

  @TempDir Path dir;

  @Test
  void unitVerifies() throws Exception {
    Path analyze = Path.of("/usr/bin/systemd-analyze");
    assertThat(analyze).as("systemd-analyze (Debian package systemd)").isExecutable();
    Path unit = dir.resolve("procagent.service");
    Files.copy(Path.of("systemd/procagent.service"), unit);
    Process p = new ProcessBuilder(analyze.toString(), "verify", unit.toString()).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).as("no warnings").isEmpty();
    String text = Files.readString(unit);
    assertThat(text)
        .contains("DynamicUser=yes", "NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes", "CapabilityBoundingSet=\n",
            "Restart=on-failure", "--config /etc/procagent/procagent.yaml");
  }
}
