package io.procagent.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplyTest {

  @Test
  void headIsTheStatusLineTheHeadersAndTheContentLength() {
    Reply ok = new Reply(200, List.of(Map.entry("Content-Type", "text/plain; version=0.0.4; charset=utf-8"),
        Map.entry("Content-Encoding", "gzip")), new byte[12_345]);
    assertThat(new String(ok.head(), StandardCharsets.ISO_8859_1)).isEqualTo(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Encoding: gzip\r\n"
            + "Content-Length: 12345\r\n");
    assertThat(ok.head()).isSameAs(ok.head()); // built once
    Reply method = Reply.text(405, "no\n", "Allow", "GET, HEAD");
    assertThat(new String(method.head(), StandardCharsets.ISO_8859_1)).isEqualTo(
        "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\nAllow: GET, HEAD\r\n"
            + "Content-Length: 3\r\n");
    Reply odd = new Reply(299, List.of(Map.entry("X-Name", "caf\u00e9 \u20ac")), new byte[0]);
    assertThat(odd.head()).isEqualTo(
        "HTTP/1.1 299 Status 299\r\nX-Name: caf\u00e9 ?\r\nContent-Length: 0\r\n".getBytes(StandardCharsets.ISO_8859_1));
  }
}
