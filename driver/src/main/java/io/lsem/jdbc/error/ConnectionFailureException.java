package io.lsem.jdbc.error;

import java.sql.SQLException;

/**
 * The connection broke while in use (I/O error, socket timeout, server gone). Whether the last
 * statement or COMMIT took effect is not known from this exception. SQLSTATE {@code 08006}.
 */
public class ConnectionFailureException extends TransientConnectionException {
  private static final long serialVersionUID = 1L;

  public ConnectionFailureException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
