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

  private static final byte[] PREFIX = "Date: ".getBytes(StandardCharsets.US_ASCII);
  /** {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
  private static final int LENGTH = 29;

  private long second = Long.MIN_VALUE;
  private byte[] line;

  /**
   * {@code Date: ...\r\n} for the current second; one thread only. A new array each second
   * (the last one may still be in a reply being written), written byte by byte: with a scrape a
   * second, a string concatenation's method handles and a StringBuilder ran, interpreted, at
   * every scrape.
   */
  byte[] line(long epochMillis) {
    long s = Math.floorDiv(epochMillis, 1000);
    if (s != second) {
      byte[] b = new byte[PREFIX.length + LENGTH + 2];
      System.arraycopy(PREFIX, 0, b, 0, PREFIX.length);
      write(s, b, PREFIX.length);
      b[b.length - 2] = '\r';
      b[b.length - 1] = '\n';
      line = b;
      second = s;
    }
    return line;
  }

  /** An IMF-fixdate, UTC. */
  static String format(long epochSecond) {
    byte[] b = new byte[LENGTH];
    write(epochSecond, b, 0);
    return new String(b, StandardCharsets.US_ASCII);
  }

  /** The IMF-fixdate of {@code epochSecond} into {@code b} from {@code at} ({@link #LENGTH} bytes; years 0 to 9999). */
  private static void write(long epochSecond, byte[] b, int at) {
    long days = Math.floorDiv(epochSecond, 86_400);
    int secs = Math.floorMod(epochSecond, 86_400);
    long[] date = Log.civilDate(days);
    at = Reply.latin1(DAYS[Math.floorMod(days, 7)], b, at);
    b[at++] = ',';
    b[at++] = ' ';
    at = two(b, at, (int) date[2]);
    b[at++] = ' ';
    at = Reply.latin1(MONTHS[(int) date[1] - 1], b, at);
    b[at++] = ' ';
    int year = (int) Math.max(0, Math.min(9999, date[0]));
    at = two(b, at, year / 100);
    at = two(b, at, year % 100);
    b[at++] = ' ';
    at = two(b, at, secs / 3600);
    b[at++] = ':';
    at = two(b, at, secs / 60 % 60);
    b[at++] = ':';
    at = two(b, at, secs % 60);
    Reply.latin1(" GMT", b, at);
  }

  private static int two(byte[] b, int at, int n) {
    b[at] = (byte) ('0' + n / 10);
    b[at + 1] = (byte) ('0' + n % 10);
    return at + 2;
  }
}
