package io.lsem.jdbc.spring.boot;

import io.lsem.jdbc.LsemProperty;

/** Spring's kebab-case property names ({@code retry-max-attempts}) and the driver's ({@code retryMaxAttempts}). */
final class DriverPropertyNames {
  private DriverPropertyNames() {}

  /** The driver's name for {@code name} as written under {@code spring.datasource.lsem}. */
  static String fromSpring(String name) {
    StringBuilder camel = new StringBuilder(name.length());
    boolean upper = false;
    for (char c : name.toCharArray()) {
      if (c == '-') {
        upper = true;
      } else {
        camel.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return camel.toString();
  }

  /** The kebab-case name Spring shows for the driver property {@code p}. */
  static String toSpring(LsemProperty p) {
    StringBuilder kebab = new StringBuilder();
    for (char c : p.propertyName().toCharArray()) {
      if (Character.isUpperCase(c)) {
        kebab.append('-').append(Character.toLowerCase(c));
      } else {
        kebab.append(c);
      }
    }
    return kebab.toString();
  }
}
