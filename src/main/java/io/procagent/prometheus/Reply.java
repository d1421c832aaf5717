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

  byte[] head() {
    byte[] h = head;
    if (h == null) {
      StringBuilder sb = new StringBuilder(160).append("HTTP/1.1 ").append(status).append(' ').append(reason(status));
      for (Map.Entry<String, String> e : headers) {
        sb.append("\r\n").append(e.getKey()).append(": ").append(e.getValue());
      }
      sb.append("\r\nContent-Length: ").append(body.length).append("\r\n");
      h = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
      head = h;
    }
    return h;
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
