package io.lsem.jdbc.error;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;

/**
 * The connection cannot be used and retrying the same thing will not help: it was closed,
 * refused, or the protocol broke (other SQLSTATE class 08, 57P04, 25P03, 57P05).
 */
public class NonTransientConnectionException extends SQLNonTransientConnectionException implements PostgresError {
  private static final long serialVersionUID = 1L;
  private final ErrorDetails details;

  public NonTransientConnectionException(ErrorDetails details, SQLException cause) {
    super(cause.getMessage(), details.sqlState(), cause.getErrorCode(), cause);
    this.details = details;
  }

  @Override
  public ErrorDetails details() {
    return details;
  }
}
