package io.lsem.jdbc.error;

import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;

/**
 * A constraint was violated (SQLSTATE class 23, and 44 WITH CHECK OPTION). The constraint's name
 * is in {@link #constraint()}.
 */
public class IntegrityConstraintViolationException extends SQLIntegrityConstraintViolationException implements PostgresError {
  private static final long serialVersionUID = 1L;
  private final ErrorDetails details;

  public IntegrityConstraintViolationException(ErrorDetails details, SQLException cause) {
    super(cause.getMessage(), details.sqlState(), cause.getErrorCode(), cause);
    this.details = details;
  }

  @Override
  public ErrorDetails details() {
    return details;
  }
}
