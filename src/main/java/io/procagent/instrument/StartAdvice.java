package io.procagent.instrument;

import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Adds two calls to {@code ProcessBuilder.start(Redirect[])}, through which {@code start()},
 * {@code startPipeline} and {@code Runtime.exec} all go:
 *
 * <pre>
 *   ... original body ...
 *   ProcagentHook.onStart(this, process, null);   // before every return
 *   return process;
 * } catch (Throwable t) {                               // last in the exception table: the
 *   ProcagentHook.onStart(this, null, t);         // method's own handlers come first
 *   throw t;
 * }
 * </pre>
 *
 * The hook never throws, so the method returns and throws exactly what it did before. Written
 * with ASM directly: four instructions per site, no frames to recompute but the handler's.
 */
final class StartAdvice extends ClassVisitor {

  static final String TARGET = "java/lang/ProcessBuilder";
  private static final String METHOD = "start";
  private static final String DESCRIPTOR = "([Ljava/lang/ProcessBuilder$Redirect;)Ljava/lang/Process;";
  private static final String HOOK_METHOD = "onStart";
  private static final String HOOK_DESCRIPTOR = "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Throwable;)V";

  private final String hook;
  boolean applied;

  /** @param hook internal name of the hook class ({@code java/lang/ProcagentHook}) */
  StartAdvice(ClassVisitor next, String hook) {
    super(Opcodes.ASM9, next);
    this.hook = hook;
  }

  @Override
  public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
    MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
    if ((access & Opcodes.ACC_PRIVATE) != 0 && METHOD.equals(name) && DESCRIPTOR.equals(descriptor) && mv != null) {
      applied = true;
      return new Method(mv);
    }
    return mv;
  }

  private final class Method extends MethodVisitor {
    private final Label start = new Label();

    Method(MethodVisitor next) {
      super(Opcodes.ASM9, next);
    }

    @Override
    public void visitCode() {
      super.visitCode();
      super.visitLabel(start);
    }

    @Override
    public void visitInsn(int opcode) {
      if (opcode == Opcodes.ARETURN) { // stack: process
        super.visitInsn(Opcodes.DUP); // process process
        super.visitVarInsn(Opcodes.ALOAD, 0); // process process this
        super.visitInsn(Opcodes.SWAP); // process this process
        super.visitInsn(Opcodes.ACONST_NULL); // process this process null
        super.visitMethodInsn(Opcodes.INVOKESTATIC, hook, HOOK_METHOD, HOOK_DESCRIPTOR, false);
      }
      super.visitInsn(opcode);
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
      Label end = new Label();
      super.visitLabel(end);
      super.visitTryCatchBlock(start, end, end, "java/lang/Throwable");
      // only this and the argument are live here: the frame names just those two
      super.visitFrame(
          Opcodes.F_FULL, 2, new Object[] {TARGET, "[Ljava/lang/ProcessBuilder$Redirect;"}, 1,
          new Object[] {"java/lang/Throwable"});
      super.visitInsn(Opcodes.DUP); // t t
      super.visitVarInsn(Opcodes.ALOAD, 0); // t t this
      super.visitInsn(Opcodes.SWAP); // t this t
      super.visitInsn(Opcodes.ACONST_NULL); // t this t null
      super.visitInsn(Opcodes.SWAP); // t this null t
      super.visitMethodInsn(Opcodes.INVOKESTATIC, hook, HOOK_METHOD, HOOK_DESCRIPTOR, false);
      super.visitInsn(Opcodes.ATHROW);
      super.visitMaxs(maxStack + 4, maxLocals);
    }
  }
}
