package io.procagent.prometheus;

import io.procagent.log.Log;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The endpoint's executor. The JDK server reads a request's headers on the executor's thread
 * with no deadline of its own (its global {@code sun.net.httpserver.maxReqTime} would change the
 * application's servers too), so a client sending one header byte at a time (slowloris) holds a
 * thread for as long as it likes. Here:
 *
 * <ul>
 *   <li>each exchange that holds a worker longer than {@code http.request_timeout} has its
 *       connection closed;
 *   <li>one client address runs at most {@link #PER_CLIENT} exchanges at a time; its further
 *       requests wait in its own queue (bounded; beyond it they are closed), so one slow or
 *       greedy client cannot take the workers other clients need;
 *   <li>at most {@link #MAX_WORKERS} daemon threads, started on demand; all but one end after
 *       {@link #IDLE_SECONDS} s idle.
 * </ul>
 *
 * <p>The connection is reached through the JDK-internal exchange (opened to procagent as for
 * {@link TcpNoDelay}); where that is not possible exchanges run on the same pool without the
 * deadline and the per-client share.
 */
final class Workers implements Executor {

  static final int MAX_WORKERS = 8;
  static final int PER_CLIENT = 2;
  static final int PER_CLIENT_QUEUE = 256;
  /**
   * How long an idle worker beyond the first lives: shorter than the endpoint's listener check,
   * so that idle workers do not keep each other alive by taking turns at the check's connection.
   * The first worker stays (parked, it costs nothing), so a scrape or check never starts a thread.
   */
  static final int IDLE_SECONDS = 4;
  private static final int QUEUE = 512;
  private static final Log LOG = Log.get(Workers.class);
  private static final Field CHANNEL = channelField();

  private final ThreadPoolExecutor pool;
  private final ScheduledThreadPoolExecutor timer;
  private final long timeoutNanos;
  private final ScrapePolicy policy;
  private final Map<InetAddress, Client> clients = new HashMap<>();
  /** Exchanges running, each with its deadline; guarded by itself, as is checkPending. */
  private final List<Running> running = new ArrayList<>();
  private boolean checkPending;

  Workers(ScrapePolicy policy) {
    this.policy = policy;
    this.timeoutNanos = policy.limits().requestTimeout().toNanos();
    AtomicInteger n = new AtomicInteger();
    HandOff queue = new HandOff();
    this.pool =
        new ThreadPoolExecutor(
            1,
            MAX_WORKERS,
            IDLE_SECONDS,
            TimeUnit.SECONDS,
            queue,
            r -> Worker.daemon("procagent-http-" + n.incrementAndGet(), r),
            (r, p) -> {
              if (p.isShutdown() || !queue.enqueue(r)) {
                throw new RejectedExecutionException("procagent's HTTP queue is full");
              }
            });
    this.timer = new ScheduledThreadPoolExecutor(1, r -> Worker.daemon("procagent-http-timeout", r));
  }

  /** Whether exchanges get a deadline and a per-client share (false without the JDK's internals). */
  static boolean active() {
    return CHANNEL != null;
  }

  @Override
  public void execute(Runnable exchange) {
    SocketChannel channel = channel(exchange);
    InetAddress address = address(channel);
    if (address == null) {
      pool.execute(() -> run(exchange, channel, null));
      return;
    }
    synchronized (clients) {
      Client c = clients.computeIfAbsent(address, a -> new Client());
      if (c.running < PER_CLIENT) {
        c.running++;
      } else if (c.waiting.size() < PER_CLIENT_QUEUE) {
        c.waiting.add(exchange);
        return;
      } else {
        close(channel);
        LOG.warnOnce("client-queue", address + " has " + PER_CLIENT_QUEUE + " requests waiting; closing its further connections");
        return;
      }
    }
    submit(exchange, channel, address);
  }

  private void submit(Runnable exchange, SocketChannel channel, InetAddress address) {
    try {
      pool.execute(() -> run(exchange, channel, address));
    } catch (RejectedExecutionException e) {
      close(channel);
      done(address);
    }
  }

  private void run(Runnable exchange, SocketChannel channel, InetAddress address) {
    Object deadline = channel == null ? null : started(channel);
    try {
      exchange.run();
    } catch (RuntimeException e) { // e.g. the endpoint is being stopped or rebound
      LOG.debug("an exchange ended early", e);
    } finally {
      if (deadline != null) {
        synchronized (running) {
          running.remove(deadline);
        }
      }
      if (address != null) {
        done(address);
      }
    }
  }

  /**
   * Records an exchange's start. One check is scheduled for the earliest deadline of the
   * exchanges running, not one timer task per exchange: a task per request woke the timer
   * thread twice a scrape (schedule, cancel) for a deadline that is almost never reached.
   */
  private Object started(SocketChannel channel) {
    Running r = new Running(channel, System.nanoTime() + timeoutNanos);
    synchronized (running) {
      running.add(r);
      if (!checkPending) {
        checkPending = true;
        schedule(timeoutNanos);
      }
    }
    return r;
  }

  private void schedule(long delayNanos) {
    try {
      timer.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      checkPending = false; // shut down
    }
  }

  /** Cuts the exchanges past their deadline; schedules itself again for the earliest other one. */
  private void check() {
    List<SocketChannel> late = new ArrayList<>(1);
    synchronized (running) {
      checkPending = false;
      long now = System.nanoTime();
      long next = Long.MAX_VALUE;
      for (Iterator<Running> it = running.iterator(); it.hasNext(); ) {
        Running r = it.next();
        long left = r.deadline - now;
        if (left <= 0) {
          it.remove();
          late.add(r.channel);
        } else {
          next = Math.min(next, left);
        }
      }
      if (next != Long.MAX_VALUE) {
        checkPending = true;
        schedule(next);
      }
    }
    late.forEach(this::cut);
  }

  /**
   * One running exchange, removed by identity: a class, not a record, whose equals would be
   * bootstrapped through java.lang.runtime.ObjectMethods in the host at the first removal.
   */
  private static final class Running {
    final SocketChannel channel;
    final long deadline;

    Running(SocketChannel channel, long deadline) {
      this.channel = channel;
      this.deadline = deadline;
    }
  }

  /** One exchange of {@code address} ended: start its next waiting one, if any. */
  private void done(InetAddress address) {
    Runnable next;
    synchronized (clients) {
      Client c = clients.get(address);
      if (c == null) {
        return;
      }
      next = c.waiting.poll();
      if (next == null && --c.running == 0) {
        clients.remove(address);
      }
    }
    if (next != null) {
      submit(next, channel(next), address);
    }
  }

  private void cut(SocketChannel channel) {
    policy.timedOut.increment();
    String peer;
    try {
      peer = String.valueOf(channel.getRemoteAddress());
    } catch (IOException | RuntimeException e) {
      peer = "a client";
    }
    LOG.warnOnce(
        "request-timeout",
        "cut off " + peer + ": one request held the endpoint longer than " + timeoutNanos / 1_000_000
            + " ms (http.request_timeout; a slow or stalled client); later ones are counted in"
            + " procagent_http_requests_timed_out_total");
    close(channel);
  }

  private static void close(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("closing a connection failed", e);
    }
  }

  void shutdown() {
    pool.shutdownNow();
    timer.shutdownNow();
  }

  private static final class Client {
    int running;
    final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  }

  /**
   * Hands a task to an idle worker or refuses it, so that the pool starts another worker (up to
   * its maximum) rather than queueing behind busy ones; the pool's rejection handler queues it
   * when all workers are busy.
   */
  private static final class HandOff extends LinkedTransferQueue<Runnable> {
    private static final long serialVersionUID = 1L;
    private final transient AtomicInteger queued = new AtomicInteger();

    @Override
    public boolean offer(Runnable r) {
      return tryTransfer(r);
    }

    boolean enqueue(Runnable r) {
      if (queued.incrementAndGet() > QUEUE) {
        queued.decrementAndGet();
        return false;
      }
      return super.offer(r);
    }

    @Override
    public Runnable poll(long timeout, TimeUnit unit) throws InterruptedException {
      Runnable r = super.poll(timeout, unit);
      if (r != null) {
        queued.updateAndGet(q -> Math.max(0, q - 1));
      }
      return r;
    }

    @Override
    public Runnable take() throws InterruptedException {
      Runnable r = super.take();
      queued.updateAndGet(q -> Math.max(0, q - 1));
      return r;
    }
  }

  private static InetAddress address(SocketChannel channel) {
    if (channel == null) {
      return null;
    }
    try {
      return channel.getRemoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static SocketChannel channel(Runnable exchange) {
    if (CHANNEL == null || !CHANNEL.getDeclaringClass().isInstance(exchange)) {
      return null;
    }
    try {
      return (SocketChannel) CHANNEL.get(exchange);
    } catch (IllegalAccessException | RuntimeException e) {
      return null;
    }
  }

  private static Field channelField() {
    try {
      Field f = Class.forName("sun.net.httpserver.ServerImpl$Exchange").getDeclaredField("chan");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("request deadlines not available (sun.net.httpserver not open to procagent): " + e);
      return null;
    }
  }
}
