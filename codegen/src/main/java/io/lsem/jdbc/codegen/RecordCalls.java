package io.lsem.jdbc.codegen;

import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Asks the generated forwarder of the annotated class (and of its subclasses) to report calls
 * of the named methods to a hook, so that they can be recorded and run again later.
 *
 * <p>Each reported method gets an operation number, unique within the generated class. After a
 * successful forwarded call the generated code runs
 * {@code if (guard()) hook(op, intArg, otherArgs[, result]);} where {@code intArg} is the first
 * parameter when it is an {@code int} (else -1), {@code otherArgs} is the only other parameter,
 * or an {@code Object[]} of the others, or {@code null}, and {@code result} is the method's result
 * (omitted for {@code void} methods and when {@link #withResult()} is false). The annotated class
 * provides the guard and the hook (overloads for {@code long}, {@code double}, {@code boolean}
 * and {@code Object} results).
 *
 * <p>With {@link #recover()}, a reported method that throws {@code SQLException} returns
 * {@code recover(op, intArg, otherArgs, e)} cast to its type instead of throwing: the class may
 * repair the situation (transparent retry) and finish the call through {@code replayCall}.
 *
 * <p>The generated class gets {@code public static Object replayCall(Target t, int op, int intArg,
 * Object otherArgs)}, which makes the same call on another object (boxing the result,
 * {@code null} for {@code void}), and {@code public static String nameOf(int op)}. Its target
 * type is the most derived {@link #target()} of the class chain.
 */
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
@Repeatable(RecordCalls.List.class)
public @interface RecordCalls {
  /** Method names to report; a trailing {@code *} matches any suffix ({@code get*}). */
  String[] value();

  /** Method names not to report even if a pattern matches. */
  String[] except() default {};

  /** Only methods declared by this interface are reported. */
  Class<?> target();

  /** The hook's name. */
  String hook() default "recordCall";

  /** The guard's name: a {@code boolean} method with no parameters. */
  String guard() default "recording";

  /** Whether the hook receives the method's result. */
  boolean withResult() default true;

  /** Whether a failure goes to {@code recover} instead of being thrown. */
  boolean recover() default false;

  /** Container for repeated {@link RecordCalls}. */
  @Retention(RetentionPolicy.SOURCE)
  @Target(ElementType.TYPE)
  @interface List {
    RecordCalls[] value();
  }
}
