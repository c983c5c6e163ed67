package io.lsem.jdbc.error;

import java.sql.SQLException;

/**
 * A foreign-key constraint was violated: the referenced row is missing, or is still referenced.
 * SQLSTATE {@code 23503}.
 */
public class ForeignKeyViolationException extends IntegrityConstraintViolationException {
  private static final long serialVersionUID = 1L;

  public ForeignKeyViolationException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
