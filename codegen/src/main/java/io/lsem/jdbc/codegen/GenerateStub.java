package io.lsem.jdbc.codegen;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Asks the build to write a {@code public} subclass of the annotated abstract class in which
 * every method the class leaves abstract does nothing and returns the type's default value
 * ({@code null}, zero or {@code false}). Meant for benchmark stubs, never for behaviour tests.
 */
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
public @interface GenerateStub {
  /** Simple name of the generated class; it is placed in the annotated class's package. */
  String value();
}
