package io.procagent.hook;

import java.util.function.Consumer;

/**
 * The template of the one class procagent adds to the JDK: at run time its bytes are renamed to
 * {@code java.lang.ProcagentHook} and defined in {@code java.base} (next to {@code
 * ProcessBuilder}; {@code java.management}'s {@code ManagementFactory} can call it too, as every
 * module reads {@code java.base}), rather than appending a jar to the bootstrap class path, which
 * would switch off class-data sharing for the application's classes.
 *
 * <p>JDK types only, and it never throws: whatever happens in a listener, the application's
 * {@code ProcessBuilder.start} and {@code ManagementFactory.getPlatformMBeanServer} behave
 * exactly as without procagent.
 */
public final class JdkHook {

  /**
   * Receives {@code {builder, process or null, throwable or null, startNanos}} for every
   * {@code ProcessBuilder.start}; set by procagent, null when recording is off.
   */
  public static volatile Consumer<Object[]> launchListener;

  /**
   * Receives the platform MBean server each time {@code ManagementFactory.getPlatformMBeanServer}
   * returns it; set by procagent while it waits for that server to exist, null otherwise.
   */
  public static volatile Consumer<Object> serverListener;

  private JdkHook() {}

  /**
   * Called by the code procagent adds at the end of {@code ProcessBuilder.start}: with the new
   * process, or with what the launch threw.
   */
  public static void onStart(Object builder, Object process, Throwable failure) {
    Consumer<Object[]> l = launchListener;
    if (l == null) {
      return;
    }
    try {
      l.accept(new Object[] {builder, process, failure, System.nanoTime()});
    } catch (Throwable ignored) {
      // recording failed: the application must not notice
    }
  }

  /** Called by the code procagent adds before {@code getPlatformMBeanServer} returns. */
  public static void onPlatformServer(Object server) {
    Consumer<Object> l = serverListener;
    if (l == null) {
      return;
    }
    try {
      l.accept(server);
    } catch (Throwable ignored) {
      // the application must not notice
    }
  }
}
