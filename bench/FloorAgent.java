import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * An experiment, not procagent: the cheapest endpoints that answer every request with the same
 * bytes (a 16 KB body, the size of procagent's text reply), to set procagent's HTTP loop beside
 * at one scrape a second. Agent arguments as procagent's, {@code HOST:PORT:MODE}: a MODE ending
 * in {@code block} serves each connection on a thread of its own with blocking reads; anything
 * else, one NIO selector thread. Its threads are named {@code floor-http} (the listener, or the
 * selector) and {@code floor-conn}. The bench's {@code -Dconfig=} passes MODE:
 *
 * <pre>
 * mkdir -p target/floor && javac -d target/floor bench/FloorAgent.java
 * printf 'Premain-Class: FloorAgent\n' > target/floor/manifest.txt
 * jar cfm target/floor-agent.jar target/floor/manifest.txt -C target/floor .
 * java -Dconfig=block bench/Compare.java threads target/floor-agent.jar 19650 65 30
 * java -Dconfig=nio bench/Compare.java threads target/floor-agent.jar 19650 65 30
 * </pre>
 */
public class FloorAgent {
  /** The status line, headers and body, the same for every request. */
  static byte[] reply;

  public static void premain(String args, java.lang.instrument.Instrumentation i) throws Exception {
    String[] a = args.split(":");
    int port = Integer.parseInt(a[1]);
    String mode = a.length > 2 && a[2].endsWith("block") ? "block" : "nio";
    StringBuilder text = new StringBuilder();
    for (int n = 0; text.length() < 16_436; n++) {
      text.append("floor_metric{n=\"").append(n).append("\"} ").append(n * 7).append('\n');
    }
    byte[] body = text.toString().getBytes(StandardCharsets.US_ASCII);
    byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: "
        + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    reply = new byte[head.length + body.length];
    System.arraycopy(head, 0, reply, 0, head.length);
    System.arraycopy(body, 0, reply, head.length, body.length);
    Thread t = new Thread(() -> {
      try {
        if (mode.equals("block")) block(port); else nio(port);
      } catch (Exception e) { e.printStackTrace(); }
    }, "floor-http");
    t.setDaemon(true);
    t.start();
  }

  static void block(int port) throws IOException {
    ServerSocket ss = new ServerSocket();
    ss.bind(new InetSocketAddress("127.0.0.1", port));
    while (true) {
      Socket s = ss.accept();
      Thread c = new Thread(() -> serve(s), "floor-conn");
      c.setDaemon(true);
      c.start();
    }
  }

  static void serve(Socket s) {
    try (s) {
      s.setTcpNoDelay(true);
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      byte[] buf = new byte[16384];
      int have = 0;
      while (true) {
        if (have == buf.length) {
          return; // no head in 16 KB: not the bench's scraper
        }
        int n = in.read(buf, have, buf.length - have);
        if (n < 0) return;
        have += n;
        int end = headEnd(buf, have);
        if (end >= 0) {
          out.write(reply);
          System.arraycopy(buf, end, buf, 0, have - end);
          have -= end;
        }
      }
    } catch (IOException e) {
      // closed
    }
  }

  static int headEnd(byte[] b, int len) {
    for (int i = 3; i < len; i++) {
      if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') return i + 1;
    }
    return -1;
  }

  static void nio(int port) throws IOException {
    Selector sel = Selector.open();
    ServerSocketChannel ss = ServerSocketChannel.open();
    ss.bind(new InetSocketAddress("127.0.0.1", port));
    ss.configureBlocking(false);
    ss.register(sel, SelectionKey.OP_ACCEPT);
    ByteBuffer wire = ByteBuffer.allocateDirect(64 * 1024);
    byte[] buf = new byte[16384];
    while (true) {
      sel.select();
      Iterator<SelectionKey> it = sel.selectedKeys().iterator();
      while (it.hasNext()) {
        SelectionKey k = it.next();
        it.remove();
        if (k.isAcceptable()) {
          SocketChannel c = ss.accept();
          if (c != null) {
            c.configureBlocking(false);
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.register(sel, SelectionKey.OP_READ);
          }
        } else if (k.isReadable()) {
          SocketChannel c = (SocketChannel) k.channel();
          wire.clear().limit(buf.length); // a request is taken whole from one read: the bench's scraper
          int n = c.read(wire);
          if (n < 0) { k.cancel(); c.close(); continue; }
          wire.flip();
          wire.get(buf, 0, n);
          if (headEnd(buf, n) >= 0) {
            wire.clear();
            wire.put(reply).flip();
            while (wire.hasRemaining()) c.write(wire); // loopback: fits the send buffer
          }
        }
      }
    }
  }
}
