package io.lsem.jdbc.error;

import java.sql.SQLException;

/** The connection (or the statement's connection) was already closed. SQLSTATE {@code 08003}. */
public class ConnectionClosedException extends NonTransientConnectionException {
  private static final long serialVersionUID = 1L;

  public ConnectionClosedException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
