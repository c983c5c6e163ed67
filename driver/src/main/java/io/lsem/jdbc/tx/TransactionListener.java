package io.lsem.jdbc.tx;

import java.sql.SQLException;

/**
 * Hook for what must happen at transaction boundaries (timestamps, recording, failover).
 * Called by {@link TransactionTracker} on the connection's thread. "Before" methods run before
 * the message that carries the boundary is sent and may throw to stop the call; "after" methods
 * run once the server has confirmed the boundary.
 */
public interface TransactionListener {

  /** {@code tx} begins with the message about to be sent (implicit BEGIN or BEGIN in the text). */
  default void beforeBegin(Transaction tx) throws SQLException {}

  /** {@code tx} is asked to commit by the message about to be sent (API or SQL text). */
  default void beforeCommit(Transaction tx) throws SQLException {}

  /** The server confirmed that {@code tx} committed. */
  default void afterCommit(Transaction tx) {}

  /** {@code tx} ended without committing: rolled back by the application, or by the closing of its connection. */
  default void afterRollback(Transaction tx) {}

  /**
   * {@code tx} ended without committing because it was interrupted: its COMMIT failed (the server
   * rolled it back), the driver rolled it back to replay it, or its connection was lost. Transparent
   * retry may run it again as the same logical transaction (its BEGIN then says
   * {@link Transaction#isReplay()}). By default the same as {@link #afterRollback}.
   */
  default void afterInterrupted(Transaction tx) {
    afterRollback(tx);
  }

  /** {@code tx} was detached by {@code PREPARE TRANSACTION}; its outcome is decided later, elsewhere. */
  default void afterPrepare(Transaction tx) {}
}
