package io.procagent.instrument;

import io.procagent.hook.JdkHook;
import io.procagent.log.Log;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.lang.invoke.MethodHandles;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.SimpleRemapper;

/**
 * What both rewrites of JDK classes share: the hook class they call, defined once in {@code
 * java.base}, and a retransformation with a transformer registered for that one class only.
 *
 * <p>The hook is a renamed copy of {@link JdkHook} defined through a private lookup on {@code
 * ProcessBuilder} (procagent opens {@code java.lang} to itself only, with {@link
 * Instrumentation#redefineModule}): no {@code sun.misc.Unsafe}, no class injection into the
 * bootstrap path.
 */
final class JdkClasses {

  static final String HOOK = "java.lang.ProcagentHook";
  static final String HOOK_INTERNAL = HOOK.replace('.', '/');
  private static final String TEMPLATE = JdkHook.class.getName().replace('.', '/');
  private static final Log LOG = Log.get(JdkClasses.class);

  private JdkClasses() {}

  /** The hook class, defined by this call or by an earlier procagent in this JVM. */
  static synchronized Class<?> hook(Instrumentation inst) throws Exception {
    try {
      return Class.forName(HOOK, false, null);
    } catch (ClassNotFoundException notYet) {
      Module base = Object.class.getModule();
      inst.redefineModule(
          base, Set.of(), Map.of(), Map.of("java.lang", Set.of(JdkClasses.class.getModule())), Set.of(), Map.of());
      byte[] template;
      try (InputStream in = JdkClasses.class.getResourceAsStream("/" + TEMPLATE + ".class")) {
        if (in == null) {
          throw new IOException("missing " + TEMPLATE + ".class");
        }
        template = in.readAllBytes();
      }
      return MethodHandles.privateLookupIn(ProcessBuilder.class, MethodHandles.lookup())
          .defineClass(remap(template));
    }
  }

  /** Sets one of the hook's listener fields (null: the hook does nothing for that event). */
  static void listen(String field, Object listener) throws Exception {
    Class.forName(HOOK, false, null).getField(field).set(null, listener);
  }

  /** Removes the hook's listener {@code field} and gives {@code target} back its original code. */
  static void restore(Instrumentation inst, Class<?> target, String field) {
    try {
      listen(field, null);
      inst.retransformClasses(target); // no transformer registered: the class file as loaded
    } catch (Exception | LinkageError e) {
      LOG.debug("restoring " + target.getName() + " failed", e);
    }
  }

  /** Renames every reference to the template hook to the class defined in java.base. */
  static byte[] remap(byte[] bytes) {
    ClassReader reader = new ClassReader(bytes);
    ClassWriter writer = new ClassWriter(0);
    reader.accept(new ClassRemapper(writer, new SimpleRemapper(Opcodes.ASM9, TEMPLATE, HOOK_INTERNAL)), 0);
    return writer.toByteArray();
  }

  /**
   * Retransforms {@code target} with {@code rewrite} applied to its bytes. The transformer is
   * registered only for this call: a
   * registered transformer is called for every class the application loads afterwards, and the
   * JVM must then read even its class-data-sharing classes from the runtime image, which slows the
   * host's start-up. A rewrite that throws leaves the class as it was, with one log line.
   *
   * @return whether {@code rewrite} was applied
   */
  static boolean retransform(Instrumentation inst, Class<?> target, UnaryOperator<byte[]> rewrite, String what)
      throws UnmodifiableClassException {
    AtomicBoolean applied = new AtomicBoolean();
    String internal = target.getName().replace('.', '/');
    ClassFileTransformer t =
        new ClassFileTransformer() {
          @Override
          public byte[] transform(
              Module module, ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
            if (loader != null || !internal.equals(name)) {
              return null;
            }
            try {
              byte[] rewritten = rewrite.apply(bytes);
              applied.set(true);
              return rewritten;
            } catch (RuntimeException | LinkageError e) { // e.g. a class file newer than this ASM reads
              LOG.warn(what + ": rewriting " + target.getName() + " failed: " + e);
              return null;
            }
          }
        };
    inst.addTransformer(t, true);
    try {
      inst.retransformClasses(target);
    } finally {
      inst.removeTransformer(t);
    }
    return applied.get();
  }
}
