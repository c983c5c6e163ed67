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

  /**
   * The open transaction's logical id ({@code current_setting('lsem.txn_id')} on the server; the
   * same across transparent retries), or {@code null} outside a transaction or with timestamps off.
   */
  java.util.UUID currentTransactionId();

  /** The open transaction's start timestamp (hybrid logical clock), or 0. */
  long currentStartTimestamp();

  /**
   * Where the last transaction that ended on this connection spent its time, by layer (server,
   * timestamp oracle, transparent retry, the application between calls, the driver). Measured
   * without an extra round trip, and only while someone looks: from the first call of this method
   * on (which returns {@code null} if nothing was measured yet), or always while
   * {@code slowTransactionThreshold} is set or a flight recording enables the JFR event.
   */
  TransactionBreakdown lastTransactionBreakdown();

  /** The commit timestamp of the last transaction this connection committed, or 0. */
  long lastCommitTimestamp();

  /** A WAL position at or after the commit record of the last commit ({@code 0/1A2B3C4D}), or {@code null}. */
  String lastCommitLsn();

  /**
   * Moves this JVM's clock to at least {@code timestamp}, a causal token from another service
   * (e.g. its {@link #lastCommitTimestamp()} passed in an HTTP header): transactions that begin
   * afterwards get later timestamps.
   *
   * @throws java.sql.SQLException (SQLSTATE 22023) if the token is further ahead of this JVM's
   *     clock than {@code clockMaxOffset}
   */
  void observe(long timestamp) throws java.sql.SQLException;

  /**
   * Read-your-writes on standbys for a causal token from elsewhere (another service's
   * {@link #lastCommitLsn()}): from now on, reads of this driver on a standby wait until it has
   * replayed at least {@code lsn} (see property {@code standbyReadWait}).
   *
   * @throws java.sql.SQLException (SQLSTATE 22023) if {@code lsn} is not of the form {@code 16/B374D848}
   */
  void observeLsn(String lsn) throws java.sql.SQLException;
}
