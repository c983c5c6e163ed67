package io.lsem.jdbc.error;

import java.sql.SQLException;

/**
 * Implemented by every typed exception the driver throws in place of pgjdbc's
 * {@code PSQLException}: the server's error fields and whether a retry can help. Each typed
 * exception is also a subclass of the fitting JDBC 4 exception class, keeps the SQLSTATE, vendor
 * code and message, and has the original {@code PSQLException} as its cause.
 */
public interface PostgresError {

  /** All fields at once. */
  ErrorDetails details();

  /** Whether running the whole transaction again (on a new connection if this one broke) can succeed unchanged. */
  default boolean isRetryable() {
    return details().retryable();
  }

  /** The server's primary message, without pgjdbc's "ERROR:" and detail decoration. */
  default String serverMessage() {
    return details().serverMessage();
  }

  default String detail() {
    return details().detail();
  }

  default String hint() {
    return details().hint();
  }

  default String schema() {
    return details().schema();
  }

  default String table() {
    return details().table();
  }

  default String column() {
    return details().column();
  }

  default String dataType() {
    return details().dataType();
  }

  default String constraint() {
    return details().constraint();
  }

  /** 1-based character position in the statement, or 0 when the server gave none. */
  default int position() {
    return details().position();
  }

  default String where() {
    return details().where();
  }

  default String routine() {
    return details().routine();
  }

  /** The exception pgjdbc threw (usually a {@code PSQLException}). */
  default SQLException original() {
    return (SQLException) ((Throwable) this).getCause();
  }
}
