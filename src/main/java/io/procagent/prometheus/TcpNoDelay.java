package io.procagent.prometheus;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.procagent.log.Log;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.Set;

/**
 * Turns on TCP_NODELAY for procagent's own connections only. The JDK's HTTP server writes the
 * response headers and the body in two writes; without TCP_NODELAY, Nagle's algorithm holds the
 * body until the client acknowledges the headers, which a keep-alive client delays by 40 ms:
 * every scrape took 40+ ms. The JDK's switch for this ({@code sun.net.httpserver.nodelay}) is
 * global and would change the application's own HTTP servers, so instead this filter sets the
 * option on the socket of each exchange it sees.
 *
 * <p>It needs the JDK-internal {@code sun.net.httpserver} package: opened to procagent alone
 * with the agent's {@link Instrumentation}, or by the jar's {@code Add-Opens} manifest entry in
 * daemon mode. Where that is not possible it stays inactive and nothing else changes.
 */
final class TcpNoDelay extends Filter {

  private static final Log LOG = Log.get(TcpNoDelay.class);
  private static volatile boolean active;

  private final Method exchangeImpl;
  private final Method httpsExchangeImpl;
  private final Method connection;
  private final Method channel;

  private TcpNoDelay(Method exchangeImpl, Method httpsExchangeImpl, Method connection, Method channel) {
    this.exchangeImpl = exchangeImpl;
    this.httpsExchangeImpl = httpsExchangeImpl;
    this.connection = connection;
    this.channel = channel;
  }

  /** Opens {@code sun.net.httpserver} to procagent's module (agent mode). */
  static void open(Instrumentation inst) {
    try {
      Module httpserver = HttpExchange.class.getModule();
      inst.redefineModule(
          httpserver, Set.of(), Map.of(), Map.of("sun.net.httpserver", Set.of(TcpNoDelay.class.getModule())),
          Set.of(), Map.of());
    } catch (RuntimeException e) {
      LOG.debug("cannot open sun.net.httpserver", e);
    }
  }

  /** The filter, or null when the JDK's internals are not reachable. */
  static TcpNoDelay create() {
    try {
      Class<?> exchange = Class.forName("sun.net.httpserver.HttpExchangeImpl");
      Method impl = exchange.getDeclaredMethod("getExchangeImpl");
      Method httpsImpl = Class.forName("sun.net.httpserver.HttpsExchangeImpl").getDeclaredMethod("getExchangeImpl");
      Method conn = Class.forName("sun.net.httpserver.ExchangeImpl").getDeclaredMethod("getConnection");
      Method chan = Class.forName("sun.net.httpserver.HttpConnection").getDeclaredMethod("getChannel");
      impl.setAccessible(true);
      httpsImpl.setAccessible(true);
      conn.setAccessible(true);
      chan.setAccessible(true);
      return new TcpNoDelay(impl, httpsImpl, conn, chan);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("TCP_NODELAY not available; scrapes over keep-alive connections may wait 40 ms: " + e);
      return null;
    }
  }

  /** Whether the last exchange got TCP_NODELAY (for JMX and tests). */
  static boolean active() {
    return active;
  }

  @Override
  public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
    try {
      Method getter =
          exchangeImpl.getDeclaringClass().isInstance(exchange)
              ? exchangeImpl
              : httpsExchangeImpl.getDeclaringClass().isInstance(exchange) ? httpsExchangeImpl : null;
      if (getter != null) {
        Object impl = getter.invoke(exchange);
        SocketChannel ch = (SocketChannel) channel.invoke(connection.invoke(impl));
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        active = true;
      }
    } catch (ReflectiveOperationException | IOException | RuntimeException e) {
      active = false;
      LOG.debug("setting TCP_NODELAY failed", e);
    }
    chain.doFilter(exchange);
  }

  @Override
  public String description() {
    return "procagent: TCP_NODELAY on procagent's own connections";
  }
}
