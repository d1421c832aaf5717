package io.procagent.prometheus;

import io.procagent.log.Log;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The endpoint over plain HTTP/1.1: one daemon thread ({@code procagent-http}) and one selector
 * for the listener and every connection; nothing blocks it but the work of a scrape itself.
 *
 * <p>Why not the JDK's server, which the TLS endpoint still uses: per request it allocated about
 * 20 KB even for a kept response (which grows the host's young generation), formatted a {@code
 * Date} with {@code java.time}, took the connection out of its selector and put it back, and woke
 * every second with nothing to do; and its reading of a request has no deadline of its own, so
 * procagent had to run it on a pool of its own with a timer thread to cut slow clients off. Here:
 *
 * <ul>
 *   <li>a slow or stalled client holds no thread: a request (reading it, waiting for the CPU
 *       budget, writing the answer) has {@code http.request_timeout} from its first byte, after
 *       which the connection is closed and counted; an idle keep-alive connection is closed after
 *       {@link #IDLE_SECONDS}s;
 *   <li>connections are served in turn, one request each per round, so a greedy or pipelining
 *       client cannot starve another; at most {@link #MAX_CONNECTIONS} connections,
 *       {@link #PER_CLIENT} from one address;
 *   <li>a request head is at most {@link #MAX_HEAD} bytes and {@link #MAX_HEADERS} lines (431
 *       beyond); a request line that is not HTTP/1.x is a 400 (505 for another version); a
 *       request carrying a body is answered and its connection closed, never read on;
 *   <li>GET and HEAD only (405 otherwise); {@code /metrics}, {@code /-/healthy}, {@code /}, 404
 *       for any other path; basic authentication as configured;
 *   <li>TCP_NODELAY on every connection, so no response waits for a delayed ACK;
 *   <li>a scrape that must collect runs on another thread ({@code procagent-http-scrape}, started
 *       on demand), so that a slow collection (a /proc read stuck in the kernel) never holds the
 *       other connections, health checks and kept responses; its reply comes back to this thread;
 *   <li>the thread sleeps in the selector until a connection or a deadline needs it.
 * </ul>
 */
final class PlainServer {

  static final int MAX_CONNECTIONS = 256;
  static final int PER_CLIENT = 32;
  static final int MAX_HEAD = 16 * 1024;
  static final int MAX_HEADERS = 100;
  static final int IDLE_SECONDS = 120;
  private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(IDLE_SECONDS);
  private static final long ACCEPT_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);
  private static final Log LOG = Log.get(PlainServer.class);

  private static final byte[] END = "\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END_CLOSE = "Connection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END_KEEP = "Connection: keep-alive\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NONE = new byte[0];
  private static final Reply HEALTHY = Reply.text(200, "Exporter is healthy.\n");
  private static final Reply LANDING = landing();
  private static final Reply NOT_FOUND = Reply.text(404, "procagent: not found; the metrics are at /metrics\n");
  private static final Reply METHOD = Reply.text(405, "procagent: only GET and HEAD are served\n", "Allow", "GET, HEAD");
  private static final Reply UNAUTHORIZED = Reply.text(401, "procagent: credentials required\n", "WWW-Authenticate", BasicAuth.CHALLENGE);
  private static final Reply BAD = Reply.text(400, "procagent: not an HTTP/1.x request\n");
  private static final Reply TOO_LARGE = Reply.text(431, "procagent: request head over " + MAX_HEAD + " bytes or " + MAX_HEADERS + " lines\n");
  private static final Reply VERSION = Reply.text(505, "procagent: HTTP/1.0 and HTTP/1.1 only\n");

  private final ServerSocketChannel listener;
  private final Selector selector;
  private final SelectionKey acceptKey;
  private final InetSocketAddress bound;
  private final ScrapeHandler scrape;
  private final ScrapePolicy policy;
  private final BasicAuth auth;
  private final boolean healthyOpen;
  private final long timeoutNanos;
  private final Thread thread;
  private final HttpDate date = new HttpDate();
  /**
   * The loop thread's one direct buffer, through which every request is read and every reply
   * that fits is written. Given a heap buffer, the JDK copies through a temporary direct buffer
   * of its own, taken from and given back to a per-thread cache, once for each of a reply's four
   * buffers (the head, the date, the blank line, the body), around a gathering write: code a
   * scrape a second ran interpreted, and the JIT was still compiling a minute in. A reply larger
   * than this is written from its own buffers, as the JDK would.
   */
  private final ByteBuffer wire = ByteBuffer.allocateDirect(WIRE_BYTES);
  /** The size of {@link #wire}: a scrape of procagent's own metrics, uncompressed, with room. */
  static final int WIRE_BYTES = 32 * 1024;
  /** Every open connection, each knowing its index (removal swaps in the last). Loop thread only. */
  private final List<Conn> conns = new ArrayList<>();
  /** Scrapes that must collect; one at a time, on a thread that ends after a minute idle. */
  private final Worker collector;
  /** Replies collected on that thread, for their connections (guarded by itself). */
  private final ArrayDeque<Object[]> collected = new ArrayDeque<>();
  private final Map<InetAddress, int[]> perClient = new HashMap<>();
  /** When accepting resumes after a failed accept; 0 while accepting. */
  private long acceptPausedUntil;
  private volatile boolean acceptFailed;
  private volatile Runnable onAcceptFailure = () -> {};
  private volatile boolean closed;

  private PlainServer(
      ServerSocketChannel listener, Selector selector, ScrapeHandler scrape, BasicAuth auth, boolean healthyOpen)
      throws IOException {
    this.listener = listener;
    this.selector = selector;
    this.acceptKey = listener.register(selector, SelectionKey.OP_ACCEPT);
    this.bound = (InetSocketAddress) listener.getLocalAddress();
    this.scrape = scrape;
    this.policy = scrape.policy();
    this.auth = auth;
    this.healthyOpen = healthyOpen;
    this.timeoutNanos = policy.limits().requestTimeout().toNanos();
    this.collector = new Worker("procagent-http-scrape", 60_000);
    this.thread = Worker.daemon("procagent-http", this::run);
  }

  /**
   * Binds and starts serving.
   *
   * @param auth credentials to require, or null
   * @param healthyOpen whether {@code /-/healthy} is served without credentials
   */
  static PlainServer start(InetSocketAddress address, ScrapeHandler scrape, BasicAuth auth, boolean healthyOpen)
      throws IOException {
    ServerSocketChannel listener = ServerSocketChannel.open();
    Selector selector = null;
    try {
      listener.bind(address, MetricsServer.BACKLOG);
      listener.configureBlocking(false);
      selector = Selector.open();
      PlainServer server = new PlainServer(listener, selector, scrape, auth, healthyOpen);
      server.thread.start();
      return server;
    } catch (IOException | RuntimeException e) {
      listener.close();
      if (selector != null) {
        selector.close();
      }
      throw e;
    }
  }

  int port() {
    return bound.getPort();
  }

  /**
   * Runs {@code r} on the server's thread when an accept fails after none had (a destroyed
   * listener shows so), so that the owner checks {@link #listening} then instead of polling.
   */
  void onAcceptFailure(Runnable r) {
    onAcceptFailure = r;
  }

  /**
   * Whether the listener still takes connections. A listening socket destroyed from outside
   * (for example by {@code ss -K}) shows as a failing accept, after which a connection to the
   * port tells whether anything listens there.
   */
  boolean listening() {
    if (!thread.isAlive()) {
      return false;
    }
    if (!acceptFailed) {
      return true;
    }
    if (!MetricsServer.probe(bound)) {
      return false;
    }
    acceptFailed = false; // a passing failure (say, out of file descriptors)
    return true;
  }

  /** Stops serving and closes every connection and the listener (so the port can be bound again). */
  void close() {
    closed = true;
    collector.shutdownNow();
    selector.wakeup();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    try {
      while (!closed) {
        long wait = due(System.nanoTime());
        if (wait == 0) {
          selector.selectNow();
        } else {
          selector.select(wait < 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait + 999_999)));
        }
        if (closed) {
          break;
        }
        long now = System.nanoTime();
        for (Object[] done; (done = nextCollected()) != null; ) {
          ((Conn) done[0]).collected((Reply) done[1], now);
        }
        // the selected-key set, not select(Consumer): the JDK's select calling back into
        // procagent's code gets that code inlined into its C2 compilation when scrapes come
        // back to back (the compiler directive keeps procagent's own methods from C2, not from
        // being inlined into the JDK's): 13 MB of compiler arenas at the end of 10,000 scrapes
        Set<SelectionKey> selected = selector.selectedKeys();
        if (!selected.isEmpty()) {
          Iterator<SelectionKey> keys = selected.iterator();
          while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            ready(key, now);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("the HTTP endpoint stopped: " + e + " (the application is not affected; it is started again)");
    } finally {
      for (int i = conns.size() - 1; i >= 0; i--) {
        conns.get(i).close();
      }
      quietly(listener);
      quietly(selector);
    }
  }

  /** A ready key, on the loop thread. */
  private void ready(SelectionKey key, long now) {
    if (key == acceptKey) {
      accept(now);
    } else if (key.attachment() instanceof Conn c) {
      c.ready(now);
    }
  }

  private Object[] nextCollected() {
    synchronized (collected) {
      return collected.pollFirst();
    }
  }

  /**
   * Cuts the connections past their deadline and serves the ones whose wait is over; the
   * nanoseconds until the next deadline, 0 when one is due now, -1 when none is pending.
   */
  private long due(long now) {
    long next = Long.MAX_VALUE;
    if (acceptPausedUntil != 0) {
      if (now - acceptPausedUntil >= 0) {
        acceptPausedUntil = 0;
        acceptKey.interestOps(SelectionKey.OP_ACCEPT);
      } else {
        next = acceptPausedUntil - now;
      }
    }
    for (int i = conns.size() - 1; i >= 0; i--) { // backwards: a closed one swaps in a visited one
      Conn c = conns.get(i);
      if (c.deadline - now <= 0) {
        c.late();
        continue;
      }
      if (c.state == Conn.WAITING && c.readyAt - now <= 0) {
        c.resume(now);
      }
      if (!c.open) {
        continue;
      }
      if (c.state == Conn.WAITING) {
        next = Math.min(next, c.readyAt - now); // 0 for another request in its buffer: next round
      }
      next = Math.min(next, c.deadline - now);
    }
    return next == Long.MAX_VALUE ? -1 : Math.max(0, next);
  }

  private void accept(long now) {
    for (int i = 0; i < 64; i++) {
      SocketChannel ch;
      try {
        ch = listener.accept();
      } catch (IOException e) {
        boolean first = !acceptFailed;
        acceptFailed = true;
        acceptPausedUntil = now + ACCEPT_PAUSE_NANOS;
        acceptKey.interestOps(0); // no spinning on a failing listener
        LOG.debug("accepting a connection failed: " + e);
        if (first) {
          onAcceptFailure.run();
        }
        return;
      }
      if (ch == null) {
        return;
      }
      InetAddress client = null;
      try {
        client = ((InetSocketAddress) ch.getRemoteAddress()).getAddress();
        int[] n = perClient.computeIfAbsent(client, a -> new int[1]);
        if (conns.size() >= MAX_CONNECTIONS || n[0] >= PER_CLIENT) {
          if (n[0] == 0) {
            perClient.remove(client);
          }
          LOG.warnOnce("http-connections", client.getHostAddress() + " would be over " + PER_CLIENT + " connections from one address or "
              + MAX_CONNECTIONS + " in all; closing such connections at once");
          quietly(ch);
          continue;
        }
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        Conn c = new Conn(ch, client, now);
        c.key = ch.register(selector, SelectionKey.OP_READ, c);
        n[0]++;
        c.index = conns.size();
        conns.add(c);
      } catch (IOException | RuntimeException e) {
        LOG.debug("a connection failed at once: " + e);
        int[] n = client == null ? null : perClient.get(client);
        if (n != null && n[0] == 0) {
          perClient.remove(client);
        }
        quietly(ch);
      }
    }
  }

  private static void quietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      LOG.debug("closing failed: " + e);
    }
  }

  /** One connection and the request it is on. */
  private final class Conn implements ScrapeHandler.Request {
    static final int IDLE = 0;
    static final int READING = 1;
    static final int WAITING = 2;
    static final int WRITING = 3;
    /** Answered and closing: output shut, what the client still sends read and dropped. */
    static final int LINGER = 4;
    /** Its reply is being collected on the scrape thread. */
    static final int COLLECTING = 5;

    final SocketChannel ch;
    final InetAddress client;
    SelectionKey key;
    int index;
    boolean open = true;
    int state = IDLE;
    /** When the request (or, idle, the connection) is cut off. */
    long deadline;
    /** While WAITING: when to go on. */
    long readyAt;
    ByteBuffer in = ByteBuffer.allocate(1024);
    /** How far {@link #in} was searched for the end of the head. */
    int scanned;
    ByteBuffer[] out;

    // the request being served
    boolean head;
    /** GET or HEAD. */
    boolean get;
    boolean http10;
    boolean closeAfter;
    /** Whether the request waits for the CPU budget, and since when. */
    boolean throttled;
    long throttledSince;
    String target;
    String query;
    String accept;
    String acceptEncoding;
    String authorization;
    /**
     * The previous request's values, given again when the bytes are the same (a scraper sends
     * the same request every time): a kept reply then allocates next to nothing, and the
     * handler's cache key is found by identity.
     */
    String lastTarget;
    String lastAccept;
    String lastAcceptEncoding;
    /** The reply's four buffers, rewound rather than made anew when they wrap the same bytes. */
    final ByteBuffer[] buffers = new ByteBuffer[4];

    Conn(SocketChannel ch, InetAddress client, long now) {
      this.ch = ch;
      this.client = client;
      this.deadline = now + timeoutNanos; // a new connection is for a request
      this.state = READING;
    }

    @Override
    public String query() {
      return query;
    }

    @Override
    public String header(String name) {
      if (name.equalsIgnoreCase("Accept")) {
        return accept;
      }
      if (name.equalsIgnoreCase("Accept-Encoding")) {
        return acceptEncoding;
      }
      return null;
    }

    void ready(long now) {
      try {
        if (state == WRITING) {
          write(now);
        } else if (state == IDLE || state == READING) {
          read(now);
        } else if (state == LINGER) {
          drain();
        } else if (state == COLLECTING) {
          // the client sent more while its reply is collected: read after the reply is sent
          // (the key is level-triggered, so it is not watched meanwhile)
          key.interestOps(0);
        }
      } catch (IOException | RuntimeException e) {
        failed(e);
      }
    }

    /** Closes the connection after an error: the client gone is a DEBUG line, anything else one WARN. */
    private void failed(Exception e) {
      if (e instanceof IOException || e instanceof CancelledKeyException) {
        LOG.debug("connection from " + client.getHostAddress() + " ended: " + e);
      } else {
        LOG.warnOnce("http-" + e.getClass().getName(), "a request failed: " + e);
      }
      close();
    }

    /** Reads into {@code in}: the bytes read, 0 when none wait, -1 when the client closed (then closed here too). */
    private int readSome() throws IOException {
      ByteBuffer w = wire;
      w.clear();
      w.limit(Math.min(w.capacity(), in.remaining()));
      int n = ch.read(w);
      if (n < 0) {
        close();
      } else if (n > 0) {
        w.flip();
        in.put(w);
      }
      return n;
    }

    private void read(long now) throws IOException {
      if (!in.hasRemaining()) {
        if (in.capacity() >= MAX_HEAD) {
          fail(TOO_LARGE, now);
          return;
        }
        ByteBuffer bigger = ByteBuffer.allocate(Math.min(MAX_HEAD, in.capacity() * 4));
        in.flip();
        bigger.put(in);
        in = bigger;
      }
      if (readSome() <= 0) {
        return;
      }
      if (state == IDLE) {
        state = READING;
        deadline = now + timeoutNanos;
      }
      request(now);
    }

    /** Serves the request in {@link #in} if its head is complete. */
    private void request(long now) throws IOException {
      byte[] b = in.array();
      int len = in.position();
      int start = 0;
      while (start < len && (b[start] == '\r' || b[start] == '\n')) {
        start++; // blank lines before a request line are allowed
      }
      int end = -1;
      for (int i = Math.max(start, scanned - 3); i < len; i++) {
        if (b[i] == '\n' && i > start) {
          if (b[i - 1] == '\n') {
            end = i + 1;
            break;
          }
          if (b[i - 1] == '\r' && i - 2 >= start && b[i - 2] == '\n') {
            end = i + 1;
            break;
          }
        }
      }
      if (end < 0) {
        scanned = len;
        if (len >= MAX_HEAD) {
          fail(TOO_LARGE, now);
        } else if (in.capacity() == len) {
          read(now); // grows the buffer and reads on
        } else {
          key.interestOps(SelectionKey.OP_READ);
          state = READING;
        }
        return;
      }
      Reply error = parse(b, start, end);
      // keep what follows the head (a pipelined request) at the start of the buffer
      System.arraycopy(b, end, b, 0, len - end);
      in.position(len - end);
      scanned = 0;
      if (error != null) {
        fail(error, now);
        return;
      }
      serve(now);
    }

    /** Reads the request line and the headers this server uses; null, or the error to answer. */
    private Reply parse(byte[] b, int start, int end) {
      head = false;
      http10 = false;
      closeAfter = false;
      target = query = accept = acceptEncoding = authorization = null;
      int eol = lineEnd(b, start, end);
      int sp1 = indexOf(b, start, eol, (byte) ' ');
      int sp2 = sp1 < 0 ? -1 : indexOf(b, sp1 + 1, eol, (byte) ' ');
      if (sp1 <= start || sp2 < 0 || sp2 == sp1 + 1 || b[sp1 + 1] != '/') {
        return BAD;
      }
      for (int i = start; i < sp1; i++) {
        if (b[i] < 'A' || b[i] > 'Z') {
          return BAD;
        }
      }
      for (int i = sp1 + 1; i < sp2; i++) {
        if (b[i] <= ' ' || b[i] == 127) {
          return BAD;
        }
      }
      int v = sp2 + 1;
      if (eol - v != 8 || !ascii(b, v, "HTTP/") || b[v + 6] != '.' || !digit(b[v + 5]) || !digit(b[v + 7])) {
        return BAD;
      }
      if (b[v + 5] != '1') {
        return VERSION;
      }
      http10 = b[v + 7] == '0';
      head = sp1 - start == 4 && ascii(b, start, "HEAD");
      boolean isGet = sp1 - start == 3 && ascii(b, start, "GET");
      target = lastTarget = same(lastTarget, b, sp1 + 1, sp2);
      boolean keepAlive = false;
      int lines = 0;
      for (int ls = next(b, eol, end); ls < end; ) {
        int le = lineEnd(b, ls, end);
        if (le == ls) {
          break; // the blank line
        }
        if (++lines > MAX_HEADERS) {
          return TOO_LARGE;
        }
        int colon = indexOf(b, ls, le, (byte) ':');
        if (colon <= ls) {
          return BAD;
        }
        for (int i = ls; i < colon; i++) {
          if (b[i] <= ' ' || b[i] == 127) {
            return BAD; // also a folded line, which starts with a space
          }
        }
        int vs = colon + 1;
        int ve = le;
        while (vs < ve && (b[vs] == ' ' || b[vs] == '\t')) {
          vs++;
        }
        while (ve > vs && (b[ve - 1] == ' ' || b[ve - 1] == '\t')) {
          ve--;
        }
        int nameLen = colon - ls;
        if (is(b, ls, nameLen, "accept")) {
          accept = accept == null ? (lastAccept = same(lastAccept, b, vs, ve)) : join(accept, b, vs, ve);
        } else if (is(b, ls, nameLen, "accept-encoding")) {
          acceptEncoding =
              acceptEncoding == null ? (lastAcceptEncoding = same(lastAcceptEncoding, b, vs, ve)) : join(acceptEncoding, b, vs, ve);
        } else if (is(b, ls, nameLen, "authorization")) {
          authorization = new String(b, vs, ve - vs, StandardCharsets.ISO_8859_1);
        } else if (is(b, ls, nameLen, "connection")) {
          String tokens = new String(b, vs, ve - vs, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
          closeAfter |= tokens.indexOf("close") >= 0; // not contains: see TextFormat.serves
          keepAlive |= tokens.indexOf("keep-alive") >= 0;
        } else if (is(b, ls, nameLen, "content-length")) {
          if (vs == ve) {
            return BAD;
          }
          for (int i = vs; i < ve; i++) {
            if (!digit(b[i])) {
              return BAD;
            }
            if (b[i] != '0') {
              closeAfter = true; // a body: answered, then the connection is closed, not read on
            }
          }
        } else if (is(b, ls, nameLen, "transfer-encoding")) {
          closeAfter = true;
        }
        ls = next(b, le, end);
      }
      if (http10 && !keepAlive) {
        closeAfter = true;
      }
      get = head || isGet;
      return null;
    }

    private void serve(long now) throws IOException {
      int q = target.indexOf('?');
      String path = q < 0 ? target : target.substring(0, q);
      query = q < 0 ? null : target.substring(q + 1);
      boolean healthy = path.equals("/-/healthy");
      if (!get) {
        send(METHOD, now);
      } else if (auth != null && !(healthy && healthyOpen) && !auth.accepts(authorization)) {
        send(UNAUTHORIZED, now);
      } else if (path.equals("/metrics")) {
        long wait = policy.throttleNanos();
        if (wait > 0) {
          state = WAITING;
          throttled = true;
          throttledSince = now;
          readyAt = now + wait;
          key.interestOps(0);
          return;
        }
        collect(now);
      } else if (healthy) {
        send(HEALTHY, now);
      } else if (path.equals("/")) {
        send(LANDING, now);
      } else {
        send(NOT_FOUND, now);
      }
    }

    /** The wait for the CPU budget is over, or another request is in the buffer. */
    void resume(long now) {
      try {
        if (throttled) {
          policy.throttled(now - throttledSince);
          throttled = false;
          collect(now);
        } else {
          state = READING;
          deadline = now + timeoutNanos;
          request(now);
        }
      } catch (IOException | RuntimeException e) {
        failed(e);
      }
    }

    /** Sends the kept reply, or has the reply collected on the scrape thread. */
    private void collect(long now) throws IOException {
      Reply kept = scrape.kept(this);
      if (kept != null) {
        send(kept, now);
        return;
      }
      // the key stays as it is (watched for reading, as the client waits for the reply): two
      // changes of it a scrape are each a system call and the selector's code run cold
      state = COLLECTING;
      try {
        collector.execute(() -> {
          Reply reply;
          try {
            reply = scrape.scrape(this);
          } catch (RuntimeException e) {
            LOG.warnOnce("scrape-" + e.getClass().getName(), "a scrape failed: " + e);
            reply = Reply.text(500, "procagent: the scrape failed; see the agent's log\n");
          }
          synchronized (collected) {
            collected.addLast(new Object[] {this, reply});
          }
          selector.wakeup();
        });
      } catch (RejectedExecutionException e) { // closing
        close();
      }
    }

    /** Back on the loop thread with the reply collected for this connection. */
    void collected(Reply reply, long now) {
      if (!open || state != COLLECTING) {
        return; // cut off or closed meanwhile
      }
      try {
        send(reply, now);
      } catch (IOException | RuntimeException e) {
        failed(e);
      }
    }

    private void fail(Reply error, long now) throws IOException {
      closeAfter = true;
      head = false;
      in.clear();
      send(error, now);
    }

    private void send(Reply reply, long now) throws IOException {
      byte[] end = closeAfter ? END_CLOSE : http10 ? END_KEEP : END;
      out = buffers;
      wrap(0, reply.head());
      wrap(1, date.line(System.currentTimeMillis()));
      wrap(2, end);
      wrap(3, head ? NONE : reply.body);
      state = WRITING;
      write(now);
    }

    private void wrap(int i, byte[] bytes) {
      ByteBuffer b = buffers[i];
      if (b != null && b.array() == bytes) {
        b.clear();
      } else {
        buffers[i] = ByteBuffer.wrap(bytes);
      }
    }

    private void write(long now) throws IOException {
      if (!writeThroughWire()) {
        ch.write(out);
      }
      if (out[0].hasRemaining() || out[1].hasRemaining() || out[2].hasRemaining() || out[3].hasRemaining()) {
        if (key.interestOps() != SelectionKey.OP_WRITE) {
          key.interestOps(SelectionKey.OP_WRITE);
        }
        return;
      }
      out = null;
      if (closeAfter) {
        linger(now);
        return;
      }
      state = IDLE;
      deadline = now + IDLE_NANOS;
      if (in.position() > 0) {
        state = WAITING; // a pipelined request: served next round, after the other connections
        readyAt = now;
        key.interestOps(0);
      } else if (key.interestOps() != SelectionKey.OP_READ) {
        key.interestOps(SelectionKey.OP_READ);
      }
    }

    /**
     * Writes what is left of {@link #out} through {@link #wire}, and moves {@link #out}'s
     * buffers past what was written.
     *
     * @return false when it does not fit (nothing is written then)
     */
    private boolean writeThroughWire() throws IOException {
      ByteBuffer w = wire;
      int left = 0;
      for (ByteBuffer b : out) {
        left += b.remaining();
      }
      if (left > w.capacity()) {
        return false;
      }
      w.clear();
      for (ByteBuffer b : out) {
        int from = b.position();
        w.put(b);
        b.position(from);
      }
      w.flip();
      int n = ch.write(w);
      for (ByteBuffer b : out) {
        int k = Math.min(n, b.remaining());
        b.position(b.position() + k);
        n -= k;
      }
      return true;
    }

    /**
     * Closes after the response: first the output only, then reading until the client closes
     * too (or {@link #LINGER_NANOS}), since closing a socket with unread input (a request's body,
     * say) resets the connection and can destroy the response before the client has read it.
     */
    private void linger(long now) throws IOException {
      ch.shutdownOutput();
      state = LINGER;
      deadline = now + LINGER_NANOS;
      if (key.interestOps() != SelectionKey.OP_READ) {
        key.interestOps(SelectionKey.OP_READ);
      }
      drain();
    }

    private void drain() throws IOException {
      for (int i = 0; i < 16; i++) {
        in.clear();
        if (readSome() <= 0) {
          return;
        }
      }
    }

    /** Past its deadline: a request is cut off and counted; an idle or closing connection just closed. */
    void late() {
      if (state != IDLE && state != LINGER) {
        policy.timedOut.increment();
        LOG.warnOnce(
            "request-timeout",
            "cut off " + client.getHostAddress() + ": one request took longer than " + timeoutNanos / 1_000_000
                + " ms (http.request_timeout; a slow or stalled client); later ones are counted in"
                + " procagent_http_requests_timed_out_total");
      }
      close();
    }

    void close() {
      if (!open) {
        return;
      }
      open = false;
      if (key != null) {
        key.cancel();
      }
      quietly(ch);
      Conn last = conns.remove(conns.size() - 1);
      if (last != this) {
        conns.set(index, last);
        last.index = index;
      }
      int[] n = perClient.get(client);
      if (n != null && --n[0] <= 0) {
        perClient.remove(client);
      }
    }
  }

  private static int lineEnd(byte[] b, int from, int end) {
    int i = indexOf(b, from, end, (byte) '\n');
    if (i < 0) {
      i = end;
    }
    return i > from && b[i - 1] == '\r' ? i - 1 : i;
  }

  /** The start of the line after the one ending at {@code lineEnd}. */
  private static int next(byte[] b, int lineEnd, int end) {
    int i = lineEnd;
    if (i < end && b[i] == '\r') {
      i++;
    }
    return i < end && b[i] == '\n' ? i + 1 : end;
  }

  private static int indexOf(byte[] b, int from, int to, byte c) {
    for (int i = from; i < to; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private static boolean digit(byte c) {
    return c >= '0' && c <= '9';
  }

  private static boolean ascii(byte[] b, int at, String s) {
    for (int i = 0; i < s.length(); i++) {
      if (b[at + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Whether the header name at {@code b[at..at+len)} is {@code lower}, ignoring case. */
  private static boolean is(byte[] b, int at, int len, String lower) {
    if (len != lower.length()) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      int c = b[at + i];
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** {@code b[from..to)} as Latin-1 text: {@code last} itself when it holds the same. */
  private static String same(String last, byte[] b, int from, int to) {
    if (last != null && last.length() == to - from) {
      int i = 0;
      while (i < to - from && (b[from + i] & 0xff) == last.charAt(i)) {
        i++;
      }
      if (i == to - from) {
        return last;
      }
    }
    return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
  }

  private static String join(String before, byte[] b, int from, int to) {
    String value = new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    return before == null ? value : before + "," + value;
  }

  private static Reply landing() {
    String html = "<html><head><title>procagent</title></head><body><h1>procagent</h1>"
        + "<p><a href=\"/metrics\">Metrics</a> (Prometheus text; OpenMetrics and protobuf by Accept header;"
        + " <a href=\"/metrics?debug=openmetrics\">OpenMetrics as text</a>)</p>"
        + "<p><a href=\"/-/healthy\">Health</a></p></body></html>\n";
    return new Reply(200, List.of(Map.entry("Content-Type", "text/html; charset=utf-8")), html.getBytes(StandardCharsets.UTF_8));
  }
}
