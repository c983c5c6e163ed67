package io.lsem.jdbc.codegen;

import javax.lang.model.element.Element;

/** A class cannot be generated; reported as a compile error on {@link #element}. */
final class GenerationException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final transient Element element;

  GenerationException(Element element, String message) {
    super(message);
    this.element = element;
  }
}
