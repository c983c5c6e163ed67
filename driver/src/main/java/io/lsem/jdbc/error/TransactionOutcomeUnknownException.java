package io.lsem.jdbc.error;

import java.sql.SQLException;

/**
 * The connection was lost while a COMMIT (or an autocommit statement that may write) was in
 * flight, and whether it took effect could not be determined: the commit ledger was off or not
 * written for it, or the old server could not be made to end the transaction within
 * {@code failoverTimeout}. Running the work again might apply it twice, so this is not a
 * transient error; the connection itself has been re-established and can be used. SQLSTATE
 * {@code 08007}.
 */
public class TransactionOutcomeUnknownException extends NonTransientConnectionException {
  private static final long serialVersionUID = 1L;

  public TransactionOutcomeUnknownException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
