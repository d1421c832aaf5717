package io.procagent.instrument;

import io.procagent.hook.ProcessHook;
import net.bytebuddy.asm.Advice;

/**
 * Inlined by Byte Buddy into {@code ProcessBuilder.start(Redirect[])}, through which {@code
 * start()}, {@code startPipeline} and {@code Runtime.exec} all go. Only bootstrap-visible types
 * may appear here. {@code suppress} makes any throwable of the advice itself vanish.
 */
final class ProcessStartAdvice {

  private ProcessStartAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  static long enter() {
    return System.nanoTime();
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  static void exit(
      @Advice.This Object builder,
      @Advice.Return Object process,
      @Advice.Thrown Throwable thrown,
      @Advice.Enter long startNanos) {
    ProcessHook.onStart(builder, process, thrown, startNanos);
  }
}
