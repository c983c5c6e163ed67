package io.lsem.jdbc.codegen;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Asks the build to write the package-private abstract class {@link #name()}, a subclass of the
 * pgjdbc data source {@link #over()} with what every LSEM data source class adds to pgjdbc's: the
 * {@code jdbc:lsem:} URL, the driver's properties (through a {@code DataSourceSettings} field
 * {@code lsem}), connections through the driver and a JNDI reference that keeps the properties.
 * The annotated public class extends it. Java lets each class extend one pgjdbc class only, so
 * the shared part is written once here instead of once per class.
 */
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
public @interface GenerateDataSourceBase {
  /** Simple name of the generated class; it is placed in the annotated class's package. */
  String name();

  /** Fully qualified name of the pgjdbc data source class it extends. */
  String over();
}
