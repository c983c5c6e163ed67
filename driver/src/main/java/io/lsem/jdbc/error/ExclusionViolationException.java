package io.lsem.jdbc.error;

import java.sql.SQLException;

/** An exclusion constraint was violated. SQLSTATE {@code 23P01}. */
public class ExclusionViolationException extends IntegrityConstraintViolationException {
  private static final long serialVersionUID = 1L;

  public ExclusionViolationException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
