package io.procagent.source.linux;

import io.procagent.source.CpuTimes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pure parsers for the /proc files procagent reads. No I/O here: every method takes the file's
 * text, so fixtures (truncated lines, odd spacing, a {@code comm} with spaces and parentheses)
 * test exactly what production runs. Parsing is fail-soft per field: a missing or malformed
 * field is UNKNOWN/NaN, never an exception that loses the whole file.
 */
final class ProcParsers {

  /**
   * Clock ticks per second of /proc times. The kernel fixes USER_HZ at 100 on every
   * architecture Linux exports it for; node_exporter and process-exporter assume the same.
   */
  static final double USER_HZ = 100.0;

  static final long UNKNOWN = -1;

  private ProcParsers() {}

  /** Fields of /proc/PID/stat that procagent uses. */
  record Stat(
      String comm,
      char state,
      long ppid,
      long minflt,
      long majflt,
      long utime,
      long stime,
      long cutime,
      long cstime,
      long threads,
      long startTicks,
      long vsize,
      long rssPages,
      long blkioTicks) {}

  /**
   * Parses /proc/PID/stat bytes without a String per field (a scrape reads the JVM's own stat
   * in code that stays cold). {@code comm} may hold spaces and ')': it ends at the last ')'
   * within the kernel's reach of the '('.
   *
   * @return null when the line has no {@code (comm)} part at all
   */
  static Stat parseStat(byte[] stat, int len) {
    int close = commEnd(stat, len);
    if (close < 0) {
      return null;
    }
    int open = 0;
    while (stat[open] != '(') {
      open++;
    }
    String comm = new String(stat, open + 1, close - open - 1, java.nio.charset.StandardCharsets.UTF_8);
    long[] f = new long[41];
    Arrays.fill(f, UNKNOWN);
    char state = '?';
    int eol = lineEnd(stat, close, len);
    int i = close + 1;
    int field = 3; // field numbers as in proc(5)
    // the byte loops in helpers that run for every field of every parse, and so are compiled
    // early: this method runs once a scrape, and its own loops ran interpreted
    while (i < eol && field <= 42) {
      i = skipBlanks(stat, i, eol);
      int start = i;
      i = fieldEnd(stat, i, eol);
      if (start == i) {
        break;
      }
      if (field == 3) {
        state = (char) stat[start];
      } else {
        f[field - 2] = parseLong(stat, start, i);
      }
      field++;
    }
    return new Stat(
        comm, state, f[4 - 2], f[10 - 2], f[12 - 2], f[14 - 2], f[15 - 2], f[16 - 2], f[17 - 2], f[20 - 2], f[22 - 2],
        f[23 - 2], f[24 - 2], f[42 - 2]);
  }

  /**
   * The parent pid in /proc/PID/stat bytes, without building a String: the scan reads every
   * process's stat, but parses fully only the target's descendants.
   *
   * @return the ppid, or UNKNOWN when the bytes are not a stat line
   */
  static long ppidOf(byte[] stat, int len) {
    return statField(stat, len, 4);
  }

  /**
   * Index of the ')' closing the comm field of stat bytes, or -1. comm may hold ')' and spaces;
   * the kernel caps it (64 bytes even for kernel workers), so its end is the last ')' within
   * that reach of the '(' (not of the line's end: fewer bytes to look at).
   */
  private static int commEnd(byte[] stat, int len) {
    int open = 0;
    while (open < len && stat[open] != '(') {
      open++;
    }
    for (int i = Math.min(len - 1, open + 66); i > open; i--) {
      if (stat[i] == ')') {
        return i;
      }
    }
    return -1;
  }

  /** The decimal number starting at {@code from} in bytes (up to {@code len}), or UNKNOWN. */
  static long longAt(byte[] b, int from, int len) {
    long v = 0;
    int i = from;
    while (i < len && b[i] >= '0' && b[i] <= '9') {
      v = v * 10 + (b[i] - '0');
      i++;
    }
    return i == from ? UNKNOWN : v;
  }

