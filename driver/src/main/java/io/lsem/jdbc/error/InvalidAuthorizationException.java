package io.lsem.jdbc.error;

import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;

/** Authentication or authorization failed (SQLSTATE class 28). */
public class InvalidAuthorizationException extends SQLInvalidAuthorizationSpecException implements PostgresError {
  private static final long serialVersionUID = 1L;
  private final ErrorDetails details;

  public InvalidAuthorizationException(ErrorDetails details, SQLException cause) {
    super(cause.getMessage(), details.sqlState(), cause.getErrorCode(), cause);
    this.details = details;
  }

  @Override
  public ErrorDetails details() {
    return details;
  }
}
