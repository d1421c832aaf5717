package io.procagent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.isPrivate;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

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
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.SimpleRemapper;
import net.bytebuddy.pool.TypePool;

/**
 * Records every child this JVM launches, including ones that live a few milliseconds, by
 * inlining {@link ProcessStartAdvice} into {@code ProcessBuilder.start(Redirect[])} (which
 * {@code start()}, {@code startPipeline} and {@code Runtime.exec} all use). Works at {@code
 * -javaagent} time and after attach: the already-loaded class is retransformed.
 *
 * <p>The advice calls {@code java.lang.ProcagentLaunchHook}, a renamed copy of {@link
 * ProcessHook} defined in {@code java.base} through a private lookup on {@code ProcessBuilder}
 * (procagent opens {@code java.lang} to itself only, with {@link Instrumentation#redefineModule}).
 * Byte Buddy builds the class bytes in a plain {@link ClassFileTransformer}; its agent builder is
 * not used, so no {@code sun.misc.Unsafe} and no class injection into the bootstrap path.
 */
public final class LaunchInstrumentation {

  static final String HOOK = "java.lang.ProcagentLaunchHook";
  private static final String TEMPLATE = ProcessHook.class.getName().replace('.', '/');
  private static final String TARGET = "java/lang/ProcessBuilder";
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
      inst.retransformClasses(ProcessBuilder.class);
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
    reader.accept(new ClassRemapper(writer, new SimpleRemapper(net.bytebuddy.jar.asm.Opcodes.ASM9, TEMPLATE, HOOK.replace('.', '/'))), 0);
    return writer.toByteArray();
  }

  private static final class Transformer implements ClassFileTransformer {
    @Override
    public byte[] transform(
        Module module, ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
      if (loader != null || !TARGET.equals(name)) {
        return null;
      }
      try {
        ClassFileLocator locator =
            new ClassFileLocator.Compound(
                ClassFileLocator.Simple.of(ProcessBuilder.class.getName(), bytes),
                ClassFileLocator.ForClassLoader.of(LaunchInstrumentation.class.getClassLoader()),
                ClassFileLocator.ForClassLoader.ofBootLoader());
        TypePool pool = TypePool.Default.of(locator);
        byte[] out =
            new ByteBuddy()
                .with(TypeValidation.DISABLED)
                .with(Implementation.Context.Disabled.Factory.INSTANCE)
                .redefine(pool.describe(ProcessBuilder.class.getName()).resolve(), locator)
                .visit(
                    Advice.to(ProcessStartAdvice.class, locator)
                        .on(named("start").and(takesArguments(1)).and(isPrivate())))
                .make()
                .getBytes();
        return remap(out);
      } catch (RuntimeException | LinkageError e) {
        LOG.warn("child launches are not recorded: instrumenting ProcessBuilder failed: " + e);
        return null; // the class stays as it was
      }
    }
  }
}
