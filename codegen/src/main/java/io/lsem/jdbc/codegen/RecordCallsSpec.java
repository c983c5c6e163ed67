package io.lsem.jdbc.codegen;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeMirror;

/** One {@link RecordCalls} annotation, read from its mirror (its Class value cannot be loaded). */
final class RecordCallsSpec {
  final List<String> patterns = new ArrayList<>();
  final List<String> except = new ArrayList<>();
  TypeElement target;
  String hook = "recordCall";
  String guard = "recording";
  boolean withResult = true;
  boolean recover;

  /** Every {@link RecordCalls} on {@code type}, repeated or single. */
  static List<RecordCallsSpec> of(TypeElement type) {
    List<RecordCallsSpec> specs = new ArrayList<>();
    for (AnnotationMirror a : type.getAnnotationMirrors()) {
      String name = ((TypeElement) a.getAnnotationType().asElement()).getQualifiedName().toString();
      if (name.equals(RecordCalls.class.getName())) {
        specs.add(read(a));
      } else if (name.equals(RecordCalls.List.class.getName().replace('$', '.'))) {
        for (AnnotationValue v : list(a.getElementValues().values().iterator().next())) {
          specs.add(read((AnnotationMirror) v.getValue()));
        }
      }
    }
    return specs;
  }

  private static RecordCallsSpec read(AnnotationMirror a) {
    RecordCallsSpec spec = new RecordCallsSpec();
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e : a.getElementValues().entrySet()) {
      Object value = e.getValue().getValue();
      switch (e.getKey().getSimpleName().toString()) {
        case "target":
          spec.target = (TypeElement) ((DeclaredType) (TypeMirror) value).asElement();
          break;
        case "value":
          list(e.getValue()).forEach(v -> spec.patterns.add((String) v.getValue()));
          break;
        case "except":
          list(e.getValue()).forEach(v -> spec.except.add((String) v.getValue()));
          break;
        case "hook":
          spec.hook = (String) value;
          break;
        case "guard":
          spec.guard = (String) value;
          break;
        case "withResult":
          spec.withResult = (Boolean) value;
          break;
        case "recover":
          spec.recover = (Boolean) value;
          break;
        default:
          break;
      }
    }
    return spec;
  }

  @SuppressWarnings("unchecked")
  private static List<? extends AnnotationValue> list(AnnotationValue v) {
    return (List<? extends AnnotationValue>) v.getValue();
  }

  boolean matches(ExecutableElement m) {
    if (!m.getEnclosingElement().equals(target)) {
      return false;
    }
    String name = m.getSimpleName().toString();
    if (except.contains(name)) {
      return false;
    }
    for (String p : patterns) {
      if (p.endsWith("*") ? name.startsWith(p.substring(0, p.length() - 1)) : name.equals(p)) {
        return true;
      }
    }
    return false;
  }
}
