package io.lsem.jdbc.codegen;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Asks the build to write a {@code public final} subclass of the annotated abstract class that
 * overrides every public instance method its superclass declares (a pgjdbc API class such as
 * {@code CopyManager}) to call {@link #guard()} first and then the superclass's method. Used
 * where pgjdbc's object must stay the application's (same class, same behaviour) but the driver
 * must hear of each use. Constructors are mirrored.
 */
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
public @interface GenerateGuarded {
  /** Simple name of the generated class; it is placed in the annotated class's package. */
  String value();

  /** The no-argument method of the annotated class each override calls first. */
  String guard() default "guard";
}
