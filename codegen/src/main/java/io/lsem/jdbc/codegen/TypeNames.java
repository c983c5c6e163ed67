package io.lsem.jdbc.codegen;

import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.TypeParameterElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.TypeVariable;
import javax.lang.model.type.WildcardType;

/**
 * Prints types as Java source, leaving out type-use annotations (pgjdbc's signatures carry
 * Checker Framework annotations that are not on the compile class path).
 */
final class TypeNames {
  private TypeNames() {}

  static String of(TypeMirror type) {
    switch (type.getKind()) {
      case BOOLEAN: case BYTE: case SHORT: case INT: case LONG: case CHAR: case FLOAT: case DOUBLE:
        return type.getKind().name().toLowerCase(java.util.Locale.ROOT);
      case VOID:
        return "void";
      case ARRAY:
        return of(((ArrayType) type).getComponentType()) + "[]";
      case TYPEVAR:
        return ((TypeVariable) type).asElement().getSimpleName().toString();
      case WILDCARD:
        return wildcard((WildcardType) type);
      case DECLARED:
        return declared((DeclaredType) type);
      default:
        throw new IllegalArgumentException("cannot print type " + type + " of kind " + type.getKind());
    }
  }

  /** The last parameter of a varargs method: {@code T...} instead of {@code T[]}. */
  static String varargs(TypeMirror arrayType) {
    return of(((ArrayType) arrayType).getComponentType()) + "...";
  }

  static String typeParameters(List<? extends TypeParameterElement> params) {
    if (params.isEmpty()) {
      return "";
    }
    return params.stream().map(TypeNames::typeParameter).collect(Collectors.joining(", ", "<", "> "));
  }

  private static String typeParameter(TypeParameterElement p) {
    List<String> bounds = p.getBounds().stream()
        .map(TypeNames::of)
        .filter(b -> !b.equals("java.lang.Object"))
        .collect(Collectors.toList());
    return bounds.isEmpty() ? p.getSimpleName().toString()
        : p.getSimpleName() + " extends " + String.join(" & ", bounds);
  }

  private static String wildcard(WildcardType w) {
    if (w.getExtendsBound() != null) {
      return "? extends " + of(w.getExtendsBound());
    }
    if (w.getSuperBound() != null) {
      return "? super " + of(w.getSuperBound());
    }
    return "?";
  }

  private static String declared(DeclaredType t) {
    String name = ((TypeElement) t.asElement()).getQualifiedName().toString();
    if (t.getTypeArguments().isEmpty()) {
      return name;
    }
    return name + t.getTypeArguments().stream().map(TypeNames::of)
        .collect(Collectors.joining(", ", "<", ">"));
  }
}
