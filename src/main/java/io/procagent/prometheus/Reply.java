package io.procagent.prometheus;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A complete response, as either server sends it: status, headers (never Content-Length, Date
 * or Connection, which the server adds) and body. A kept scrape response is one of these, sent
 * again as it is; the plain server writes its {@link #head()} bytes, built once per reply.
 */
final class Reply {

  final int status;
  final List<Map.Entry<String, String>> headers;
  final byte[] body;
  /** When it was made ({@link System#nanoTime()}). */
  final long at;
  /** Status line, headers and Content-Length, without the blank line; built on first use. */
  private volatile byte[] head;

  Reply(int status, List<Map.Entry<String, String>> headers, byte[] body) {
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.at = System.nanoTime();
  }

  /** A short plain-text reply (errors, health). */
  static Reply text(int status, String text, String... headers) {
    List<Map.Entry<String, String>> all = new ArrayList<>(1 + headers.length / 2);
    all.add(Map.entry("Content-Type", "text/plain; charset=utf-8"));
    for (int i = 0; i < headers.length; i += 2) {
      all.add(Map.entry(headers[i], headers[i + 1]));
    }
    return new Reply(status, List.copyOf(all), text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The head's bytes (Latin-1), written out without a StringBuilder: a scrape makes a new reply,
   * and this ran interpreted at every scrape a second.
   */
  byte[] head() {
    byte[] h = head;
    if (h == null) {
      String reason = reason(status);
      String length = Integer.toString(body.length);
      int n = STATUS_LINE.length() + 4 + reason.length() + CONTENT_LENGTH.length() + length.length() + 2;
      for (int i = 0; i < headers.size(); i++) {
        Map.Entry<String, String> e = headers.get(i);
        n += 4 + e.getKey().length() + e.getValue().length();
      }
      h = new byte[n];
      int at = latin1(STATUS_LINE, h, 0);
      h[at++] = (byte) ('0' + status / 100 % 10);
      h[at++] = (byte) ('0' + status / 10 % 10);
      h[at++] = (byte) ('0' + status % 10);
      h[at++] = ' ';
      at = latin1(reason, h, at);
      for (int i = 0; i < headers.size(); i++) {
        Map.Entry<String, String> e = headers.get(i);
        h[at++] = '\r';
        h[at++] = '\n';
        at = latin1(e.getKey(), h, at);
        h[at++] = ':';
        h[at++] = ' ';
        at = latin1(e.getValue(), h, at);
      }
      at = latin1(CONTENT_LENGTH, h, at);
      at = latin1(length, h, at);
      h[at++] = '\r';
      h[at] = '\n';
      head = h;
    }
    return h;
  }

  private static final String STATUS_LINE = "HTTP/1.1 ";
  private static final String CONTENT_LENGTH = "\r\nContent-Length: ";

  /** {@code s} as Latin-1 into {@code b} from {@code at}, {@code ?} for a char Latin-1 lacks. */
  static int latin1(String s, byte[] b, int at) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b[at++] = c < 256 ? (byte) c : (byte) '?';
    }
    return at;
  }

  static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 431 -> "Request Header Fields Too Large";
      case 500 -> "Internal Server Error";
      case 505 -> "HTTP Version Not Supported";
      default -> "Status " + status;
    };
  }
}
