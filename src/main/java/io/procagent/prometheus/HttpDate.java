package io.procagent.prometheus;

import java.nio.charset.StandardCharsets;

/**
 * The {@code Date} header line of the plain server's responses (RFC 9110's IMF-fixdate, such as
 * {@code Sun, 06 Nov 1994 08:49:37 GMT}), made at most once a second. Written out by hand: the
 * JDK server formats every response's date with {@code java.time}, which was a tenth of a cold
 * scrape's CPU, and loading {@code java.time}'s formatter puts some fifty classes into the host.
 */
final class HttpDate {

  private static final String[] DAYS = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

  private long second = Long.MIN_VALUE;
  private byte[] line;

  /** {@code Date: ...\r\n} for the current second; one thread only. */
  byte[] line(long epochMillis) {
    long s = Math.floorDiv(epochMillis, 1000);
    if (s != second) {
      line = ("Date: " + format(s) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      second = s;
    }
    return line;
  }

  /** An IMF-fixdate, UTC (civil date from days after Howard Hinnant's algorithm). */
  static String format(long epochSecond) {
    long days = Math.floorDiv(epochSecond, 86_400);
    int secs = Math.floorMod(epochSecond, 86_400);
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int day = (int) (doy - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    StringBuilder sb = new StringBuilder(29).append(DAYS[Math.floorMod(days, 7)]).append(", ");
    two(sb, day).append(' ').append(MONTHS[month - 1]).append(' ').append(year).append(' ');
    two(sb, secs / 3600).append(':');
    two(sb, secs / 60 % 60).append(':');
    return two(sb, secs % 60).append(" GMT").toString();
  }

  private static StringBuilder two(StringBuilder sb, int n) {
    return sb.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
  }
}
