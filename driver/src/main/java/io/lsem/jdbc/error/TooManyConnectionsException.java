package io.lsem.jdbc.error;

import java.sql.SQLException;

/** The server has no connection slot left (max_connections). SQLSTATE {@code 53300}. */
public class TooManyConnectionsException extends TransientConnectionException {
  private static final long serialVersionUID = 1L;

  public TooManyConnectionsException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
