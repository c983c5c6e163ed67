package io.lsem.jdbc.codegen;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Types;

/**
 * What the generator knows about one annotated abstract class: the interface methods it leaves
 * abstract, its {@link Delegate} fields, its {@link ErrorTranslator} and its
 * {@link ReturnWrapper}s.
 */
final class ClassModel {
  final TypeElement type;
  final List<ExecutableElement> missingMethods;
  final List<VariableElement> delegates;
  final String errorTranslator;
  final Map<String, String> returnWrappers;
  /** Every {@link RecordCalls} of the class chain, most derived class first. */
  final List<RecordCallsSpec> recordSpecs;
  /** The target of {@code replayCall}: the most derived class's {@link RecordCalls#target()}, or {@code null}. */
  final TypeElement recordTarget;
  private final Types types;

  ClassModel(ProcessingEnvironment env, TypeElement type) {
    this.type = type;
    this.types = env.getTypeUtils();
    List<TypeElement> chain = classChain(type);
    this.delegates = chain.stream()
        .flatMap(c -> ElementFilter.fieldsIn(c.getEnclosedElements()).stream())
        .filter(f -> f.getAnnotation(Delegate.class) != null)
        .collect(Collectors.toList());
    List<ExecutableElement> chainMethods = chain.stream()
        .flatMap(c -> ElementFilter.methodsIn(c.getEnclosedElements()).stream())
        .collect(Collectors.toList());
    this.errorTranslator = chainMethods.stream()
        .filter(m -> m.getAnnotation(ErrorTranslator.class) != null)
        .map(m -> m.getSimpleName().toString()).findFirst().orElse(null);
    this.returnWrappers = new LinkedHashMap<>();
    for (ExecutableElement m : chainMethods) {
      if (m.getAnnotation(ReturnWrapper.class) != null) {
        returnWrappers.putIfAbsent(erased(m.getReturnType()), m.getSimpleName().toString());
      }
    }
    this.missingMethods = missing(chain, chainMethods);
    this.recordSpecs = chain.stream().flatMap(c -> RecordCallsSpec.of(c).stream()).collect(Collectors.toList());
    this.recordTarget = recordSpecs.isEmpty() ? null : recordSpecs.get(0).target;
  }

  /** The {@link RecordCalls} that reports calls of {@code m}, or {@code null}. */
  RecordCallsSpec recordSpec(ExecutableElement m) {
    for (RecordCallsSpec spec : recordSpecs) {
      if (spec.matches(m)) {
        return spec;
      }
    }
    return null;
  }

  /** The annotated class and its superclasses, most derived first, without {@code Object}. */
  private static List<TypeElement> classChain(TypeElement type) {
    List<TypeElement> chain = new ArrayList<>();
    TypeElement current = type;
    while (current != null && !current.getQualifiedName().contentEquals("java.lang.Object")) {
      chain.add(current);
      TypeMirror sup = current.getSuperclass();
      current = sup.getKind() == TypeKind.DECLARED ? (TypeElement) ((DeclaredType) sup).asElement() : null;
    }
    return chain;
  }

  private List<ExecutableElement> missing(List<TypeElement> chain, List<ExecutableElement> chainMethods) {
    Set<String> implemented = new HashSet<>();
    for (ExecutableElement m : chainMethods) {
      if (!m.getModifiers().contains(Modifier.ABSTRACT) && !m.getModifiers().contains(Modifier.STATIC)) {
        implemented.add(signature(m));
      }
    }
    Map<String, ExecutableElement> needed = new LinkedHashMap<>();
    for (ExecutableElement m : chainMethods) {
      if (m.getModifiers().contains(Modifier.ABSTRACT)) {
        consider(needed, implemented, m);
      }
    }
    for (TypeElement iface : allInterfaces(chain)) {
      for (ExecutableElement m : ElementFilter.methodsIn(iface.getEnclosedElements())) {
        Set<Modifier> mods = m.getModifiers();
        if (!mods.contains(Modifier.STATIC) && !mods.contains(Modifier.PRIVATE)) {
          consider(needed, implemented, m);
        }
      }
    }
    return new ArrayList<>(needed.values());
  }

  private void consider(Map<String, ExecutableElement> needed, Set<String> implemented, ExecutableElement m) {
    String sig = signature(m);
    if (implemented.contains(sig)) {
      return;
    }
    ExecutableElement known = needed.get(sig);
    if (known == null || types.isSubtype(types.erasure(m.getReturnType()), types.erasure(known.getReturnType()))
        && !types.isSameType(types.erasure(m.getReturnType()), types.erasure(known.getReturnType()))) {
      needed.put(sig, m);
    }
  }

  private List<TypeElement> allInterfaces(List<TypeElement> chain) {
    List<TypeElement> result = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Deque<TypeMirror> queue = new ArrayDeque<>();
    for (TypeElement c : chain) {
      queue.addAll(c.getInterfaces());
    }
    while (!queue.isEmpty()) {
      TypeMirror t = queue.removeFirst();
      if (t.getKind() != TypeKind.DECLARED) {
        continue;
      }
      TypeElement e = (TypeElement) ((DeclaredType) t).asElement();
      if (seen.add(e.getQualifiedName().toString())) {
        result.add(e);
        queue.addAll(e.getInterfaces());
      }
    }
    return result;
  }

  String signature(ExecutableElement m) {
    return m.getSimpleName() + m.getParameters().stream()
        .map(p -> erased(p.asType())).collect(Collectors.joining(",", "(", ")"));
  }

  String erased(TypeMirror t) {
    return TypeNames.of(types.erasure(t));
  }

  /** The delegate field to call {@code m} on, or {@code null} if none has a fitting type. */
  VariableElement delegateFor(ExecutableElement m) {
    Element owner = m.getEnclosingElement();
    TypeMirror ownerType = types.erasure(owner.asType());
    for (VariableElement f : delegates) {
      if (types.isAssignable(types.erasure(f.asType()), ownerType)) {
        return f;
      }
    }
    return null;
  }

  boolean isInterfaceMethod(ExecutableElement m) {
    return m.getEnclosingElement().getKind() == ElementKind.INTERFACE;
  }
}
