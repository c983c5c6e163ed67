package io.lsem.jdbc.error;

import java.sql.SQLException;

/**
 * A NOT NULL column was given a null; the column is in {@link #column()}. SQLSTATE {@code
 * 23502}.
 */
public class NotNullViolationException extends IntegrityConstraintViolationException {
  private static final long serialVersionUID = 1L;

  public NotNullViolationException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
