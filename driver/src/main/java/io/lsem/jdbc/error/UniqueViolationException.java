package io.lsem.jdbc.error;

import java.sql.SQLException;

/**
 * A unique or primary-key constraint was violated; the duplicate key is usually in {@link
 * #detail()}. SQLSTATE {@code 23505}.
 */
public class UniqueViolationException extends IntegrityConstraintViolationException {
  private static final long serialVersionUID = 1L;

  public UniqueViolationException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
