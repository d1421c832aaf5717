package io.procagent.instrument;

import io.procagent.log.Log;
import io.procagent.sampler.Launches;
import java.lang.instrument.Instrumentation;
import java.util.function.Consumer;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;

/**
 * Records every child this JVM launches, including ones that live a few milliseconds, by adding
 * {@link StartAdvice}'s calls to {@code ProcessBuilder.start(Redirect[])} (which {@code
 * start()}, {@code startPipeline} and {@code Runtime.exec} all use). Works at {@code
 * -javaagent} time and after attach: the already-loaded class is retransformed.
 *
 * <p>The advice calls {@code java.lang.ProcagentHook} ({@link JdkClasses}). A plain class file
 * transformer with ASM: the first version used Byte Buddy's {@code Advice}, whose type pool
 * allocated about 27 MB of the host's heap to describe {@code ProcessBuilder}; ASM rewrites one
 * method of the class as it reads it (a few hundred KB).
 */
public final class LaunchInstrumentation {

  private static final Log LOG = Log.get(LaunchInstrumentation.class);
  private static final String WHAT = "child launches are not recorded";

  private final Instrumentation inst;

  private LaunchInstrumentation(Instrumentation inst) {
    this.inst = inst;
  }

  /**
   * Starts recording launches into {@code launches}.
   *
   * @return a handle to stop recording, or null when instrumenting failed (logged once; the
   *     application is unaffected)
   */
  public static LaunchInstrumentation install(Instrumentation inst, Launches launches) {
    LaunchInstrumentation li = new LaunchInstrumentation(inst);
    try {
      JdkClasses.hook(inst);
      JdkClasses.listen("launchListener", (Consumer<Object[]>) new LaunchRecorder(launches));
      if (!JdkClasses.retransform(inst, ProcessBuilder.class, LaunchInstrumentation::instrument, WHAT)) {
        li.uninstall();
        return null;
      }
      return li;
    } catch (Exception | LinkageError e) {
      li.uninstall();
      LOG.warn(WHAT + ": cannot instrument ProcessBuilder: " + e);
      return null;
    }
  }

  /** Stops recording and gives {@code ProcessBuilder} back its original code. */
  public void uninstall() {
    JdkClasses.restore(inst, ProcessBuilder.class, "launchListener");
  }

  /** ProcessBuilder's bytes with the hook calls added; unchanged methods are copied as they are. */
  static byte[] instrument(byte[] bytes) {
    ClassReader reader = new ClassReader(bytes);
    ClassWriter writer = new ClassWriter(reader, 0);
    StartAdvice advice = new StartAdvice(writer, JdkClasses.HOOK_INTERNAL);
    reader.accept(advice, 0);
    if (!advice.applied) {
      throw new IllegalStateException("no private start(Redirect[]) in this JDK's ProcessBuilder");
    }
    return writer.toByteArray();
  }
}
