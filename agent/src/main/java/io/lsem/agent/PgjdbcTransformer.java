package io.lsem.agent;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.Map;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Puts a call to {@link Routing} at the start of three pgjdbc methods, and changes nothing else:
 *
 * <ul>
 *   <li>{@code org.postgresql.Driver.connect(String, Properties)} → {@link Routing#driverConnect};
 *   <li>{@code org.postgresql.ds.common.BaseDataSource.getConnection(String, String)} (every pgjdbc
 *       data source's connections) → {@link Routing#dataSourceConnect};
 *   <li>{@code org.postgresql.xa.PGXADataSource.getXAConnection(String, String)} → {@link Routing#xaConnect}.
 * </ul>
 *
 * <p>Each call returns the connection to hand back instead, or {@code null} to run pgjdbc's own
 * code. Written with the ASM that Byte Buddy carries, not with Byte Buddy's advice: the same change,
 * without loading Byte Buddy's type descriptions, which cost the application about half a second of
 * start-up. Every other class is returned unread.
 */
final class PgjdbcTransformer implements ClassFileTransformer {
  private static final String ROUTING = "io/lsem/agent/Routing";

  /** A method to hook: its name and descriptor, and the Routing method (with its descriptor) to call. */
  private record Hook(String name, String descriptor, String routing, String routingDescriptor) {}

  private static final Map<String, Hook> HOOKS = Map.of(
      "org/postgresql/Driver", new Hook("connect", "(Ljava/lang/String;Ljava/util/Properties;)Ljava/sql/Connection;",
          "driverConnect", "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;)Ljava/sql/Connection;"),
      "org/postgresql/ds/common/BaseDataSource", new Hook("getConnection",
          "(Ljava/lang/String;Ljava/lang/String;)Ljava/sql/Connection;",
          "dataSourceConnect", "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;)Ljava/sql/Connection;"),
      "org/postgresql/xa/PGXADataSource", new Hook("getXAConnection",
          "(Ljava/lang/String;Ljava/lang/String;)Ljavax/sql/XAConnection;",
          "xaConnect", "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;)Ljavax/sql/XAConnection;"));

  @Override
  public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain,
      byte[] classfile) {
    Hook hook = className == null ? null : HOOKS.get(className);
    if (hook == null) {
      return null;
    }
    try {
      ClassReader reader = new ClassReader(classfile);
      ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
      reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
          MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
          if (!name.equals(hook.name()) || !descriptor.equals(hook.descriptor()) || (access & Opcodes.ACC_STATIC) != 0) {
            return mv;
          }
          return new MethodVisitor(Opcodes.ASM9, mv) {
            @Override
            public void visitCode() {
              super.visitCode();
              // Object routed = Routing.<routing>(this, arg1, arg2); if (routed != null) return routed;
              String returned = hook.descriptor().substring(hook.descriptor().indexOf(')') + 2, hook.descriptor().length() - 1);
              super.visitVarInsn(Opcodes.ALOAD, 0);
              super.visitVarInsn(Opcodes.ALOAD, 1);
              super.visitVarInsn(Opcodes.ALOAD, 2);
              super.visitMethodInsn(Opcodes.INVOKESTATIC, ROUTING, hook.routing(), hook.routingDescriptor(), false);
              super.visitInsn(Opcodes.DUP);
              Label own = new Label();
              super.visitJumpInsn(Opcodes.IFNULL, own);
              super.visitInsn(Opcodes.ARETURN);
              super.visitLabel(own);
              String[] params = hook.descriptor().substring(2, hook.descriptor().indexOf(')') - 1).split(";L");
              super.visitFrame(Opcodes.F_NEW, 3, new Object[] {className, params[0], params[1]}, 1, new Object[] {returned});
              super.visitInsn(Opcodes.POP);
            }
          };
        }
      }, ClassReader.EXPAND_FRAMES);
      return writer.toByteArray();
    } catch (RuntimeException | LinkageError e) {
      // its connections would bypass LSEM JDBC: say so, and leave the class as it is
      System.err.println("lsem-jdbc-agent: could not route " + className.replace('/', '.') + " through LSEM JDBC: " + e);
      return null;
    }
  }
}
