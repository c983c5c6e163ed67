package io.lsem.jdbc.wrap;

import io.lsem.jdbc.tx.ErrorTranslation;
import io.lsem.jdbc.tx.Replayable;
import io.lsem.jdbc.tx.RetryController;
import java.sql.SQLException;

/**
 * Finishes a recorded call that failed with a possibly retryable error: the connection's
 * {@link RetryController} replays the transaction, then the call is made again on the rebound
 * pgjdbc object, recorded, and its result returned — until it succeeds or the controller gives
 * up and throws.
 */
final class Resumption {
  private Resumption() {}

  /** The same call again, on whatever pgjdbc object the wrapper holds now. */
  @FunctionalInterface
  interface Again {
    Object call() throws SQLException;
  }

  static Object resume(ConnectionWrapper connection, Replayable target, ErrorTranslation caller, int op, int intArg,
      Object otherArgs, SQLException error, Again again) throws SQLException {
    SQLException e = error;
    for (;;) {
      connection.retry.recover(e, connection.recovery, caller);
      try {
        Object result = again.call();
        if (connection.retry.recording()) {
          connection.journal().recordBoxed(target, op, intArg, otherArgs, result);
        }
        connection.retry.succeededAfterRecovery();
        return result;
      } catch (SQLException failedAgain) {
        e = failedAgain;
      }
    }
  }
}
