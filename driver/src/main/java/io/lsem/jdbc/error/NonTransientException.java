package io.lsem.jdbc.error;

import java.sql.SQLException;
import java.sql.SQLNonTransientException;

/** Any other error: retrying the same operation will fail the same way until something changes. */
public class NonTransientException extends SQLNonTransientException implements PostgresError {
  private static final long serialVersionUID = 1L;
  private final ErrorDetails details;

  public NonTransientException(ErrorDetails details, SQLException cause) {
    super(cause.getMessage(), details.sqlState(), cause.getErrorCode(), cause);
    this.details = details;
  }

  @Override
  public ErrorDetails details() {
    return details;
  }
}
