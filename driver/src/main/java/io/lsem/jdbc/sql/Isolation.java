package io.lsem.jdbc.sql;

import java.sql.Connection;
import java.util.Locale;

/** PostgreSQL's transaction isolation levels, with their JDBC constants. */
public enum Isolation {
  READ_UNCOMMITTED(Connection.TRANSACTION_READ_UNCOMMITTED),
  READ_COMMITTED(Connection.TRANSACTION_READ_COMMITTED),
  REPEATABLE_READ(Connection.TRANSACTION_REPEATABLE_READ),
  SERIALIZABLE(Connection.TRANSACTION_SERIALIZABLE);

  private final int jdbcLevel;

  Isolation(int jdbcLevel) {
    this.jdbcLevel = jdbcLevel;
  }

  /** The level for a JDBC constant, or {@code null} for {@code TRANSACTION_NONE} or an unknown value. */
  public static Isolation ofJdbc(int level) {
    for (Isolation i : values()) {
      if (i.jdbcLevel == level) {
        return i;
      }
    }
    return null;
  }

  /** The level for PostgreSQL's spelling ({@code "repeatable read"}, any case), or {@code null}. */
  public static Isolation ofSql(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT).replace('_', ' ').replaceAll("\\s+", " ");
    switch (t) {
      case "read uncommitted": return READ_UNCOMMITTED;
      case "read committed": return READ_COMMITTED;
      case "repeatable read": return REPEATABLE_READ;
      case "serializable": return SERIALIZABLE;
      default: return null;
    }
  }

  /** PostgreSQL's spelling, e.g. {@code "repeatable read"}. */
  public String sqlName() {
    return name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }
}
