package io.procagent.bench;

import io.procagent.source.ProcessSnapshot;
import io.procagent.source.SystemSnapshot;
import io.procagent.source.linux.LinuxDescendantSource;
import io.procagent.source.linux.LinuxProcessSource;
import io.procagent.source.linux.LinuxSystemSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
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
 * One read of each /proc source as the sampler does it: the process (stat, status, limits, fds,
 * threads' context switches), the host (/proc/stat, loadavg, meminfo, uptime), and one descendant
 * scan of this JVM (no children; bench/ScanBench.java has 100 and 1,000). Run by bench/jmh.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SourcesBenchmark {

  LinuxProcessSource process;
  LinuxSystemSource system;
  LinuxDescendantSource descendants;
  long self;

  @Setup
  public void setup() {
    self = ProcessHandle.current().pid();
    process = new LinuxProcessSource(Path.of("/proc"), self);
    system = new LinuxSystemSource(Path.of("/proc"));
    descendants = new LinuxDescendantSource(Path.of("/proc"));
  }

  @Benchmark
  public ProcessSnapshot processRead() throws IOException {
    return process.read();
  }

  @Benchmark
  public SystemSnapshot systemRead() throws IOException {
    return system.read();
  }

  @Benchmark
  public Object descendantScan() throws IOException {
    List<?> d = descendants.descendants(self, false);
    return d;
  }
}
