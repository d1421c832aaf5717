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

  /** Called from the advice inlined at the end of {@code ProcessBuilder.start}. */
  public static void onStart(Object builder, Object process, Throwable failure, long startNanos) {
    Consumer<Object[]> l = listener;
    if (l == null) {
      return;
    }
    try {
      l.accept(new Object[] {builder, process, failure, startNanos});
    } catch (Throwable ignored) {
      // recording failed: the application must not notice
    }
  }
}