  /** Where {@link #statFields} puts each field it reads. */
  static final int S_STATE = 0;
  static final int S_PPID = 1;
  static final int S_UTIME = 2;
  static final int S_STIME = 3;
  static final int S_THREADS = 4;
  static final int S_START = 5;
  static final int S_RSS = 6;
  static final int S_COMM_FROM = 7;
  static final int S_COMM_TO = 8;
  static final int STAT_FIELDS = 9;

  /**
   * The fields of /proc/PID/stat bytes a descendant needs (state, ppid, utime, stime,
   * num_threads, starttime, rss, and where comm lies), in one pass that stops at rss: the
   * sampler parses every descendant's stat every round, mostly in code not yet compiled, so it
   * reads each byte once and builds nothing. A missing number is UNKNOWN.
   *
   * @return false when the bytes are not a stat line
   */
  static boolean statFields(byte[] stat, int len, long[] out) {
    int close = commEnd(stat, len);
    if (close < 0 || close + 2 >= len) {
      return false;
    }
    int open = 0; // the first '(' (comm may hold more)
    while (stat[open] != '(') {
      open++;
    }
    out[S_COMM_FROM] = open + 1;
    out[S_COMM_TO] = close;
    out[S_STATE] = stat[close + 2];
    out[S_PPID] = out[S_UTIME] = out[S_STIME] = out[S_THREADS] = out[S_START] = out[S_RSS] = UNKNOWN;
    int i = close + 2;
    for (int field = 4; field <= 24; field++) { // field numbers as in proc(5)
      while (i < len && stat[i] != ' ') {
        i++;
      }
      if (++i >= len) {
        break;
      }
      switch (field) {
        case 4 -> out[S_PPID] = longAt(stat, i, len);
        case 14 -> out[S_UTIME] = longAt(stat, i, len);
        case 15 -> out[S_STIME] = longAt(stat, i, len);
        case 20 -> out[S_THREADS] = longAt(stat, i, len);
        case 22 -> out[S_START] = longAt(stat, i, len);
        case 24 -> out[S_RSS] = longAt(stat, i, len);
        default -> { }
      }
    }
    return true;
  }

  private static final byte[] PROCESSES_LINE = ascii("processes ");

  /**
   * The {@code processes} line of /proc/stat bytes (tasks created since boot), or UNKNOWN.
   * Looked for from the end: it comes after the {@code intr} line, tens of KB on a large host.
   */
  static long forksOf(byte[] stat, int len) {
    return lastValueOf(stat, len, PROCESSES_LINE);
  }

  private static final byte[] VOLUNTARY_LINE = ascii("voluntary_ctxt_switches:");
  private static final byte[] NONVOLUNTARY_LINE = ascii("nonvoluntary_ctxt_switches:");

  /** {@code voluntary_ctxt_switches} of /proc/PID/status bytes (one of the last lines), or UNKNOWN. */
  static long voluntarySwitchesOf(byte[] status, int len) {
    return lastValueOf(status, len, VOLUNTARY_LINE);
  }

  /** {@code nonvoluntary_ctxt_switches} of /proc/PID/status bytes, or UNKNOWN. */
  static long nonvoluntarySwitchesOf(byte[] status, int len) {
    return lastValueOf(status, len, NONVOLUNTARY_LINE);
  }

  /**
   * The number after the last line that starts with {@code key}, blanks skipped, or UNKNOWN;
   * looked for from the end, where the keys of a status file sit (a cgroup's cpu.stat has each
   * key once).
   */
  static long lastValueOf(byte[] b, int len, byte[] key) {
    for (int i = len - key.length; i >= 0; i--) {
      if ((i == 0 || b[i - 1] == '\n') && startsWith(b, i, len, key)) {
        int v = i + key.length;
        while (v < len && (b[v] == ' ' || b[v] == '\t')) {
          v++;
        }
        return longAt(b, v, len);
      }
    }
    return UNKNOWN;
  }

