package io.lsem.jdbc.error;

import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;

/**
 * The server rolled the transaction back (SQLSTATE class 40). Frameworks read it as a
 * concurrency failure.
 */
public class TransactionRollbackException extends SQLTransactionRollbackException implements PostgresError {
  private static final long serialVersionUID = 1L;
  private final ErrorDetails details;

  public TransactionRollbackException(ErrorDetails details, SQLException cause) {
    this(cause.getMessage(), details, cause);
  }

  /** With a message of the driver's own, e.g. for {@link ReplayMismatchException}. */
  protected TransactionRollbackException(String message, ErrorDetails details, SQLException cause) {
    super(message, details.sqlState(), cause == null ? 0 : cause.getErrorCode(), cause);
    this.details = details;
  }

  @Override
  public ErrorDetails details() {
    return details;
  }
}
