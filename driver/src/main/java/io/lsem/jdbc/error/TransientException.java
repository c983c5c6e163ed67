package io.lsem.jdbc.error;

import java.sql.SQLException;
import java.sql.SQLTransientException;

/**
 * The operation failed for a reason that may pass: lock contention, cancellation, resource
 * exhaustion (classes 53, 55P03, 57014, 72).
 */
public class TransientException extends SQLTransientException implements PostgresError {
  private static final long serialVersionUID = 1L;
  private final ErrorDetails details;

  public TransientException(ErrorDetails details, SQLException cause) {
    super(cause.getMessage(), details.sqlState(), cause.getErrorCode(), cause);
    this.details = details;
  }

  @Override
  public ErrorDetails details() {
    return details;
  }
}