  /**
   * The last two fields of /proc/loadavg bytes ({@code 0.00 0.01 0.05 1/123 4567}): the tasks
   * that exist (123) into {@code out[0]} and the last pid handed out (4567) into {@code out[1]}.
   *
   * @return false when they are not there
   */
  static boolean pidCursorOf(byte[] loadavg, int len, long[] out) {
    int slash = 0;
    while (slash < len && loadavg[slash] != '/') {
      slash++;
    }
    long tasks = longAt(loadavg, slash + 1, len);
    int i = slash + 1;
    while (i < len && loadavg[i] != ' ') {
      i++;
    }
    long last = longAt(loadavg, i + 1, len);
    if (slash >= len || tasks < 0 || last < 0) {
      return false;
    }
    out[0] = tasks;
    out[1] = last;
    return true;
  }

  /** utime + stime (fields 14 and 15) of /proc/PID/stat bytes in ticks, or UNKNOWN. */
  static long cpuTicksOf(byte[] stat, int len) {
    int i = fieldStart(stat, len, 14);
    long user = i < 0 ? UNKNOWN : longAt(stat, i, len);
    if (user < 0) {
      return UNKNOWN;
    }
    while (i < len && stat[i] != ' ') {
      i++;
    }
    long system = longAt(stat, i + 1, len);
    return system < 0 ? UNKNOWN : user + system;
  }

  /** Field {@code field} (1-based, {@code > 2}) of /proc/PID/stat bytes as a number, or UNKNOWN. */
  static long statField(byte[] stat, int len, int field) {
    int i = fieldStart(stat, len, field);
    return i < 0 ? UNKNOWN : longAt(stat, i, len);
  }

  private static int fieldStart(byte[] stat, int len, int field) {
    int close = commEnd(stat, len);
    if (close < 0) {
      return -1;
    }
    int i = close + 2; // field 3, the state
    for (int f = 3; f < field; f++) {
      while (i < len && stat[i] != ' ') {
        i++;
      }
      i++;
    }
    return i < len ? i : -1;
  }

  /** Fields of /proc/PID/status that procagent uses. */
  record Status(
      long uid,
      long gid,
      long rssBytes,
      long threads,
      long voluntaryCtxt,
      long nonvoluntaryCtxt,
      int cpusAllowed) {}

  private static final byte[] UID = ascii("Uid:");
  private static final byte[] GID = ascii("Gid:");
  private static final byte[] VMRSS = ascii("VmRSS:");
  private static final byte[] THREADS = ascii("Threads:");
  private static final byte[] CPUS_ALLOWED_LIST = ascii("Cpus_allowed_list:");

  /** The bytes of a key as /proc files hold it. */
  static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /**
   * The fields of /proc/PID/status procagent uses, from the bytes as read (see {@link
   * #parseStat(byte[], int)}); each UNKNOWN (cpusAllowed 0) when missing or not a number.
   */
  static Status parseStatus(byte[] b, int n) {
    long uid = UNKNOWN;
    long gid = UNKNOWN;
    long rss = UNKNOWN;
    long threads = UNKNOWN;
    long vol = UNKNOWN;
    long nonvol = UNKNOWN;
    int cpus = 0;
    int i = 0;
    while (i < n) {
      int eol = lineEnd(b, i, n);
      switch (b[i]) { // one comparison per line for the ~55 lines this does not want
        case 'U' -> uid = valueAfter(b, i, eol, UID, uid);
        case 'G' -> gid = valueAfter(b, i, eol, GID, gid);
        case 'V' -> {
          long kb = valueAfter(b, i, eol, VMRSS, UNKNOWN);
          rss = kb >= 0 ? kb * 1024 : rss;
        }
        case 'T' -> threads = valueAfter(b, i, eol, THREADS, threads);
        case 'v' -> vol = valueAfter(b, i, eol, VOLUNTARY_LINE, vol);
        case 'n' -> nonvol = valueAfter(b, i, eol, NONVOLUNTARY_LINE, nonvol);
        case 'C' -> {
          if (startsWith(b, i, eol, CPUS_ALLOWED_LIST)) {
            int v = i + CPUS_ALLOWED_LIST.length;
            cpus = countCpuList(new String(b, v, eol - v, java.nio.charset.StandardCharsets.US_ASCII).trim());
          }
        }
        default -> { }
      }
      i = eol + 1;
    }
    return new Status(uid, gid, rss, threads, vol, nonvol, cpus);
  }

