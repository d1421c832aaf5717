package io.procagent.source.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pure parsers over text captured from this machine's /proc at set-up (no I/O measured):
 * what each sampling round and scrape spends turning /proc text into numbers. Run by
 * bench/jmh.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ParsersBenchmark {

  byte[] stat;
  byte[] status;
  String limits;
  String procStat;
  String loadavg;

  @Setup
  public void setup() throws IOException {
    stat = Files.readAllBytes(Path.of("/proc/self/stat"));
    status = Files.readAllBytes(Path.of("/proc/self/status"));
    limits = Files.readString(Path.of("/proc/self/limits"));
    procStat = Files.readString(Path.of("/proc/stat"));
    loadavg = Files.readString(Path.of("/proc/loadavg"));
  }

  @Benchmark
  public Object processStat() {
    return ProcParsers.parseStat(stat, stat.length);
  }

  @Benchmark
  public Object processStatus() {
    return ProcParsers.parseStatus(status, status.length);
  }

  @Benchmark
  public Object processLimits() {
    return ProcParsers.parseLimits(limits);
  }

  @Benchmark
  public Object hostStat() {
    return ProcParsers.parseProcStat(procStat);
  }

  @Benchmark
  public Object loadavg() {
    return ProcParsers.parseLoadavg(loadavg);
  }
}
