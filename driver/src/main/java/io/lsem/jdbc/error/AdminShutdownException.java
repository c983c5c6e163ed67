package io.lsem.jdbc.error;

import java.sql.SQLException;

/**
 * An administrator terminated this session or the server is shutting down (e.g.
 * pg_terminate_backend). SQLSTATE {@code 57P01}.
 */
public class AdminShutdownException extends TransientConnectionException {
  private static final long serialVersionUID = 1L;

  public AdminShutdownException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