  /** The first number after {@code key} when the line b[from, eol) starts with it, else {@code otherwise}. */
  private static long valueAfter(byte[] b, int from, int eol, byte[] key, long otherwise) {
    return startsWith(b, from, eol, key) ? firstLong(b, from + key.length, eol) : otherwise;
  }

  /** The index of the '\n' ending the line that starts at {@code i}, or {@code n}. */
  private static int lineEnd(byte[] b, int i, int n) {
    while (i < n && b[i] != '\n') {
      i++;
    }
    return i;
  }

  /**
   * Whether b[from, to) starts with {@code prefix}. A plain loop rather than {@code
   * Arrays.equals}: its range checks and vectorized mismatch, inlined at each caller, made
   * parseStatus a 22 KB, 60 ms C2 compile (three of them in a minute of scrapes, JFR).
   */
  private static boolean startsWith(byte[] b, int from, int to, byte[] prefix) {
    if (to - from < prefix.length) {
      return false;
    }
    for (int k = 0; k < prefix.length; k++) {
      if (b[from + k] != prefix[k]) {
        return false;
      }
    }
    return true;
  }

  /** The first blank-separated field in b[from, to) as a long; UNKNOWN if none or not all digits. */
  private static long firstLong(byte[] b, int from, int to) {
    int start = skipBlanks(b, from, to);
    int end = fieldEnd(b, start, to);
    return start == end ? UNKNOWN : parseLong(b, start, end);
  }

  /** The first index at or after {@code i} in b[i, to) that is not a blank (space or tab). */
  private static int skipBlanks(byte[] b, int i, int to) {
    while (i < to && (b[i] == ' ' || b[i] == '\t')) {
      i++;
    }
    return i;
  }

  /** The end of the field starting at {@code i}: the next blank, or {@code to}. */
  private static int fieldEnd(byte[] b, int i, int to) {
    while (i < to && b[i] != ' ' && b[i] != '\t') {
      i++;
    }
    return i;
  }

