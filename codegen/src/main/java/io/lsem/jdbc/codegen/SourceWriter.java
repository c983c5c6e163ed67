package io.lsem.jdbc.codegen;

import java.util.List;
import java.util.stream.Collectors;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.ExecutableType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Types;

/** Writes the source of one generated class: a forwarder or a stub. */
final class SourceWriter {
  private final ClassModel model;
  private final Types types;
  private final String packageName;
  private final String className;
  private final StringBuilder out = new StringBuilder(64 * 1024);

  SourceWriter(ProcessingEnvironment env, ClassModel model, String className) {
    this.model = model;
    this.types = env.getTypeUtils();
    this.packageName = env.getElementUtils().getPackageOf(model.type).getQualifiedName().toString();
    this.className = className;
  }

  String forwarder() {
    header("final", "Forwards every method that {@link " + model.type.getSimpleName()
        + "} leaves abstract to its delegate.");
    List<ExecutableElement> recorded = new java.util.ArrayList<>();
    boolean instanceDispatcher = false;
    for (ExecutableElement m : model.missingMethods) {
      if (m.getSimpleName().contentEquals(ReplayWriter.INSTANCE_DISPATCHER)) {
        instanceDispatcher = true;
        continue;
      }
      if (m.getSimpleName().contentEquals(ReplayWriter.INSTANCE_CALL_NAME)) {
        continue;
      }
      VariableElement field = model.delegateFor(m);
      if (field == null && m.isDefault()) {
        continue; // a default method of an interface no delegate implements keeps its default
      }
      if (field == null) {
        throw new GenerationException(model.type, "no @Delegate field has a type that declares "
            + m.getEnclosingElement() + "." + m + "; add one");
      }
      RecordCallsSpec spec = model.recordSpec(m);
      if (spec != null) {
        recorded.add(m);
      }
      forwardingMethod(m, field, spec, recorded.size() - 1);
    }
    if (model.recordTarget != null) {
      VariableElement target = model.delegates.stream()
          .filter(f -> types.isAssignable(types.erasure(f.asType()), model.recordTarget.asType()))
          .findFirst().orElse(null);
      new ReplayWriter(out, model.recordTarget).write(recorded, instanceDispatcher && target != null
          ? target.getSimpleName().toString() : null);
    }
    out.append("}\n");
    return out.toString();
  }

  /**
   * Overrides each public instance method the annotated class's superclass declares: {@code
   * guard()}, then the superclass's method.
   */
  String guarded(String guard) {
    javax.lang.model.element.TypeElement parent =
        (javax.lang.model.element.TypeElement) types.asElement(model.type.getSuperclass());
    header("", "final", "Calls {@code " + guard + "()} before each method {@code " + parent.getSimpleName()
        + "} declares, then that method.");
    for (ExecutableElement m : ElementFilter.methodsIn(parent.getEnclosedElements())) {
      java.util.Set<Modifier> mods = m.getModifiers();
      if (!mods.contains(Modifier.PUBLIC) || mods.contains(Modifier.STATIC) || mods.contains(Modifier.FINAL)) {
        continue;
      }
      ExecutableType t = memberType(m);
      signatureLine(m, t);
      out.append("    ").append(guard).append("();\n    ")
          .append(t.getReturnType().getKind() == TypeKind.VOID ? "" : "return ")
          .append("super.").append(m.getSimpleName()).append("(").append(arguments(m)).append(");\n  }\n\n");
    }
    out.append("}\n");
    return out.toString();
  }

  String stub() {
    header("", "Returns the default value from every method that {@link " + model.type.getSimpleName()
        + "} leaves abstract. For benchmarks only.");
    for (ExecutableElement m : model.missingMethods) {
      ExecutableType t = memberType(m);
      signatureLine(m, t);
      TypeMirror ret = t.getReturnType();
      if (ret.getKind() != TypeKind.VOID) {
        out.append("    return ").append(defaultValue(ret)).append(";\n");
      }
      out.append("  }\n\n");
    }
    out.append("}\n");
    return out.toString();
  }

  private void header(String modifier, String doc) {
    header("public ", modifier, doc);
  }

  /** The package, the class line with {@code visibility} ("public " or "") and its constructors. */
  private void header(String visibility, String modifier, String doc) {
    out.append("package ").append(packageName).append(";\n\n")
        .append("/**\n * ").append(doc).append("\n * Generated at build time by {@code ")
        .append(ForwarderProcessor.class.getName()).append("}; do not edit.\n */\n")
        .append("@javax.annotation.processing.Generated(\"").append(ForwarderProcessor.class.getName())
        .append("\")\n")
        .append("@SuppressWarnings({\"deprecation\", \"removal\", \"unchecked\", \"rawtypes\"})\n")
        .append(visibility).append(modifier.isEmpty() ? "" : modifier + " ")
        .append("class ").append(className).append(" extends ")
        .append(model.type.getQualifiedName()).append(" {\n\n");
    for (ExecutableElement c : ElementFilter.constructorsIn(model.type.getEnclosedElements())) {
      if (!c.getModifiers().contains(Modifier.PRIVATE)) {
        constructor(c);
      }
    }
  }

