package io.procagent.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.procagent.config.AgentConfig;
import io.procagent.sampler.Errors;
import io.procagent.sampler.Sampler;
import io.procagent.source.Sources;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** {@link TextFormat} writes what client_java's writers write, byte for byte, or declines. */
class TextFormatTest {

  static String clientJava(MetricSnapshots s, boolean openMetrics) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    (openMetrics ? OpenMetricsTextFormatWriter.create() : PrometheusTextFormatWriter.create()).write(out, s);
    return out.toString(StandardCharsets.UTF_8);
  }

  static String ours(MetricSnapshots s, boolean openMetrics) {
    TextFormat.Bytes out = new TextFormat.Bytes(16);
    assertThat(TextFormat.write(s, openMetrics, out)).as("written by TextFormat").isTrue();
    return new String(out.array(), 0, out.length(), StandardCharsets.UTF_8);
  }

  /** Everything procagent serves here: /proc, this JVM, client_java's JVM metrics. */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void theWholeRegistryAsClientJavaWritesIt(boolean openMetrics) throws IOException {
    Errors errors = new Errors();
    Sampler sampler = new Sampler(Sources.process(ProcessHandle.current().pid()), Sources.system(),
        Duration.ZERO, Runtime.getRuntime()::availableProcessors, errors);
    MetricSnapshots all = Registries.create(AgentConfig.defaults(), sampler, errors, "test").scrape();
    assertThat(all.size()).isGreaterThan(40);
    assertThat(ours(all, openMetrics)).isEqualTo(clientJava(all, openMetrics));
  }

  /**
   * Scrape after scrape with the memo, as the handler writes: each one what client_java writes,
   * most of it taken from the scrape before.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void successiveScrapesWithTheMemoAreWhatClientJavaWrites(boolean openMetrics) throws Exception {
    Errors errors = new Errors();
    Sampler sampler = new Sampler(Sources.process(ProcessHandle.current().pid()), Sources.system(),
        Duration.ZERO, Runtime.getRuntime()::availableProcessors, errors);
    var registry = Registries.create(AgentConfig.defaults(), sampler, errors, "test");
    TextFormat.Bytes out = new TextFormat.Bytes(16);
    TextFormat.Memo memo = new TextFormat.Memo();
    int kept = 0;
    for (int i = 0; i < 12; i++) {
      MetricSnapshots all = registry.scrape();
      assertThat(TextFormat.write(all, openMetrics, out, memo)).isTrue();
      assertThat(new String(out.array(), 0, out.length(), StandardCharsets.UTF_8))
          .as("scrape " + i).isEqualTo(clientJava(all, openMetrics));
      kept += memo.keptFamilies;
      Thread.sleep(20);
    }
    assertThat(kept).as("families kept as they were").isGreaterThan(40);
  }

  static MetricSnapshot gauge(MetricMetadata m, Labels[] labels, double... values) {
    List<GaugeSnapshot.GaugeDataPointSnapshot> points = new java.util.ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      points.add(new GaugeSnapshot.GaugeDataPointSnapshot(values[i], labels[i], null));
    }
    return new GaugeSnapshot(m, points);
  }

  /** Every way the families can differ from the last write's, and what is kept of each. */
  @Test
  void theMemoKeepsOnlyWhatIsTheSameObject() throws IOException {
    MetricMetadata m = new MetricMetadata("load", "a \"quoted\" help");
    Labels[] ab = {Labels.of("cpu", "a"), Labels.of("cpu", "b"), Labels.of("cpu", "c")};
    MetricSnapshots odd = odd();
    List<MetricSnapshot> base = new java.util.ArrayList<>();
    odd.forEach(base::add);
    MetricSnapshot load = gauge(m, ab, 1, 2);
    base.add(load);
    TextFormat.Bytes out = new TextFormat.Bytes(16);
    TextFormat.Memo memo = new TextFormat.Memo();
    java.util.function.BiConsumer<List<MetricSnapshot>, Boolean> same = (list, om) -> {
      MetricSnapshots s = new MetricSnapshots(list);
      assertThat(TextFormat.write(s, om, out, memo)).isTrue();
      try {
        assertThat(new String(out.array(), 0, out.length(), StandardCharsets.UTF_8)).isEqualTo(clientJava(s, om));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
    same.accept(base, false);
    assertThat(memo.keptFamilies).isZero();
    same.accept(base, false); // the same objects: every family copied
    assertThat(memo.keptFamilies).isEqualTo(base.size());
    base.set(base.indexOf(load), gauge(m, ab, 1.5, 2)); // new values, the same metadata and labels
    same.accept(base, false);
    assertThat(memo.keptFamilies).isEqualTo(base.size() - 1);
    assertThat(memo.keptHeads).isEqualTo(1);
    assertThat(memo.keptPrefixes).isEqualTo(2);
    base.set(base.size() - 1, gauge(m, ab, 3, 4, 5)); // a series more
    same.accept(base, false);
    assertThat(memo.keptPrefixes).isEqualTo(2);
    base.set(base.size() - 1, gauge(m, new Labels[] {ab[1], ab[2]}, 6, 7)); // fewer, each elsewhere
    same.accept(base, false);
    assertThat(memo.keptPrefixes).isZero();
    base.set(base.size() - 1, gauge(new MetricMetadata("load", "another help"), ab, 6, 7)); // other metadata
    same.accept(base, false);
    assertThat(memo.keptHeads).isZero();
    assertThat(memo.keptPrefixes).isZero();
    base.remove(0); // positions move: nothing is where it was
    same.accept(base, false);
    same.accept(base, false);
    assertThat(memo.keptFamilies).isEqualTo(base.size());
    same.accept(base, true); // the other format: nothing kept
    assertThat(memo.keptFamilies).isZero();
    same.accept(base, true);
    assertThat(memo.keptFamilies).isEqualTo(base.size());
    MetricSnapshot timestamped = GaugeSnapshot.builder().name("stamped")
        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(1).scrapeTimestampMillis(1000).build()).build();
    List<MetricSnapshot> declined = new java.util.ArrayList<>(base);
    declined.add(timestamped);
    assertThat(TextFormat.write(new MetricSnapshots(declined), true, out, memo)).isFalse();
    same.accept(base, true); // declined: nothing kept from before it
    assertThat(memo.keptFamilies).isZero();
  }

  static MetricSnapshots odd() {
    Labels escapes = Labels.of("a", "back\\slash \"quoted\"\nnew line", "b", "caf\u00e9 \u65e5\u672c \ud83d\ude00");
    GaugeSnapshot.Builder g = GaugeSnapshot.builder().name("odd_values").help("help with \\ and \" and\nnewline, \u00e9");
    double[] values = {0, -0.0, 1, -5, 9_999_999, 1e7, 1.5, -2.25, 1e-5, 1e300, Double.NaN,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Long.MAX_VALUE, 4.9e-324, 123456.789};
    for (int i = 0; i < values.length; i++) {
      g.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(values[i]).labels(Labels.of("i", Integer.toString(i))).build());
    }
    return MetricSnapshots.of(
        g.build(),
        CounterSnapshot.builder().name("escapes").help("")
            .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(3).labels(escapes).build())
            .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(4).createdTimestampMillis(1234).build())
            .build(),
        CounterSnapshot.builder().name("no_points").build(),
        GaugeSnapshot.builder().name("memory_bytes").unit(Unit.BYTES).help("with a unit")
            .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(2048).build()).build(),
        InfoSnapshot.builder().name("thing").help("an info")
            .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of("version", "1.2", "dir", "/tmp/a b")).build())
            .build(),
        SummarySnapshot.builder().name("latency_seconds").help("a summary")
            .dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder().count(7).sum(1.25)
                .quantiles(Quantiles.of(new Quantile(0.5, 0.1), new Quantile(0.99, 0.9))).labels(Labels.of("k", "v")).build())
            .dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder().count(2).labels(Labels.of("k", "count only")).build())
            .dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder().labels(Labels.of("k", "empty")).build())
            .build(),
        HistogramSnapshot.builder().name("run_seconds").help("a histogram")
            .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(new double[] {0.005, 1, 10, Double.POSITIVE_INFINITY}, new long[] {1, 0, 2, 1}))
                .sum(12.5).labels(Labels.of("command", "sleep")).build())
            .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(new double[] {1, Double.POSITIVE_INFINITY}, new long[] {3, 0}))
                .labels(Labels.of("command", "no sum")).build())
            .build());
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void escapesNumbersAndEveryKindAsClientJava(boolean openMetrics) throws IOException {
    MetricSnapshots s = odd();
    String ours = ours(s, openMetrics);
    assertThat(ours).isEqualTo(clientJava(s, openMetrics)).contains("\ud83d\ude00").contains("\\\"quoted\\\"");
    assertThat(ours).contains(openMetrics ? "# UNIT memory_bytes bytes\n" : "# TYPE thing_info gauge\n");
  }

  /** What only client_java writes: TextFormat declines it, and the handler's scrape uses client_java. */
  @Test
  void declinesWhatItDoesNotWrite() {
    MetricSnapshot exemplar = CounterSnapshot.builder().name("with_exemplar")
        .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(1)
            .exemplar(Exemplar.builder().value(1).labels(Labels.of("trace_id", "abc")).build()).build())
        .build();
    MetricSnapshot stateSet = StateSetSnapshot.builder().name("feature")
        .dataPoint(StateSetSnapshot.StateSetDataPointSnapshot.builder().state("a", true).build()).build();
    MetricSnapshot timestamped = GaugeSnapshot.builder().name("stamped")
        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(1).scrapeTimestampMillis(1000).build()).build();
    MetricSnapshot gaugeHistogram = HistogramSnapshot.builder().name("g").gaugeHistogram(true)
        .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
            .classicHistogramBuckets(ClassicHistogramBuckets.of(new double[] {Double.POSITIVE_INFINITY}, new long[] {1})).build())
        .build();
    MetricSnapshot utf8 = GaugeSnapshot.builder().name("caf\u00e9_bytes")
        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(1).build()).build();
    MetricSnapshot dotted = GaugeSnapshot.builder().name("my.gauge")
        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(1).build()).build();
    MetricSnapshot dottedLabel = GaugeSnapshot.builder().name("my_gauge")
        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(1).labels(Labels.of("a.b", "c")).build()).build();
    TextFormat.Bytes out = new TextFormat.Bytes(16);
    for (MetricSnapshot s : new MetricSnapshot[] {exemplar, stateSet, timestamped, gaugeHistogram, utf8, dotted, dottedLabel}) {
      assertThat(TextFormat.write(MetricSnapshots.of(s), true, out)).as(s.getMetadata().getName()).isFalse();
    }
    MetricSnapshot same = GaugeSnapshot.builder().name("same")
        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(1).build()).build();
    assertThat(TextFormat.write(MetricSnapshots.of(same, same), false, out)).as("duplicate names").isFalse();
    assertThat(TextFormat.write(MetricSnapshots.of(same), false, out)).isTrue();
  }

  @Test
  void gzipIsWhatGzipOutputStreamWritesAtTheFastestLevel() throws IOException {
    Random random = new Random(7);
    Gzip gzip = new Gzip();
    for (int size : new int[] {0, 1, 100, 15_000, 300_000}) {
      byte[] in = new byte[size + 3];
      for (int i = 0; i < in.length; i++) {
        in[i] = (byte) (random.nextInt(8) == 0 ? random.nextInt(256) : 'a' + random.nextInt(4));
      }
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      try (GZIPOutputStream z =
          new GZIPOutputStream(expected) {
            {
              def.setLevel(java.util.zip.Deflater.BEST_SPEED);
            }
          }) {
        z.write(in, 0, size);
      }
      byte[] ours = gzip.compress(in, size);
      assertThat(ours).as("size " + size).isEqualTo(expected.toByteArray());
      assertThat(new GZIPInputStream(new java.io.ByteArrayInputStream(ours)).readAllBytes()).hasSize(size);
    }
  }

  static ScrapeHandler.Request request(String query, String accept, String encoding) {
    return new ScrapeHandler.Request() {
      @Override
      public String query() {
        return query;
      }

      @Override
      public String header(String name) {
        return name.equals("Accept") ? accept : name.equals("Accept-Encoding") ? encoding : null;
      }
    };
  }

  /** Through the scrape handler: either writer, gzip or not, the same bytes as client_java's. */
  @Test
  void theHandlerServesTheSameBytesByEitherWriter() throws IOException {
    io.prometheus.metrics.model.registry.PrometheusRegistry registry = new io.prometheus.metrics.model.registry.PrometheusRegistry();
    registry.register(() -> odd().get(0));
    io.prometheus.metrics.model.registry.PrometheusRegistry withStateSet = new io.prometheus.metrics.model.registry.PrometheusRegistry();
    withStateSet.register(() -> odd().get(0));
    withStateSet.register(() -> StateSetSnapshot.builder().name("feature")
        .dataPoint(StateSetSnapshot.StateSetDataPointSnapshot.builder().state("a", true).build()).build());
    String om = "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3";
    for (var r : java.util.List.of(registry, withStateSet)) {
      ScrapeHandler handler = new ScrapeHandler(r, new ScrapePolicy(io.procagent.config.HttpLimits.DEFAULTS, Duration.ZERO));
      Reply text = handler.scrape(request(null, null, null));
      assertThat(text.headers).containsExactly(java.util.Map.entry("Content-Type", "text/plain; version=0.0.4; charset=utf-8"));
      assertThat(new String(text.body, StandardCharsets.UTF_8)).isEqualTo(clientJava(r.scrape(), false));
      Reply zipped = handler.scrape(request(null, om, "deflate, gzip"));
      assertThat(zipped.headers).containsExactly(
          java.util.Map.entry("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8"),
          java.util.Map.entry("Content-Encoding", "gzip"));
      assertThat(new String(new GZIPInputStream(new java.io.ByteArrayInputStream(zipped.body)).readAllBytes(),
          StandardCharsets.UTF_8)).isEqualTo(clientJava(r.scrape(), true)).endsWith("# EOF\n");
    }
    // a name TextFormat declines: client_java writes it under the escaping the request asks for
    io.prometheus.metrics.model.registry.PrometheusRegistry utf8 = new io.prometheus.metrics.model.registry.PrometheusRegistry();
    utf8.register(() -> GaugeSnapshot.builder().name("caf\u00e9_bytes")
        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(1).build()).build());
    ScrapeHandler utf8Handler = new ScrapeHandler(utf8, new ScrapePolicy(io.procagent.config.HttpLimits.DEFAULTS, Duration.ZERO));
    String allowUtf8 = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8";
    String plain = "application/openmetrics-text;version=1.0.0";
    String asked = new String(utf8Handler.scrape(request(null, allowUtf8, null)).body, StandardCharsets.UTF_8);
    String underscores = new String(utf8Handler.scrape(request(null, plain, null)).body, StandardCharsets.UTF_8);
    assertThat(asked).isEqualTo(clientJava(utf8.scrape(), true, io.prometheus.metrics.config.EscapingScheme.ALLOW_UTF8))
        .isNotEqualTo(underscores);
    assertThat(underscores).isEqualTo(clientJava(utf8.scrape(), true, io.prometheus.metrics.config.EscapingScheme.fromAcceptHeader(plain)));

    ScrapeHandler handler = new ScrapeHandler(withStateSet, new ScrapePolicy(io.procagent.config.HttpLimits.DEFAULTS, Duration.ZERO));
    Reply filtered = handler.scrape(request("name[]=feature", null, null)); // client_java's handler
    assertThat(new String(filtered.body, StandardCharsets.UTF_8)).contains("feature{feature=\"a\"} 1").doesNotContain("odd_values");
  }

  static String clientJava(MetricSnapshots s, boolean openMetrics, io.prometheus.metrics.config.EscapingScheme scheme) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    (openMetrics ? OpenMetricsTextFormatWriter.create() : PrometheusTextFormatWriter.create()).write(out, s, scheme);
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * Prometheus 3 asks for escaping=allow-utf-8: client_java then writes legal names as they are,
   * so TextFormat serves it; escaping=dots doubles underscores, so client_java does.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void escapingSchemesThatKeepLegalNames(boolean openMetrics) throws IOException {
    MetricSnapshots s = odd();
    for (var scheme : new io.prometheus.metrics.config.EscapingScheme[] {
        io.prometheus.metrics.config.EscapingScheme.ALLOW_UTF8, io.prometheus.metrics.config.EscapingScheme.UNDERSCORE_ESCAPING}) {
      assertThat(ours(s, openMetrics)).as(scheme.toString()).isEqualTo(clientJava(s, openMetrics, scheme));
    }
    assertThat(clientJava(s, openMetrics, io.prometheus.metrics.config.EscapingScheme.DOTS_ESCAPING)).isNotEqualTo(ours(s, openMetrics));
    String prometheus3 = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
        + "application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,"
        + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
    String prometheus2 = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
        + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    assertThat(TextFormat.serves(prometheus3)).isTrue();
    assertThat(TextFormat.serves(prometheus2)).isTrue();
    assertThat(TextFormat.serves(null)).isTrue();
    assertThat(TextFormat.serves("application/openmetrics-text;version=1.0.0;escaping=dots")).isFalse();
    assertThat(TextFormat.serves("application/openmetrics-text;version=1.0.0;escaping=values")).isFalse();
    assertThat(TextFormat.serves("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited")).isFalse();
  }

  /** gzip or not, as client_java's handler decides it (split on commas, trimmed, any case). */
  @Test
  void gzipAcceptedAsClientJavaDecides() {
    for (String header : new String[] {"gzip", "deflate, gzip", " GZIP ", "x-gzip", "gzip;q=1.0", "br,gzip", ",,", "", "gzipx", "deflate"}) {
      boolean expected = java.util.Arrays.stream(header.split(",")).anyMatch(e -> e.trim().equalsIgnoreCase("gzip"));
      assertThat(ScrapeHandler.gzip(request(null, null, header).header("Accept-Encoding"))).as(header).isEqualTo(expected);
    }
    assertThat(ScrapeHandler.gzip(request(null, null, null).header("Accept-Encoding"))).isFalse();
  }

  /** Random label values, help texts and numbers (control characters, lone surrogates, quotes, backslashes): the same bytes. */
  @Test
  void randomTextAndNumbersAsClientJava() throws IOException {
    Random random = new Random(42);
    char[] alphabet = {'a', 'Z', '0', ' ', '"', '\\', '\n', '\r', '\t', '{', '}', '=', ',', '#', '\u00e9', '\u65e5', '\ud83d', '\ude00', '\u0000', '\u007f', '\u2028'};
    for (int round = 0; round < 300; round++) {
      GaugeSnapshot.Builder g = GaugeSnapshot.builder().name("g").help(randomText(random, alphabet));
      CounterSnapshot.Builder c = CounterSnapshot.builder().name("c").help(randomText(random, alphabet));
      for (int i = 0; i < 5; i++) {
        Labels labels = Labels.of("i", Integer.toString(i), "v", randomText(random, alphabet));
        double value = switch (random.nextInt(4)) {
          case 0 -> random.nextInt(20_000_000) - 10_000_000;
          case 1 -> random.nextDouble() * Math.pow(10, random.nextInt(40) - 20);
          case 2 -> Double.longBitsToDouble(random.nextLong());
          default -> (double) random.nextLong();
        };
        g.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).labels(labels).build());
        c.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(Math.abs(value)).labels(labels).build());
      }
      MetricSnapshots s = MetricSnapshots.of(g.build(), c.build());
      for (boolean openMetrics : new boolean[] {false, true}) {
        assertThat(ours(s, openMetrics)).as("round " + round).isEqualTo(clientJava(s, openMetrics));
      }
    }
  }

  /**
   * Values with at most six decimals are written without Double.toString, and must read the
   * same: every millionth from -1 to 1, every thousandth up to 100 (and their negatives), random
   * ones up to 10^7, and the doubles next to each, which are not such values and must take
   * Double.toString's way.
   */
  @Test
  void millionthsAreWrittenAsDoubleToStringWritesThem() {
    TextFormat.Bytes out = new TextFormat.Bytes(32);
    Random random = new Random(3);
    for (int i = 0; i < 2_800_000; i++) {
      double d =
          i < 2_000_000 ? (i - 1_000_000) / 1e6
              : i < 2_200_000 ? (i - 2_100_000) / 1000.0
              : i < 2_500_000 ? (random.nextLong() % 10_000_000_000L) / 1000.0
              : (random.nextLong() % 10_000_000_000_000L) / 1e6;
      long k = Math.round(d * 1e6);
      for (double v : new double[] {d, Math.nextUp(d), Math.nextDown(d), k / 1e5, k / 1e4, -0.0, 1e-7, 5e-4}) {
        out.reset();
        TextFormat.number(v, out);
        String ours = new String(out.array(), 0, out.length(), StandardCharsets.US_ASCII);
        if (!ours.equals(Double.toString(v))) {
          assertThat(ours).as("k = " + k).isEqualTo(Double.toString(v));
        }
      }
    }
  }

  /**
   * Integral values from 10^7 to 2^53 (byte counts) are written without Double.toString, and
   * must read the same: random ones with any number of trailing zero bits and decimal zeros,
   * powers of two and of ten and their neighbours, negatives; beyond 2^53 Double.toString's way.
   */
  @Test
  void bigIntegersAreWrittenAsDoubleToStringWritesThem() {
    TextFormat.Bytes out = new TextFormat.Bytes(8);
    Random random = new Random(5);
    java.util.List<Double> values = new java.util.ArrayList<>();
    for (int i = 0; i < 300_000; i++) {
      long n = (random.nextLong() >>> 11) >>> random.nextInt(46); // below 2^53, any size
      n = i % 3 == 0 ? n << random.nextInt(20) & ((1L << 53) - 1) : i % 3 == 1 ? n / 1000 * 1000 : n;
      values.add((double) n);
    }
    for (long p = 1; p > 0 && p <= 1L << 60; p *= 2) {
      values.addAll(java.util.List.of((double) p, (double) (p - 1), (double) (p + 1)));
    }
    for (long p = 1; p <= 1_000_000_000_000_000_000L && p > 0; p *= 10) {
      values.addAll(java.util.List.of((double) p, (double) (p - 1), (double) (p + 1), p * 6.02));
    }
    values.addAll(java.util.List.of(0x1p53, 0x1p53 - 1, 0x1p53 + 2, 1.8446744073709552E19, 9.9999999e6, 1e7 - 0.5));
    for (double v : values) {
      for (double signed : new double[] {v, -v}) {
        out.reset();
        TextFormat.number(signed, out);
        String ours = new String(out.array(), 0, out.length(), StandardCharsets.US_ASCII);
        if (!ours.equals(Double.toString(signed))) {
          assertThat(ours).as("value " + Double.toString(signed)).isEqualTo(Double.toString(signed));
        }
      }
    }
  }

  private static String randomText(Random random, char[] alphabet) {
    char[] text = new char[random.nextInt(12)];
    for (int i = 0; i < text.length; i++) {
      text[i] = alphabet[random.nextInt(alphabet.length)];
    }
    return new String(text);
  }
}
