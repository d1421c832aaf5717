package io.procagent.source.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class KeptFileTest {

  @TempDir Path dir;
  static volatile long sink;

  static String text(byte[][] buf, int len) {
    return new String(buf[0], 0, len, StandardCharsets.US_ASCII);
  }

  @Test
  void readsWholeFromTheStartEveryTimeGrowingTheBuffer() throws Exception {
    Path f = dir.resolve("stat");
    String big = "x".repeat(5000) + "\n";
    Files.writeString(f, big);
    KeptFile kept = new KeptFile(f.toString());
    byte[][] buf = {new byte[16]};
    assertThat(text(buf, kept.read(buf))).isEqualTo(big);
    Files.writeString(f, "short\n"); // the same file, rewritten in place
    assertThat(text(buf, kept.read(buf))).isEqualTo("short\n");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void aProcFileKeptOpenIsMadeAnewAtEachRead() throws Exception {
    long tid = Long.parseLong(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
    KeptFile kept = new KeptFile("/proc/thread-self/../" + tid + "/stat");
    byte[][] buf = {new byte[64]};
    long before = utimeTicks(text(buf, kept.read(buf)));
    long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    long x = 0;
    while (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu < 300_000_000L) {
      x += x * 31 + 7; // a third of a second on this thread's CPU
    }
    long after = utimeTicks(text(buf, kept.read(buf)));
    sink = x;
    assertThat(after).isGreaterThan(before);
  }

  /** utime and stime (fields 14 and 15) of a stat line, in ticks. */
  static long utimeTicks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  @Test
  void closedUnderItIsOpenedAgainAndAMissingFileIsNamed() throws Exception {
    Path f = dir.resolve("loadavg");
    Files.writeString(f, "0.10 0.20 0.30 1/100 42\n");
    KeptFile kept = new KeptFile(f.toString());
    byte[][] buf = {new byte[64]};
    kept.read(buf);
    kept.close();
    assertThat(text(buf, kept.read(buf))).startsWith("0.10");
    Files.delete(f);
    kept.close();
    assertThatThrownBy(() -> kept.read(buf)).isInstanceOf(NoSuchFileException.class).hasMessageContaining(f.toString());
  }
}