  /** {@link #parseLong(CharSequence, int, int)} over bytes. */
  static long parseLong(byte[] b, int start, int end) {
    if (start >= end || b[start] == '-' || end - start > 19) {
      return UNKNOWN;
    }
    long v = 0;
    for (int i = start; i < end; i++) {
      byte c = b[i];
      if (c < '0' || c > '9') {
        return UNKNOWN;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** Counts a kernel CPU list such as {@code 0-3,8,10-11}; 0 when malformed. */
  static int countCpuList(String list) {
    if (list.isEmpty()) {
      return 0;
    }
    int count = 0;
    for (String part : list.split(",")) {
      int dash = part.indexOf('-');
      try {
        if (dash < 0) {
          Integer.parseInt(part.trim());
          count++;
        } else {
          int lo = Integer.parseInt(part.substring(0, dash).trim());
          int hi = Integer.parseInt(part.substring(dash + 1).trim());
          if (hi < lo) {
            return 0;
          }
          count += hi - lo + 1;
        }
      } catch (NumberFormatException e) {
        return 0;
      }
    }
    return count;
  }

  /** Soft limits from /proc/PID/limits; {@code +Inf} for "unlimited", NaN when absent. */
  record Limits(double maxOpenFiles, double maxAddressSpace) {}

  static Limits parseLimits(String text) {
    double files = Double.NaN;
    double as = Double.NaN;
    for (String line : text.split("\n")) {
      if (line.startsWith("Max open files")) {
        files = softLimit(line, "Max open files".length());
      } else if (line.startsWith("Max address space")) {
        as = softLimit(line, "Max address space".length());
      }
    }
    return new Limits(files, as);
  }

  private static double softLimit(String line, int from) {
    int i = from;
    int n = line.length();
    while (i < n && line.charAt(i) == ' ') {
      i++;
    }
    int start = i;
    while (i < n && line.charAt(i) != ' ') {
      i++;
    }
    String v = line.substring(start, i);
    if (v.equals("unlimited")) {
      return Double.POSITIVE_INFINITY;
    }
    long l = parseLong(line, start, i);
    return l < 0 ? Double.NaN : l;
  }

  /**
   * Host-wide counters of /proc/stat: its {@code intr} and {@code softirq} lines' totals, and the
   * threads runnable ({@code procs_running}) and blocked on I/O ({@code procs_blocked}) now.
   */
  record HostStat(
      List<CpuTimes> cpus, long ctxt, long btime, long processes, long intr, long softirq, long procsRunning, long procsBlocked) {}

  /** {@link #parseProcStat(byte[], int)} of a String (tests, one-off reads). */
  static HostStat parseProcStat(String text) {
    byte[] b = text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    return parseProcStat(b, b.length);
  }

  /** The /proc/stat lines of one counter each, in HostStat's order after cpus: each one's first number. */
  private static final byte[][] COUNTER_LINES = {
    ascii("ctxt "), ascii("btime "), PROCESSES_LINE, ascii("intr "), ascii("softirq "), ascii("procs_running "),
    ascii("procs_blocked ")
  };

  /**
   * /proc/stat in one pass over its bytes: each {@code cpuN} line (the aggregate {@code cpu}
   * line is skipped; a line without user, system and idle too), ctxt, btime, processes, the
   * totals of intr and softirq (their first number: the per-source counts after it are not read)
   * and procs_running and procs_blocked. The
   * sampler reads it every round and an uncached scrape once, mostly in cold code: no String
   * of the file, no regex.
   */
  static HostStat parseProcStat(byte[] b, int len) {
    List<CpuTimes> cpus = new ArrayList<>(16); // not availableProcessors: a cgroup read each time
    long[] counters = new long[COUNTER_LINES.length];
    Arrays.fill(counters, UNKNOWN);
    int i = 0;
    while (i < len) {
      int eol = lineEnd(b, i, len);
      if (eol - i > 3 && b[i] == 'c' && b[i + 1] == 'p' && b[i + 2] == 'u' && b[i + 3] != ' ') {
        int sp = i + 3;
        while (sp < eol && b[sp] != ' ') {
          sp++;
        }
        double[] v = new double[10]; // the eight modes, then guest and guest_nice (in user and nice)
        int at = sp;
        for (int k = 0; k < 10; k++) {
          int start = skipBlanks(b, at, eol);
          at = fieldEnd(b, start, eol);
          long ticks = start == at ? UNKNOWN : parseLong(b, start, at);
          v[k] = ticks < 0 ? Double.NaN : ticks / USER_HZ;
        }
        if (sp < eol && !Double.isNaN(v[0]) && !Double.isNaN(v[2]) && !Double.isNaN(v[3])) {
          cpus.add(CpuTimes.of(cpuName(b, i + 3, sp), v));
        }
      } else {
        for (int k = 0; k < COUNTER_LINES.length; k++) {
          byte[] key = COUNTER_LINES[k];
          if (startsWith(b, i, eol, key)) {
            counters[k] = firstLong(b, i + key.length, eol);
            break;
          }
        }
      }
      i = eol + 1;
    }
    return new HostStat(cpus, counters[0], counters[1], counters[2], counters[3], counters[4], counters[5], counters[6]);
  }

  /** "0", "1", ...: the same String every read for the CPUs a host has. */
  private static final String[] CPU_NAMES = new String[1024];

  private static String cpuName(byte[] b, int from, int to) {
    long n = parseLong(b, from, to);
    if (n >= 0 && n < CPU_NAMES.length) {
      String name = CPU_NAMES[(int) n];
      if (name == null || name.length() != to - from) { // "01" is not "1"
        name = new String(b, from, to - from, java.nio.charset.StandardCharsets.ISO_8859_1);
        CPU_NAMES[(int) n] = name; // a race stores an equal String
      }
      return name;
    }
    return new String(b, from, to - from, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /**
   * Physical cores in /proc/cpuinfo: distinct ({@code physical id}, {@code core id}) pairs; 0
   * when the kernel does not say (some ARM and virtual machines).
   */
  static int countPhysicalCores(String cpuinfo) {
    java.util.Set<String> cores = new java.util.HashSet<>();
    String physical = "0";
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (key.equals("processor")) {
        physical = "0";
      } else if (key.equals("physical id")) {
        physical = value;
      } else if (key.equals("core id")) {
        cores.add(physical + "/" + value);
      }
    }
    return cores.size();
  }

  /** {@link #parseLoadavg(byte[], int)} of a String. */
  static double[] parseLoadavg(String text) {
    byte[] b = text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    return parseLoadavg(b, b.length);
  }

  /** The 1, 5 and 15 minute load averages of /proc/loadavg; NaN for any that is missing or malformed. */
  static double[] parseLoadavg(byte[] b, int len) {
    double[] out = {Double.NaN, Double.NaN, Double.NaN};
    int i = 0;
    for (int k = 0; k < 3; k++) {
      while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n')) {
        i++;
      }
      int start = i;
      while (i < len && b[i] != ' ' && b[i] != '\t' && b[i] != '\n') {
        i++;
      }
      out[k] = decimal(b, start, i);
    }
    return out;
  }

  /**
   * "12.34" as a double, the same as {@link Double#parseDouble}: digits over a power of ten,
   * both exact, and one correctly rounded division. NaN unless digits with at most one point.
   */
  static double decimal(byte[] b, int from, int to) {
    long digits = 0;
    int count = 0;
    int fraction = -1;
    for (int i = from; i < to; i++) {
      if (b[i] == '.' && fraction < 0) {
        fraction = 0;
        continue;
      }
      if (b[i] < '0' || b[i] > '9' || ++count > 15) {
        return Double.NaN;
      }
      digits = digits * 10 + (b[i] - '0');
      if (fraction >= 0) {
        fraction++;
      }
    }
    if (count == 0) {
      return Double.NaN;
    }
    return fraction <= 0 ? digits : digits / POWERS_OF_TEN[fraction];
  }

  private static final double[] POWERS_OF_TEN = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

  /** First non-negative integer in text[from, to), or UNKNOWN. */
  static long firstLong(String text, int from, int to) {
    long[] out = new long[1];
    nextLong(text, from, to, out);
    return out[0];
  }

  /** Parses the next whitespace-separated integer at or after {@code from}; UNKNOWN if none. */
  private static int nextLong(String text, int from, int to, long[] out) {
    int i = from;
    while (i < to && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
      i++;
    }
    int start = i;
    while (i < to && text.charAt(i) != ' ' && text.charAt(i) != '\t') {
      i++;
    }
    out[0] = start == i ? UNKNOWN : parseLong(text, start, i);
    return i;
  }

  /** Decimal digits in text[start, end) as a long; UNKNOWN when not all digits or empty. */
  static long parseLong(CharSequence text, int start, int end) {
    if (start >= end) {
      return UNKNOWN;
    }
    boolean negative = text.charAt(start) == '-';
    int i = negative ? start + 1 : start;
    if (i >= end || end - i > 19) {
      return UNKNOWN;
    }
    long v = 0;
    for (; i < end; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return UNKNOWN;
      }
      v = v * 10 + (c - '0');
    }
    return negative ? UNKNOWN : v;
  }
}
