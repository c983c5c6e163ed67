package io.lsem.jdbc.error;

import java.sql.SQLException;

/**
 * An earlier statement failed, so the transaction only accepts ROLLBACK (or ROLLBACK TO
 * SAVEPOINT). SQLSTATE {@code 25P02}.
 */
public class InFailedTransactionException extends NonTransientException {
  private static final long serialVersionUID = 1L;

  public InFailedTransactionException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
