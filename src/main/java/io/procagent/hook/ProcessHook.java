package io.procagent.hook;

import java.util.function.Consumer;

/**
 * The template of the one class procagent adds to the JDK: at run time its bytes are renamed to
 * {@code java.lang.ProcagentLaunchHook} and defined in {@code java.base} (next to {@code
 * ProcessBuilder}, which must be able to call it), rather than appending a jar to the bootstrap
 * class path, which would switch off class-data sharing for the application's classes.
 *
 * <p>JDK types only, and it never throws: whatever happens in the listener, the application's
 * {@code start()} behaves exactly as without procagent.
 */
public final class ProcessHook {

  /**
   * Receives {@code {builder, process or null, throwable or null, startNanos}} for every
   * {@code ProcessBuilder.start}; set by procagent, null when recording is off.
   */
  public static volatile Consumer<Object[]> listener;

  private ProcessHook() {}

  /**
   * Called by the code procagent adds at the end of {@code ProcessBuilder.start}: with the new
   * process, or with what the launch threw.
   */
  public static void onStart(Object builder, Object process, Throwable failure) {
    Consumer<Object[]> l = listener;
    if (l == null) {
      return;
    }
    try {
      l.accept(new Object[] {builder, process, failure, System.nanoTime()});
    } catch (Throwable ignored) {
      // recording failed: the application must not notice
    }
  }
}
