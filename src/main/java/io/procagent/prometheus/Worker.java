package io.procagent.prometheus;

import io.procagent.log.Log;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs tasks one at a time, in order, on one daemon thread started on demand that ends after
 * {@code idleMillis} without work. The hand-off is one monitor ({@code synchronized}, {@code
 * wait}, {@code notify}), which the JVM runs in its own code: a {@code ThreadPoolExecutor} hands
 * off through {@code LinkedBlockingQueue}, AQS and {@code LockSupport}, tens of JDK methods that
 * a scrape a second (or every 15 s) runs interpreted, then has the JIT compile, for minutes.
 */
final class Worker {

  private static final Log LOG = Log.get(Worker.class);

  private final String name;
  private final long idleMillis;
  /** Guarded by itself, as are thread and stopped. */
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private Thread thread;
  private boolean stopped;

  Worker(String name, long idleMillis) {
    this.name = name;
    this.idleMillis = idleMillis;
  }

  /**
   * A daemon thread of procagent's (not started): its context class loader procagent's, and
   * never the JVM's default handler, which prints a stack trace on the host's stderr.
   */
  static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.setContextClassLoader(Worker.class.getClassLoader());
    t.setUncaughtExceptionHandler((th, e) -> LOG.debug("uncaught in " + th.getName(), e));
    return t;
  }

  /** Queues {@code task}, starting the thread if none runs. */
  void execute(Runnable task) {
    synchronized (tasks) {
      if (stopped) {
        throw new RejectedExecutionException(name + " is stopped");
      }
      tasks.addLast(task);
      if (thread == null) {
        thread = daemon(name, this::run);
        thread.start();
      } else {
        tasks.notify();
      }
    }
  }

  /** Refuses further tasks, drops the queued ones and interrupts the running one. */
  void shutdownNow() {
    synchronized (tasks) {
      stopped = true;
      tasks.clear();
      if (thread != null) {
        thread.interrupt();
      }
      tasks.notify();
    }
  }

  /** Whether the thread is running (for tests). */
  boolean running() {
    synchronized (tasks) {
      return thread != null;
    }
  }

  private void run() {
    while (true) {
      Runnable task;
      synchronized (tasks) {
        long idleSince = System.nanoTime();
        while ((task = tasks.pollFirst()) == null) {
          long left = idleMillis - (System.nanoTime() - idleSince) / 1_000_000;
          if (stopped || left <= 0) {
            thread = null; // under the lock: the next execute starts another
            return;
          }
          try {
            tasks.wait(left);
          } catch (InterruptedException e) {
            if (stopped) {
              thread = null;
              return;
            }
          }
        }
      }
      try {
        task.run();
      } catch (Throwable e) { // an Error too: a dead thread would leave the queue unserved
        LOG.debug("a task on " + name + " failed", e);
      }
      Thread.interrupted(); // an interrupt meant for that task only
    }
  }
}
