package io.lsem.jdbc.error;

import java.sql.SQLException;

/**
 * The server is starting up, shutting down or in recovery and accepts no connections now.
 * SQLSTATE {@code 57P03}.
 */
public class CannotConnectNowException extends TransientConnectionException {
  private static final long serialVersionUID = 1L;

  public CannotConnectNowException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
