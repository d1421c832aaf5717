package io.procagent.log;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * procagent's own stderr logger: one line per event, prefixed {@code procagent}, so that nothing
 * we do touches the host's JUL, Log4j or SLF4J configuration.
 *
 * <p>The level comes from {@code -Dprocagent.log.level} or {@code PROCAGENT_LOG_LEVEL}
 * (ERROR, WARN, INFO, DEBUG); the default is INFO, which in agent mode means one line at start
 * naming the bound address, and then only problems.
 */
public final class Log {

  /** Severity, most severe first. */
  public enum Level {
    ERROR,
    WARN,
    INFO,
    DEBUG
  }

  private static volatile Level threshold = initialLevel();
  private static volatile PrintStream out = System.err;
  private static final Set<String> warnedOnce = ConcurrentHashMap.newKeySet();

  private final String name;

  private Log(String name) {
    this.name = name;
  }

  public static Log get(Class<?> type) {
    return new Log(type.getSimpleName());
  }

  static Level initialLevel() {
    String v = System.getProperty("procagent.log.level");
    if (v == null) {
      v = System.getenv("PROCAGENT_LOG_LEVEL");
    }
    return parseLevel(v, Level.INFO);
  }

  static Level parseLevel(String v, Level fallback) {
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Level.valueOf(v.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return fallback;
    }
  }

  public static void setLevel(Level level) {
    threshold = level;
  }

  /** For tests and the CLI: redirect output. */
  public static void setOut(PrintStream stream) {
    out = stream;
  }

  public boolean enabled(Level level) {
    return level.ordinal() <= threshold.ordinal();
  }

  public void error(String msg) {
    log(Level.ERROR, msg, null);
  }

  public void warn(String msg) {
    log(Level.WARN, msg, null);
  }

  public void info(String msg) {
    log(Level.INFO, msg, null);
  }

  public void debug(String msg) {
    log(Level.DEBUG, msg, null);
  }

  public void debug(String msg, Throwable t) {
    log(Level.DEBUG, msg, t);
  }

  /**
   * Logs {@code msg} at WARN the first time {@code key} is seen and at DEBUG afterwards, so a
   * failing source every few seconds cannot flood the host's stderr.
   */
  public void warnOnce(String key, String msg) {
    log(warnedOnce.add(name + "/" + key) ? Level.WARN : Level.DEBUG, msg, null);
  }

  private void log(Level level, String msg, Throwable t) {
    if (!enabled(level)) {
      return;
    }
    try {
      StringBuilder sb = new StringBuilder(96);
      timestamp(sb, System.currentTimeMillis());
      sb.append(" procagent ").append(level).append(' ').append(msg);
      if (t != null) {
        sb.append(": ").append(t);
      }
      out.println(sb);
      if (t != null && threshold == Level.DEBUG) {
        t.printStackTrace(out);
      }
    } catch (RuntimeException ignored) {
      // a closed stderr must not break the agent
    }
  }

  /**
   * {@code 2026-11-22T07:13:08.123Z}: ISO 8601 in UTC, written by hand because {@code
   * java.time}'s formatter loads some fifty classes into the host for one log line.
   */
  static void timestamp(StringBuilder sb, long millis) {
    long days = Math.floorDiv(millis, 86_400_000L);
    long ms = Math.floorMod(millis, 86_400_000L);
    long[] date = civilDate(days);
    sb.append(date[0]).append('-');
    two(sb, date[1]).append('-');
    two(sb, date[2]).append('T');
    two(sb, ms / 3_600_000).append(':');
    two(sb, ms / 60_000 % 60).append(':');
    two(sb, ms / 1000 % 60).append('.');
    long frac = ms % 1000;
    sb.append(frac < 100 ? (frac < 10 ? "00" : "0") : "").append(frac).append('Z');
  }

  /**
   * Year, month (1-12) and day of month of a day counted from 1970-01-01 (proleptic Gregorian,
   * Howard Hinnant's algorithm); also used for the HTTP endpoint's Date header.
   */
  public static long[] civilDate(long days) {
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long day = doy - (153 * mp + 2) / 5 + 1;
    long month = mp < 10 ? mp + 3 : mp - 9;
    return new long[] {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
  }

  private static StringBuilder two(StringBuilder sb, long v) {
    return sb.append(v < 10 ? "0" : "").append(v);
  }
}
