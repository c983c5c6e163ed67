package io.lsem.jdbc.wrap;

import java.util.List;

/** Makers of {@link Execution} records for the common cases. */
final class Executions {
  /** An execution with no arguments of its own (a prepared statement's {@code getResultSet}). */
  static final Execution NONE = new Execution(null, null, null, null, null, null);

  private Executions() {}

  /** {@code Statement.execute…(sql[, keys])}: {@code keys} is an Integer, int[] or String[] or null. */
  static Execution of(String sql, Object keys) {
    return new Execution(sql, keys instanceof int[] ? ((int[]) keys).clone()
        : keys instanceof String[] ? ((String[]) keys).clone() : keys, null, null, null, null);
  }

  /** A prepared statement's execution with its parameters. */
  static Execution prepared(Binding[] bindings) {
    return new Execution(null, null, bindings, null, null, null);
  }

  /** A batch: SQL texts or parameter sets. */
  static Execution batch(List<Object> batch) {
    return new Execution(null, null, null, batch, null, null);
  }
}
