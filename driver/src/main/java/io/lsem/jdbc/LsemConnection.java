package io.lsem.jdbc;

import java.sql.Connection;

/**
 * What an LSEM connection offers beyond {@link Connection}. Every connection the driver hands
 * out implements it, so {@code conn.unwrap(LsemConnection.class)} always works, also through
 * pools that wrap the connection again.
 */
public interface LsemConnection extends Connection {

  /** Where the connection stands in its transaction and why; no round trip. */
  TransactionStatus transactionStatus();

  /** What transparent retry has done on this connection. */
  RetryStats retryStats();

  /**
   * Switches transparent retry for this connection (the {@code retry} property sets the
   * default). Switching it off also gives up replaying the open transaction.
   */
  void setRetryEnabled(boolean enabled);

  boolean isRetryEnabled();

  /**
   * No transparent retry for the open transaction, or, if none is open, for the next one: its
   * retryable errors reach the application as they are.
   */
  void disableRetryForTransaction();
}
