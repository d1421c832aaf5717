package io.procagent.bench;

import io.procagent.config.AgentConfig;
import io.procagent.prometheus.Registries;
import io.procagent.sampler.Errors;
import io.procagent.sampler.Sampler;
import io.procagent.source.Sources;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A full scrape without HTTP: collect every default collector (process and host from /proc,
 * client_java's JVM metrics, procagent's own) and write the Prometheus text format. {@code
 * cacheTtl=0} reads /proc every time, as a scrape does once the sampler's cache has expired
 * (Prometheus scrapes every 15 s); {@code 1s} is a scrape within the cache. With {@code -prof gc}
 * (bench/jmh.sh) it reports the bytes allocated per scrape. Run by bench/jmh.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ScrapeBenchmark {

  @Param({"0", "1000"})
  public long cacheTtlMillis;

  PrometheusRegistry registry;
  final PrometheusTextFormatWriter text = PrometheusTextFormatWriter.create();
  OutputStream sink;

  @Setup
  public void setup(Blackhole bh) {
    Errors errors = new Errors();
    Sampler sampler =
        new Sampler(
            Sources.process(ProcessHandle.current().pid()),
            Sources.system(),
            Duration.ofMillis(cacheTtlMillis),
            Runtime.getRuntime()::availableProcessors,
            errors);
    registry = Registries.create(AgentConfig.defaults(), sampler, errors, "bench");
    sink =
        new OutputStream() {
          @Override
          public void write(int b) {
            bh.consume(b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            bh.consume(len);
          }
        };
  }

  @Benchmark
  public void collectAndWrite() throws IOException {
    text.write(sink, registry.scrape());
  }
}
