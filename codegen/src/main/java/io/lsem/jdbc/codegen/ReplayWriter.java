package io.lsem.jdbc.codegen;

import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;

/**
 * Writes, for a class with {@link RecordCalls}, the static {@code replayCall} dispatcher (a
 * switch over operation numbers, each case a direct call) and {@code nameOf}, and knows how a
 * recorded call packs its arguments into {@code (intArg, otherArgs)}.
 */
final class ReplayWriter {
  /** An abstract method of this name is implemented with {@code replayCall} on the delegate. */
  static final String INSTANCE_DISPATCHER = "replayRecordedCall";
  /** Implemented together with {@link #INSTANCE_DISPATCHER}: the name of a recorded operation. */
  static final String INSTANCE_CALL_NAME = "recordedCallName";
  private final StringBuilder out;
  private final TypeElement target;

  ReplayWriter(StringBuilder out, TypeElement target) {
    this.out = out;
    this.target = target;
  }

  /** The first parameter when it is an int, else -1. */
  static String intArg(ExecutableElement m) {
    return firstIsInt(m) ? "a0" : "-1";
  }

  /** The remaining parameters: none, the only one, or an array. */
  static String otherArgs(ExecutableElement m) {
    List<String> rest = rest(m);
    if (rest.isEmpty()) {
      return "null";
    }
    return rest.size() == 1 ? rest.get(0) : "new Object[] {" + String.join(", ", rest) + "}";
  }

  private static boolean firstIsInt(ExecutableElement m) {
    return !m.getParameters().isEmpty() && m.getParameters().get(0).asType().getKind() == TypeKind.INT;
  }

  private static List<String> rest(ExecutableElement m) {
    int from = firstIsInt(m) ? 1 : 0;
    List<String> names = new java.util.ArrayList<>();
    for (int i = from; i < m.getParameters().size(); i++) {
      names.add("a" + i);
    }
    return names;
  }

  void write(List<ExecutableElement> recorded, String instanceDelegate) {
    String targetName = target.getQualifiedName().toString();
    if (instanceDelegate != null) {
      out.append("  @Override\n  protected Object ").append(INSTANCE_DISPATCHER)
          .append("(int op, int intArg, Object otherArgs) throws java.sql.SQLException {\n    return replayCall(")
          .append(instanceDelegate).append(", op, intArg, otherArgs);\n  }\n\n")
          .append("  @Override\n  protected String recordedCallName(int op) {\n    return nameOf(op);\n  }\n\n");
    }
    out.append("  /** Calls recorded operation {@code op} on {@code t}; {@code null} for void methods. */\n")
        .append("  public static Object replayCall(").append(targetName)
        .append(" t, int op, int intArg, Object otherArgs) throws java.sql.SQLException {\n")
        .append("    switch (op) {\n");
    for (int op = 0; op < recorded.size(); op++) {
      ExecutableElement m = recorded.get(op);
      String call = "t." + m.getSimpleName() + "(" + replayArguments(m) + ")";
      boolean isVoid = m.getReturnType().getKind() == TypeKind.VOID;
      out.append("      case ").append(op).append(":\n        ")
          .append(isVoid ? call + ";\n        return null;\n" : "return " + call + ";\n");
    }
    out.append("      default:\n        throw new IllegalArgumentException(\"no recorded operation \" + op);\n")
        .append("    }\n  }\n\n");
    out.append("  /** The recorded operation's method, e.g. {@code getInt(int)}. */\n")
        .append("  public static String nameOf(int op) {\n    switch (op) {\n");
    for (int op = 0; op < recorded.size(); op++) {
      ExecutableElement m = recorded.get(op);
      String params = m.getParameters().stream().map(p -> simpleName(p.asType())).collect(Collectors.joining(", "));
      out.append("      case ").append(op).append(": return \"").append(m.getSimpleName()).append("(")
          .append(params).append(")\";\n");
    }
    out.append("      default: return \"operation \" + op;\n    }\n  }\n\n");
  }

  private static final String OBJECT = "java.lang.Object";

  private static String replayArguments(ExecutableElement m) {
    List<? extends VariableElement> params = m.getParameters();
    boolean firstIsInt = firstIsInt(m);
    int from = firstIsInt ? 1 : 0;
    int rest = params.size() - from;
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < params.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      if (i == 0 && firstIsInt) {
        sb.append("intArg");
        continue;
      }
      String source = rest == 1 ? "otherArgs" : "((Object[]) otherArgs)[" + (i - from) + "]";
      String type = erasedCast(params.get(i).asType());
      // an Object parameter takes the value as it is: a cast would be redundant (javac -Xlint:cast)
      sb.append(OBJECT.equals(type) ? "" : "(" + type + ") ").append(source);
    }
    return sb.toString();
  }

  private static String erasedCast(TypeMirror t) {
    String printed = TypeNames.of(t);
    int generic = printed.indexOf('<');
    return generic < 0 ? printed : printed.substring(0, generic);
  }

  private static String simpleName(TypeMirror t) {
    String printed = erasedCast(t);
    return printed.substring(printed.lastIndexOf('.') + 1);
  }
}
