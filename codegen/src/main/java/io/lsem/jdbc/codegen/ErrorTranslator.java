package io.lsem.jdbc.codegen;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method {@code SQLException m(SQLException)}: every generated forwarding method that
 * declares {@code throws SQLException} catches the delegate's exception and throws what this
 * method returns.
 */
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.METHOD)
public @interface ErrorTranslator {}