  private void constructor(ExecutableElement c) {
    out.append("  public ").append(className).append("(").append(parameters(c, (ExecutableType) c.asType()))
        .append(")").append(throwsClause((ExecutableType) c.asType())).append(" {\n    super(")
        .append(arguments(c)).append(");\n  }\n\n");
  }

  private void forwardingMethod(ExecutableElement m, VariableElement field, RecordCallsSpec spec, int op) {
    ExecutableType t = memberType(m);
    signatureLine(m, t);
    TypeMirror ret = t.getReturnType();
    String call = field.getSimpleName() + "." + m.getSimpleName() + "(" + arguments(m) + ")";
    String wrapper = ret.getKind() == TypeKind.DECLARED ? model.returnWrappers.get(model.erased(ret)) : null;
    if (wrapper != null) {
      call = wrapper + "(" + call + ")";
    }
    boolean isVoid = ret.getKind() == TypeKind.VOID;
    String statement;
    String args = ReplayWriter.intArg(m) + ", " + ReplayWriter.otherArgs(m);
    if (spec == null) {
      statement = (isVoid ? "" : "return ") + call + ";";
    } else {
      boolean passResult = spec.withResult && !isVoid;
      String record = "if (" + spec.guard + "()) {\n        " + spec.hook + "(" + op + ", " + args
          + (passResult ? ", v" : "") + ");\n      }";
      statement = isVoid ? call + ";\n      " + record
          : TypeNames.of(ret) + " v = " + call + ";\n      " + record + "\n      return v;";
    }
    boolean translate = model.errorTranslator != null && throwsSqlException(t);
    if (spec != null && spec.recover && throwsSqlException(t)) {
      String recover = "recover(" + op + ", " + args + ", e)";
      out.append("    try {\n      ").append(statement).append("\n    } catch (java.sql.SQLException e) {\n      ")
          .append(isVoid ? recover + ";\n" : "return " + boxedCast(ret) + recover + ";\n")
          .append("    }\n");
    } else if (translate) {
      out.append("    try {\n      ").append(statement).append("\n    } catch (java.sql.SQLException e) {\n")
          .append("      throw ").append(model.errorTranslator).append("(e);\n    }\n");
    } else {
      out.append("    ").append(statement).append("\n");
    }
    out.append("  }\n\n");
  }

  private void signatureLine(ExecutableElement m, ExecutableType t) {
    out.append("  @Override\n  public ").append(TypeNames.typeParameters(m.getTypeParameters()))
        .append(TypeNames.of(t.getReturnType())).append(" ").append(m.getSimpleName()).append("(")
        .append(parameters(m, t)).append(")").append(throwsClause(t)).append(" {\n");
  }

  private ExecutableType memberType(ExecutableElement m) {
    return (ExecutableType) types.asMemberOf((DeclaredType) model.type.asType(), m);
  }

  private static String parameters(ExecutableElement m, ExecutableType t) {
    List<? extends TypeMirror> params = t.getParameterTypes();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < params.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      boolean varargs = m.isVarArgs() && i == params.size() - 1;
      sb.append(varargs ? TypeNames.varargs(params.get(i)) : TypeNames.of(params.get(i))).append(" a").append(i);
    }
    return sb.toString();
  }

  private static String arguments(ExecutableElement m) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < m.getParameters().size(); i++) {
      sb.append(i > 0 ? ", a" : "a").append(i);
    }
    return sb.toString();
  }

  private static String throwsClause(ExecutableType t) {
    if (t.getThrownTypes().isEmpty()) {
      return "";
    }
    return " throws " + t.getThrownTypes().stream().map(TypeNames::of).collect(Collectors.joining(", "));
  }

  private static boolean throwsSqlException(ExecutableType t) {
    return t.getThrownTypes().stream().anyMatch(x -> TypeNames.of(x).equals("java.sql.SQLException"));
  }

  /**
   * A cast from {@code Object} that unboxes for primitives: {@code (int) }, {@code (java.lang.String) };
   * none for {@code Object} itself, where it would be redundant (javac -Xlint:cast).
   */
  private static String boxedCast(TypeMirror t) {
    String type = TypeNames.of(t);
    return type.equals("java.lang.Object") ? "" : "(" + type + ") ";
  }

  private static String defaultValue(TypeMirror t) {
    switch (t.getKind()) {
      case BOOLEAN: return "false";
      case CHAR: return "'\\0'";
      case BYTE: return "(byte) 0";
      case SHORT: return "(short) 0";
      case INT: return "0";
      case LONG: return "0L";
      case FLOAT: return "0f";
      case DOUBLE: return "0d";
      default: return "null";
    }
  }
}
