package io.lsem.jdbc.error;

import java.sql.SQLException;

/** A CHECK constraint was violated. SQLSTATE {@code 23514}. */
public class CheckViolationException extends IntegrityConstraintViolationException {
  private static final long serialVersionUID = 1L;

  public CheckViolationException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
