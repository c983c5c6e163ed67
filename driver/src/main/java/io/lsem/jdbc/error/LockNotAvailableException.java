package io.lsem.jdbc.error;

import java.sql.SQLException;

/**
 * A lock could not be taken: NOWAIT, or lock_timeout expired. Running the transaction again can
 * succeed. SQLSTATE {@code 55P03}.
 */
public class LockNotAvailableException extends TransientException {
  private static final long serialVersionUID = 1L;

  public LockNotAvailableException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
