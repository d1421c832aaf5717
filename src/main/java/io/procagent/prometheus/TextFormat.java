package io.procagent.prometheus;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The Prometheus text format (0.0.4) and OpenMetrics text (1.0.0), written straight into bytes,
 * byte for byte what client_java 1.5.0's writers produce for the metrics procagent serves
 * (TextFormatTest compares the two). client_java's writers go through a BufferedWriter over an
 * OutputStreamWriter (24 KB of buffers per write), a String per number and per suffixed name:
 * about 80 KB allocated for a 15 KB scrape, and a body of code that the JIT compiles a piece at
 * a time while scrapes come once a second. This writes what needs no more than that; for
 * anything else (a name client_java would quote, exemplars it would write, scrape timestamps,
 * duplicate names, state sets, unknown types, gauge histograms) {@link #write} says no and
 * client_java's writer is used. Created timestamps are not written, as client_java's defaults.
 * Every name written is a legal legacy name, which the escaping schemes {@link #serves} allows
 * leave as they are.
 */
final class TextFormat {

  static final String PROMETHEUS_CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;
  static final String OPENMETRICS_CONTENT_TYPE = OpenMetricsTextFormatWriter.CONTENT_TYPE;

  /**
   * Whether a request with this Accept header gets one of these two formats: not protobuf, and
   * no escaping scheme that would change a legal name (Prometheus 3 asks for {@code
   * escaping=allow-utf-8}, which leaves them as they are; {@code dots} doubles underscores).
   */
  static boolean serves(String accept) {
    if (accept == null) {
      return true;
    }
    // indexOf, not contains: interpreted, as at one scrape a second, contains takes 1.3 us a call
    // against 0.8 (async-profiler shows the interpreter resolving its CharSequence call each time)
    if (accept.indexOf("application/vnd.google.protobuf") >= 0) {
      return false; // client_java decides whether it is its protobuf
    }
    if (accept.indexOf("escaping=") < 0) {
      return true;
    }
    EscapingScheme scheme = EscapingScheme.fromAcceptHeader(accept);
    return scheme == EscapingScheme.ALLOW_UTF8 || scheme == EscapingScheme.UNDERSCORE_ESCAPING;
  }

  private final Bytes out;
  private final boolean openMetrics;
  /** The last scrape's families, or null; the family being written is {@link #family}. */
  private final Memo memo;
  private int family;

  private TextFormat(Bytes out, boolean openMetrics, Memo memo) {
    this.out = out;
    this.openMetrics = openMetrics;
    this.memo = memo;
  }

  /**
   * Writes {@code snapshots} into {@code out} (emptied first).
   *
   * @return false when they hold something only client_java's writer writes; {@code out} is then
   *     in no particular state
   */
  static boolean write(MetricSnapshots snapshots, boolean openMetrics, Bytes out) {
    return write(snapshots, openMetrics, out, null);
  }

  /**
   * Writes {@code snapshots} into {@code out} (emptied first), taking from {@code memo} the bytes
   * of what is as it was at the last write: a family whose snapshot is the same object (a
   * collector gives its last snapshot again while nothing in it changed, see {@link
   * LastSnapshots}), else its HELP and TYPE lines while its metadata is the same object, and each
   * series' name and labels while its label set is. A scrape a second writes most families
   * unchanged; copying their bytes spares the character loops (and validating them again) that
   * ran in C1's profiled code and the interpreter, a third of a cold scrape's writing.
   *
   * @param memo the last write's families, kept by the caller with {@code out}; null for none
   */
  static boolean write(MetricSnapshots snapshots, boolean openMetrics, Bytes out, Memo memo) {
    out.reset();
    int n = snapshots.size();
    if (memo != null && memo.openMetrics != openMetrics) {
      memo.clear(); // the other format's bytes
    }
    if (!writable(snapshots, n, memo)) {
      if (memo != null) {
        memo.clear();
      }
      return false;
    }
    TextFormat w = new TextFormat(out, openMetrics, memo);
    if (memo != null) {
      memo.grow(n);
      memo.keptFamilies = 0;
      memo.keptHeads = 0;
      memo.keptPrefixes = 0;
    }
    try {
      for (int i = 0; i < n; i++) { // indexed: no iterator; each family in a method called n times
        w.family = i;
        w.family(snapshots.get(i));
      }
    } catch (RuntimeException | Error e) {
      if (memo != null) {
        memo.clear(); // half updated
      }
      throw e;
    }
    if (openMetrics) {
      out.ascii("# EOF\n");
    }
    if (memo != null) {
      memo.keep(out, n, openMetrics);
    }
    return true;
  }

  private void family(MetricSnapshot s) {
    int from = out.length();
    if (memo != null && memo.snaps[family] == s) {
      out.bytes(memo.bytes, memo.from[family], memo.to[family] - memo.from[family]);
      memo.moved(family, from);
      memo.keptFamilies++;
      return;
    }
    if (memo != null) {
      memo.starting(family, s, from);
    }
    if (!s.getDataPoints().isEmpty()) {
      if (s instanceof CounterSnapshot c) {
        counter(c);
      } else if (s instanceof GaugeSnapshot g) {
        gauge(g);
      } else if (s instanceof InfoSnapshot i) {
        info(i);
      } else if (s instanceof SummarySnapshot m) {
        summary(m);
      } else {
        histogram((HistogramSnapshot) s);
      }
    }
    if (memo != null) {
      memo.ended(family, out.length());
    }
  }

  /**
   * Whether every snapshot is of a kind written here (checked first: nothing half-written); one
   * written at the last write ({@code memo}) was checked then.
   */
  private static boolean writable(MetricSnapshots snapshots, int n, Memo memo) {
    String previous = null;
    for (int i = 0; i < n; i++) {
      MetricSnapshot s = snapshots.get(i);
      String name = s.getMetadata().getPrometheusName();
      if (name.equals(previous)) {
        return false; // sorted by name: duplicates are neighbours, and client_java merges them
      }
      previous = name;
      if (!(memo != null && i < memo.snaps.length && memo.snaps[i] == s) && !writable(s, memo, i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether family {@code f} can be written; its name and its series' label names are not checked
   * again where they are the same objects as at the last write ({@code memo}), which checked them:
   * a collector keeps its metadata and label sets, and most families change only in values.
   */
  private static boolean writable(MetricSnapshot s, Memo memo, int f) {
    boolean known = memo != null && f < memo.snaps.length;
    if (!(known && memo.meta[f] == s.getMetadata())
        && !PrometheusNaming.isValidLegacyMetricName(s.getMetadata().getName())) {
      return false;
    }
    Labels[] checked = known ? memo.labels[f] : null;
    boolean kind =
        s instanceof CounterSnapshot
            || s instanceof GaugeSnapshot
            || s instanceof InfoSnapshot
            || s instanceof SummarySnapshot
            || (s instanceof HistogramSnapshot h && !h.isGaugeHistogram());
    if (!kind) {
      return false;
    }
    List<? extends DataPointSnapshot> points = s.getDataPoints();
    for (int i = 0, n = points.size(); i < n; i++) { // indexed: no iterator per snapshot and scrape
      DataPointSnapshot d = points.get(i);
      Labels labels = d.getLabels();
      boolean same = checked != null && i < checked.length && checked[i] == labels;
      if (d.hasScrapeTimestamp() || !(same || legacyLabelNames(labels))) { // created: never written
        return false;
      }
      if (d instanceof CounterSnapshot.CounterDataPointSnapshot c && c.getExemplar() != null
          || d instanceof HistogramSnapshot.HistogramDataPointSnapshot h && h.getExemplars().size() > 0
          || d instanceof SummarySnapshot.SummaryDataPointSnapshot m && m.getExemplars().size() > 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean legacyLabelNames(Labels labels) {
    for (int i = 0; i < labels.size(); i++) {
      if (!PrometheusNaming.isValidLegacyLabelName(labels.getName(i))) { // as given: no dots
        return false;
      }
    }
    return true;
  }

  private void counter(CounterSnapshot s) {
    values(s.getMetadata(), "counter", "_total", s.getDataPoints(), CounterSnapshot.CounterDataPointSnapshot::getValue);
  }

  private void gauge(GaugeSnapshot s) {
    values(s.getMetadata(), "gauge", "", s.getDataPoints(), GaugeSnapshot.GaugeDataPointSnapshot::getValue);
  }

  /** A family of one number per series, its series named with {@code suffix} in both formats. */
  private <P extends DataPointSnapshot> void values(
      MetricMetadata m, String type, String suffix, List<P> points, ToDoubleFunction<P> value) {
    metadata(m, type, suffix);
    if (memo != null) {
      memo.points(family, points.size());
    }
    for (int i = 0, n = points.size(); i < n; i++) {
      P d = points.get(i);
      prefix(m, suffix, d.getLabels(), i);
      number(value.applyAsDouble(d), out);
      out.newline();
    }
  }

  /** {@code name_suffix{labels} } of point {@code i}, from the last write's bytes while the same. */
  private void prefix(MetricMetadata m, String suffix, Labels labels, int i) {
    int from = out.length();
    if (memo != null && memo.sameMetadata && memo.labels[family][i] == labels) {
      int[] at = memo.at[family];
      out.bytes(memo.bytes, at[2 * i], at[2 * i + 1] - at[2 * i]);
      memo.keptPrefixes++;
    } else {
      series(m, suffix, labels, null, 0);
    }
    if (memo != null) {
      memo.point(family, i, labels, from, out.length());
    }
  }

  private void info(InfoSnapshot s) {
    metadata(s.getMetadata(), openMetrics ? "info" : "gauge", "_info");
    List<InfoSnapshot.InfoDataPointSnapshot> points = s.getDataPoints();
    if (memo != null) {
      memo.points(family, points.size());
    }
    for (int i = 0, n = points.size(); i < n; i++) {
      InfoSnapshot.InfoDataPointSnapshot d = points.get(i);
      prefix(s.getMetadata(), "_info", d.getLabels(), i);
      out.ascii("1\n");
    }
  }

  private void summary(SummarySnapshot s) {
    boolean metadataWritten = false;
    List<SummarySnapshot.SummaryDataPointSnapshot> points = s.getDataPoints();
    for (int i = 0, n = points.size(); i < n; i++) {
      SummarySnapshot.SummaryDataPointSnapshot d = points.get(i);
      if (d.getQuantiles().size() == 0 && !d.hasCount() && !d.hasSum()) {
        continue;
      }
      if (!metadataWritten) {
        metadata(s.getMetadata(), "summary", "");
        metadataWritten = true;
      }
      for (Quantile q : d.getQuantiles()) {
        series(s.getMetadata(), "", d.getLabels(), "quantile", q.getQuantile());
        number(q.getValue(), out);
        out.newline();
      }
      countAndSum(s.getMetadata(), d.getLabels(), d.hasCount(), d.getCount(), d.hasSum(), d.getSum());
    }
  }

  private void histogram(HistogramSnapshot s) {
    metadata(s.getMetadata(), "histogram", "");
    List<HistogramSnapshot.HistogramDataPointSnapshot> points = s.getDataPoints();
    for (int p = 0, n = points.size(); p < n; p++) {
      HistogramSnapshot.HistogramDataPointSnapshot d = points.get(p);
      ClassicHistogramBuckets buckets =
          d.getClassicBuckets().isEmpty()
              ? ClassicHistogramBuckets.of(new double[] {Double.POSITIVE_INFINITY}, new long[] {d.getCount()})
              : d.getClassicBuckets();
      long cumulative = 0;
      for (int i = 0; i < buckets.size(); i++) {
        cumulative += buckets.getCount(i);
        series(s.getMetadata(), "_bucket", d.getLabels(), "le", buckets.getUpperBound(i));
        out.decimal(cumulative);
        out.newline();
      }
      // OpenMetrics has a histogram's _count and _sum both or neither
      boolean both = d.hasCount() && d.hasSum();
      countAndSum(s.getMetadata(), d.getLabels(), d.hasCount() && (both || !openMetrics), d.getCount(),
          d.hasSum() && (both || !openMetrics), d.getSum());
    }
  }

  private void countAndSum(MetricMetadata m, Labels labels, boolean hasCount, long count, boolean hasSum, double sum) {
    if (hasCount) {
      series(m, "_count", labels, null, 0);
      out.decimal(count);
      out.newline();
    }
    if (hasSum) {
      series(m, "_sum", labels, null, 0);
      number(sum, out);
      out.newline();
    }
  }

  /** # TYPE and # HELP (and # UNIT): OpenMetrics names the family, the text format the series. */
  private void metadata(MetricMetadata m, String type, String textSuffix) {
    int from = out.length();
    if (memo != null && memo.meta[family] == m && memo.type[family] == type && memo.headFrom[family] >= 0) {
      out.bytes(memo.bytes, memo.headFrom[family], memo.headTo[family] - memo.headFrom[family]);
      memo.sameMetadata = true;
      memo.keptHeads++;
    } else {
      head(m, type, textSuffix);
    }
    if (memo != null) {
      memo.head(family, m, type, from, out.length());
    }
  }

  private void head(MetricMetadata m, String type, String textSuffix) {
    String suffix = openMetrics ? "" : textSuffix;
    String help = m.getHelp();
    if (openMetrics) {
      type(m, suffix, type);
      if (m.getUnit() != null) {
        out.ascii("# UNIT ");
        name(m, suffix);
        out.write(' ');
        out.escaped(m.getUnit().toString(), true);
        out.newline();
      }
    }
    if (help != null && !help.isEmpty()) {
      out.ascii("# HELP ");
      name(m, suffix);
      out.write(' ');
      out.escaped(help, openMetrics); // the text format leaves '"' as it is in HELP
      out.newline();
    }
    if (!openMetrics) {
      type(m, suffix, type);
    }
  }

  private void type(MetricMetadata m, String suffix, String type) {
    out.ascii("# TYPE ");
    name(m, suffix);
    out.write(' ');
    out.ascii(type);
    out.newline();
  }

  private void name(MetricMetadata m, String suffix) {
    out.ascii(m.getPrometheusName());
    out.ascii(suffix);
  }

  /** {@code name_suffix{labels,extra="v"} }, up to the value. */
  private void series(MetricMetadata m, String suffix, Labels labels, String extra, double extraValue) {
    name(m, suffix);
    if (!labels.isEmpty() || extra != null) {
      out.write('{');
      for (int i = 0; i < labels.size(); i++) {
        if (i > 0) {
          out.write(',');
        }
        out.ascii(labels.getPrometheusName(i));
        out.ascii("=\"");
        out.escaped(labels.getValue(i), true);
        out.write('"');
      }
      if (extra != null) {
        if (!labels.isEmpty()) {
          out.write(',');
        }
        out.ascii(extra);
        out.ascii("=\"");
        number(extraValue, out);
        out.write('"');
      }
      out.write('}');
    }
    out.write(' ');
  }

  /** A double as client_java writes it: {@code Double.toString}, infinities as {@code +Inf} / {@code -Inf}. */
  static void number(double d, Bytes out) {
    if (d == Double.POSITIVE_INFINITY) {
      out.ascii("+Inf");
    } else if (d == Double.NEGATIVE_INFINITY) {
      out.ascii("-Inf");
    } else if (d == (long) d && Math.abs(d) < 1e7 && (d != 0 || 1 / d > 0)) {
      out.decimal((long) d); // what Double.toString writes for these, without building it
      out.ascii(".0");
    } else if (Math.abs(d) < 1e7 && millionths(d, out)) {
      // written: the value is the double nearest a number of millionths, as Double.toString writes it
    } else if (Math.abs(d) >= 1e7 && Math.abs(d) < 0x1p53 && d == (long) d) { // bytes, counts
      if (d < 0) {
        out.write('-');
      }
      out.scientific(Math.abs((long) d));
    } else {
      out.ascii(Double.toString(d));
    }
  }

  /**
   * Writes {@code d} when it is the double nearest to a decimal with at most six decimals (CPU
   * seconds in ticks, milliseconds, load averages, durations and ratios, which procagent rounds to
   * millionths: every value a scrape has but the unlimited and the unknown): the digits {@code
   * Double.toString} writes for it, without the JDK's general algorithm, whose compilation was
   * the largest one a scrape caused. Such a decimal has at most 13 significant digits, so no
   * shorter one reads as the same double, and it is the one Double.toString writes (as {@code
   * 1.23E-4} under a thousandth). Checked against Double.toString for every such value from -1
   * to 1, every thousandth from -100 to 100 and random ones up to 10^7, on Java 17 and 25
   * (TextFormatTest).
   *
   * @return false, having written nothing, for any other value
   */
  private static boolean millionths(double d, Bytes out) {
    long k = Math.round(d * 1e6);
    if (k / 1e6 != d || k == 0) { // 0: -0.0 (0.0 is written as a whole number)
      return false;
    }
    if (k < 0) {
      out.write('-');
      k = -k;
    }
    if (k < 1000) { // under 10^-3 Double.toString writes 1.23E-4
      int exponent = -7;
      for (long x = k; x > 0; x /= 10) {
        exponent++;
      }
      while (k % 10 == 0) {
        k /= 10;
      }
      int first = (int) k;
      int rest = 1;
      while (first >= 10) {
        first /= 10;
        rest *= 10;
      }
      out.write((char) ('0' + first));
      out.write('.');
      if (rest == 1) {
        out.write('0');
      }
      for (int div = rest / 10; div >= 1; div /= 10) {
        out.write((char) ('0' + k / div % 10));
      }
      out.write('E');
      out.decimal(exponent);
      return true;
    }
    out.decimal(k / 1_000_000);
    out.write('.');
    int frac = (int) (k % 1_000_000);
    int div = 100_000;
    do { // at least one digit, then up to the last that is not 0
      out.write((char) ('0' + frac / div % 10));
      frac %= div;
      div /= 10;
    } while (frac != 0);
    return true;
  }

  /**
   * The last write's families, by position, with where each one's bytes, HELP and TYPE lines
   * and series prefixes were; kept by the writer's owner with its buffer, used by one writer at
   * a time. Positions hold from scrape to scrape (the same collectors in the same order); where
   * they do not, nothing is the same object and everything is written.
   */
  static final class Memo {
    private boolean openMetrics;
    private MetricSnapshot[] snaps = new MetricSnapshot[0];
    private int[] from = new int[0];
    private int[] to = new int[0];
    private MetricMetadata[] meta = new MetricMetadata[0];
    private String[] type = new String[0];
    private int[] headFrom = new int[0];
    private int[] headTo = new int[0];
    /** Per family, the label set of each series written by {@link #prefix}, or null. */
    private Labels[][] labels = new Labels[0][];
    /** Per family, each series' prefix as from, to pairs. */
    private int[][] at = new int[0][];
    /** The last write's bytes. */
    private byte[] bytes = new byte[0];
    /** Set while the family being written kept its HELP and TYPE lines. */
    private boolean sameMetadata;
    private boolean headWritten;
    private boolean pointsWritten;
    /** What the last write took from the one before: families, HELP and TYPE lines, series prefixes. */
    int keptFamilies;
    int keptHeads;
    int keptPrefixes;

    void clear() {
      snaps = new MetricSnapshot[0];
      from = new int[0];
      to = new int[0];
      meta = new MetricMetadata[0];
      type = new String[0];
      headFrom = new int[0];
      headTo = new int[0];
      labels = new Labels[0][];
      at = new int[0][];
    }

    private void grow(int n) {
      if (snaps.length < n) {
        snaps = Arrays.copyOf(snaps, n);
        from = Arrays.copyOf(from, n);
        to = Arrays.copyOf(to, n);
        meta = Arrays.copyOf(meta, n);
        type = Arrays.copyOf(type, n);
        int old = headFrom.length;
        headFrom = Arrays.copyOf(headFrom, n);
        Arrays.fill(headFrom, old, n, -1);
        headTo = Arrays.copyOf(headTo, n);
        labels = Arrays.copyOf(labels, n);
        at = Arrays.copyOf(at, n);
      }
    }

    /** Family {@code i} was copied as it was, now at {@code newFrom}. */
    private void moved(int i, int newFrom) {
      int delta = newFrom - from[i];
      from[i] += delta;
      to[i] += delta;
      if (headFrom[i] >= 0) {
        headFrom[i] += delta;
        headTo[i] += delta;
      }
      Labels[] l = labels[i];
      if (l != null) {
        int[] a = at[i];
        for (int j = 0; j < l.length && l[j] != null; j++) {
          a[2 * j] += delta;
          a[2 * j + 1] += delta;
        }
      }
    }

    private void starting(int i, MetricSnapshot s, int newFrom) {
      snaps[i] = s;
      from[i] = newFrom;
      sameMetadata = false;
      headWritten = false;
      pointsWritten = false;
    }

    private void head(int i, MetricMetadata m, String t, int hf, int ht) {
      meta[i] = m;
      type[i] = t;
      headFrom[i] = hf;
      headTo[i] = ht;
      headWritten = true;
    }

    /** Family {@code i} has {@code n} series written by {@link #prefix}. */
    private void points(int i, int n) {
      Labels[] l = labels[i];
      if (l == null || l.length < n) {
        labels[i] = l = l == null ? new Labels[n] : Arrays.copyOf(l, n);
        at[i] = at[i] == null ? new int[2 * n] : Arrays.copyOf(at[i], 2 * n);
      }
      Arrays.fill(l, n, l.length, null); // not written this time: never the same again
      pointsWritten = true;
    }

    private void point(int i, int j, Labels l, int pf, int pt) {
      labels[i][j] = l;
      at[i][2 * j] = pf;
      at[i][2 * j + 1] = pt;
    }

    private void ended(int i, int end) {
      to[i] = end;
      if (!headWritten) {
        meta[i] = null;
        headFrom[i] = -1;
      }
      if (!pointsWritten) {
        labels[i] = null;
      }
    }

    /** The write of {@code n} families into {@code out} is complete: its bytes are the next memo's. */
    private void keep(Bytes out, int n, boolean om) {
      if (bytes.length < out.length()) {
        bytes = new byte[out.array().length];
      }
      System.arraycopy(out.array(), 0, bytes, 0, out.length());
      openMetrics = om;
      for (int i = n; i < snaps.length; i++) { // families gone: let their snapshots go
        snaps[i] = null;
        meta[i] = null;
        headFrom[i] = -1;
        labels[i] = null;
      }
    }
  }

  /** A growable byte buffer, kept between scrapes by its one writer. */
  static final class Bytes {
    private byte[] buf;
    private int len;

    Bytes(int capacity) {
      buf = new byte[Math.max(16, capacity)];
    }

    void reset() {
      len = 0;
    }

    int length() {
      return len;
    }

    byte[] array() {
      return buf;
    }

    void bytes(byte[] b) {
      bytes(b, 0, b.length);
    }

    void bytes(byte[] b, int from, int n) {
      room(n);
      System.arraycopy(b, from, buf, len, n);
      len += n;
    }

    /** The bytes written, in an array of their own. */
    byte[] toArray() {
      return Arrays.copyOf(buf, len);
    }

    private void room(int n) {
      if (len + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
      }
    }

    void write(char c) {
      room(1);
      buf[len++] = (byte) c;
    }

    void newline() {
      write('\n');
    }

    /** A String as UTF-8: ASCII byte by byte, the rest (rare here) through the JDK's encoder. */
    void ascii(String s) {
      int n = s.length();
      room(n);
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        if (c >= 0x80) {
          utf8(s.substring(i));
          return;
        }
        buf[len++] = (byte) c;
      }
    }

    private void utf8(String s) {
      bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code \}, newline and (when {@code quotes}) {@code "} escaped with a backslash. */
    void escaped(String s, boolean quotes) {
      int from = 0;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '\\' || c == '\n' || (c == '"' && quotes)) {
          ascii(s.substring(from, i));
          write('\\');
          write(c == '\n' ? 'n' : c);
          from = i + 1;
        }
      }
      ascii(from == 0 ? s : s.substring(from));
    }

    /**
     * An integral double from 10^7 to 2^53 (byte counts, mostly) as {@code Double.toString}
     * writes it, without its general algorithm: every digit of {@code v} (below 2^53 each one is
     * needed), trailing zeros dropped, as {@code d.dddE<exponent>} ({@code 1.0E7}).
     */
    void scientific(long v) {
      int start = len;
      decimal(v);
      int exponent = len - start - 1;
      int end = len;
      while (end > start + 1 && buf[end - 1] == '0') {
        end--;
      }
      room(8);
      System.arraycopy(buf, start + 1, buf, start + 2, end - start - 1);
      buf[start + 1] = '.';
      len = end + 1;
      if (end == start + 1) {
        buf[len++] = '0';
      }
      buf[len++] = 'E';
      decimal(exponent);
    }

    void decimal(long v) {
      if (v < 0) {
        if (v == Long.MIN_VALUE) {
          ascii(Long.toString(v));
          return;
        }
        write('-');
        v = -v;
      }
      room(19);
      int start = len;
      do {
        buf[len++] = (byte) ('0' + v % 10);
        v /= 10;
      } while (v > 0);
      for (int i = start, j = len - 1; i < j; i++, j--) {
        byte t = buf[i];
        buf[i] = buf[j];
        buf[j] = t;
      }
    }
  }
}
