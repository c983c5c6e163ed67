package io.lsem.jdbc.error;

import java.sql.SQLException;

/**
 * Serialization failure: under REPEATABLE READ or SERIALIZABLE a concurrent transaction made
 * this one impossible. Running the transaction again can succeed. SQLSTATE {@code 40001}.
 */
public class SerializationFailureException extends TransactionRollbackException {
  private static final long serialVersionUID = 1L;

  public SerializationFailureException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }

  /** With a message of the driver's own. */
  protected SerializationFailureException(String message, ErrorDetails details, SQLException cause) {
    super(message, details, cause);
  }
}
