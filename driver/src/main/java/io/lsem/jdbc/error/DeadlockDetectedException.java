package io.lsem.jdbc.error;

import java.sql.SQLException;

/**
 * Deadlock: the server aborted this transaction to break a lock cycle. Running the transaction
 * again can succeed. SQLSTATE {@code 40P01}.
 */
public class DeadlockDetectedException extends TransactionRollbackException {
  private static final long serialVersionUID = 1L;

  public DeadlockDetectedException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
