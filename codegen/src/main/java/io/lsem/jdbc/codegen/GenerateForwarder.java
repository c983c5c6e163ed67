package io.lsem.jdbc.codegen;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Asks the build to write a {@code public final} subclass of the annotated abstract class that
 * implements every interface method the class leaves abstract by forwarding it to a
 * {@link Delegate} field.
 *
 * <p>The generated class mirrors the annotated class's constructors. Forwarded methods that
 * declare {@code SQLException} pass it through the method marked {@link ErrorTranslator}, if
 * any; forwarded methods whose return type has a {@link ReturnWrapper} return what that method
 * makes of the delegate's result. Nothing is dispatched reflectively: each method is a direct
 * interface call, as if written by hand.
 */
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
public @interface GenerateForwarder {
  /** Simple name of the generated class; it is placed in the annotated class's package. */
  String value();
}
