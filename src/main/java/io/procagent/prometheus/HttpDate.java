package io.procagent.prometheus;

import io.procagent.log.Log;
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

  /** An IMF-fixdate, UTC. */
  static String format(long epochSecond) {
    long days = Math.floorDiv(epochSecond, 86_400);
    int secs = Math.floorMod(epochSecond, 86_400);
    long[] date = Log.civilDate(days);
    StringBuilder sb = new StringBuilder(29).append(DAYS[Math.floorMod(days, 7)]).append(", ");
    two(sb, (int) date[2]).append(' ').append(MONTHS[(int) date[1] - 1]).append(' ').append(date[0]).append(' ');
    two(sb, secs / 3600).append(':');
    two(sb, secs / 60 % 60).append(':');
    return two(sb, secs % 60).append(" GMT").toString();
  }

  private static StringBuilder two(StringBuilder sb, int n) {
    return sb.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
  }
}
