package io.procagent.instrument;

import io.procagent.log.Log;
import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.management.MBeanServerFactory;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Tells procagent when the JVM's platform MBean server exists, so that procagent never creates it
 * itself: creating it loads about 370 classes and allocates about 2 MB of the host's heap, for an
 * application nobody may ever open in a JMX client. Every way a JMX client reaches a JVM makes it:
 * {@code -Dcom.sun.management.jmxremote*} at start-up, JConsole or VisualVM attaching (the JVM's
 * local management agent), the application itself (Spring, Tomcat, any library registering a
 * bean). procagent's MXBeans are registered right then, and a JMX client sees them appear.
 *
 * <p>Before each return of {@code ManagementFactory.getPlatformMBeanServer()} the rewritten
 * method calls {@code java.lang.ProcagentHook.onPlatformServer(server)}: a volatile read while
 * procagent waits, then nothing (the listener is removed after the first call).
 */
public final class PlatformServerWatch {

  private static final Log LOG = Log.get(PlatformServerWatch.class);
  private static final String WHAT = "procagent's MXBeans are registered at start";
  static final String TARGET = "java/lang/management/ManagementFactory";
  private static final String METHOD = "getPlatformMBeanServer";
  private static final String DESCRIPTOR = "()Ljavax/management/MBeanServer;";

  private PlatformServerWatch() {}

  /**
   * Calls {@code onExists} once, on the thread that made the platform MBean server (or on this
   * one, when it exists already): it must only hand work to another thread.
   *
   * @return false when the JVM cannot be watched (logged once): the caller registers at once
   */
  public static boolean install(Instrumentation inst, Runnable onExists) {
    AtomicBoolean fired = new AtomicBoolean();
    Runnable once =
        () -> {
          if (fired.compareAndSet(false, true)) {
            try {
              JdkClasses.listen("serverListener", null);
            } catch (Exception | LinkageError e) {
              // the listener stays; it does nothing more
            }
            onExists.run();
          }
        };
    try {
      JdkClasses.hook(inst);
      JdkClasses.listen("serverListener", (Consumer<Object>) server -> once.run());
      if (!JdkClasses.retransform(inst, ManagementFactory.class, PlatformServerWatch::instrument, WHAT)) {
        JdkClasses.listen("serverListener", null);
        return false;
      }
    } catch (Exception | LinkageError e) {
      LOG.warn(WHAT + ": cannot watch for the platform MBean server: " + e);
      return false;
    }
    // made before the rewrite (-Dcom.sun.management.jmxremote, or the application was first):
    // the platform server is the first one MBeanServerFactory made
    try {
      if (!MBeanServerFactory.findMBeanServer(null).isEmpty()) {
        once.run();
      }
    } catch (RuntimeException e) { // a security manager that refuses the lookup
      once.run();
    }
    return true;
  }

  /** Stops watching and gives {@code ManagementFactory} back its original code. */
  public static void uninstall(Instrumentation inst) {
    JdkClasses.restore(inst, ManagementFactory.class, "serverListener");
  }

  /** ManagementFactory's bytes with the hook call before each return of getPlatformMBeanServer. */
  static byte[] instrument(byte[] bytes) {
    ClassReader reader = new ClassReader(bytes);
    ClassWriter writer = new ClassWriter(reader, 0);
    boolean[] applied = {false};
    reader.accept(
        new ClassVisitor(Opcodes.ASM9, writer) {
          @Override
          public MethodVisitor visitMethod(
              int access, String name, String descriptor, String signature, String[] exceptions) {
            MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
            if ((access & Opcodes.ACC_STATIC) == 0 || !METHOD.equals(name) || !DESCRIPTOR.equals(descriptor) || mv == null) {
              return mv;
            }
            applied[0] = true;
            return new MethodVisitor(Opcodes.ASM9, mv) {
              @Override
              public void visitInsn(int opcode) {
                if (opcode == Opcodes.ARETURN) { // stack: server
                  super.visitInsn(Opcodes.DUP); // server server
                  super.visitMethodInsn(
                      Opcodes.INVOKESTATIC, JdkClasses.HOOK_INTERNAL, "onPlatformServer", "(Ljava/lang/Object;)V", false);
                }
                super.visitInsn(opcode);
              }

              @Override
              public void visitMaxs(int maxStack, int maxLocals) {
                super.visitMaxs(maxStack + 1, maxLocals);
              }
            };
          }
        },
        0);
    if (!applied[0]) {
      throw new IllegalStateException("no static getPlatformMBeanServer() in this JDK's ManagementFactory");
    }
    return writer.toByteArray();
  }
}
