package io.procagent.instrument;

import io.procagent.hook.ProcessHook;
import io.procagent.log.Log;
import io.procagent.sampler.Launches;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.SimpleRemapper;

/**
 * Records every child this JVM launches, including ones that live a few milliseconds, by adding
 * {@link StartAdvice}'s calls to {@code ProcessBuilder.start(Redirect[])} (which {@code
 * start()}, {@code startPipeline} and {@code Runtime.exec} all use). Works at {@code
 * -javaagent} time and after attach: the already-loaded class is retransformed.
 *
 * <p>The advice calls {@code java.lang.ProcagentLaunchHook}, a renamed copy of {@link
 * ProcessHook} defined in {@code java.base} through a private lookup on {@code ProcessBuilder}
 * (procagent opens {@code java.lang} to itself only, with {@link Instrumentation#redefineModule}).
 * A plain {@link ClassFileTransformer}, registered only while {@code ProcessBuilder} is
 * retransformed, with ASM: the first version used Byte Buddy's {@code
 * Advice}, whose type pool allocated about 27 MB of the host's heap to describe {@code
 * ProcessBuilder}; ASM rewrites one method of the class as it reads it (a few hundred KB), and
 * no {@code sun.misc.Unsafe}, no class injection into the bootstrap path.
 */
public final class LaunchInstrumentation {

  static final String HOOK = "java.lang.ProcagentLaunchHook";
  private static final String TEMPLATE = ProcessHook.class.getName().replace('.', '/');
  private static final Log LOG = Log.get(LaunchInstrumentation.class);

  private final Instrumentation inst;
  private final ClassFileTransformer transformer = new Transformer();

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
      Class<?> hook = li.defineHook();
      hook.getField("listener").set(null, (Consumer<Object[]>) new LaunchRecorder(launches));
      inst.addTransformer(li.transformer, true);
      try {
        inst.retransformClasses(ProcessBuilder.class);
      } finally {
        // registered only for this one class: a registered transformer is called for every
        // class the application loads afterwards, and the JVM must then read even its
        // class-data-sharing classes from the runtime image, which slows the host's start-up
        inst.removeTransformer(li.transformer);
      }
      return li;
    } catch (Exception | LinkageError e) {
      li.uninstall();
      LOG.warn("child launches are not recorded: cannot instrument ProcessBuilder: " + e);
      return null;
    }
  }

  /** Stops recording and gives {@code ProcessBuilder} back its original code. */
  public void uninstall() {
    try {
      inst.removeTransformer(transformer);
      Class<?> hook = Class.forName(HOOK, false, null);
      hook.getField("listener").set(null, null);
      inst.retransformClasses(ProcessBuilder.class);
    } catch (Exception | LinkageError e) {
      LOG.debug("restoring ProcessBuilder failed", e);
    }
  }

  private Class<?> defineHook() throws Exception {
    try {
      return Class.forName(HOOK, false, null); // defined by an earlier procagent in this JVM
    } catch (ClassNotFoundException notYet) {
      Module base = Object.class.getModule();
      inst.redefineModule(
          base, Set.of(), Map.of(), Map.of("java.lang", Set.of(LaunchInstrumentation.class.getModule())), Set.of(), Map.of());
      byte[] template;
      try (InputStream in = LaunchInstrumentation.class.getResourceAsStream("/" + TEMPLATE + ".class")) {
        if (in == null) {
          throw new IOException("missing " + TEMPLATE + ".class");
        }
        template = in.readAllBytes();
      }
      return MethodHandles.privateLookupIn(ProcessBuilder.class, MethodHandles.lookup())
          .defineClass(remap(template));
    }
  }

  /** Renames every reference to the template hook to the class defined in java.base. */
  static byte[] remap(byte[] bytes) {
    ClassReader reader = new ClassReader(bytes);
    ClassWriter writer = new ClassWriter(0);
    reader.accept(new ClassRemapper(writer, new SimpleRemapper(Opcodes.ASM9, TEMPLATE, HOOK.replace('.', '/'))), 0);
    return writer.toByteArray();
  }

  /** ProcessBuilder's bytes with the hook calls added; unchanged methods are copied as they are. */
  static byte[] instrument(byte[] bytes) {
    ClassReader reader = new ClassReader(bytes);
    ClassWriter writer = new ClassWriter(reader, 0);
    StartAdvice advice = new StartAdvice(writer, HOOK.replace('.', '/'));
    reader.accept(advice, 0);
    if (!advice.applied) {
      throw new IllegalStateException("no private start(Redirect[]) in this JDK's ProcessBuilder");
    }
    return writer.toByteArray();
  }

  private static final class Transformer implements ClassFileTransformer {
    @Override
    public byte[] transform(
        Module module, ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
      if (loader != null || !StartAdvice.TARGET.equals(name)) {
        return null;
      }
      try {
        return instrument(bytes);
      } catch (RuntimeException | LinkageError e) { // e.g. a class file newer than this ASM reads
        LOG.warn("child launches are not recorded: instrumenting ProcessBuilder failed: " + e);
        return null; // the class stays as it was
      }
    }
  }
}
