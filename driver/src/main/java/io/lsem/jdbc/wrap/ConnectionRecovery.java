package io.lsem.jdbc.wrap;

import io.lsem.jdbc.TransactionStatus;
import io.lsem.jdbc.tx.RetryController;
import io.lsem.jdbc.tx.TransactionTracker;
import java.sql.SQLException;

/**
 * What transparent retry and failover ask of one connection ({@link RetryController.Host}): roll
 * the open transaction back for a replay, tell a lost connection from an error the application
 * must see, reconnect, and settle a COMMIT whose answer was lost ({@link CommitResolver}, with the
 * {@link XidProof} this class keeps for connections without a ledger). The only host: statements
 * and result sets recover through their connection's.
 */
final class ConnectionRecovery implements RetryController.Host {
  private final ConnectionWrapper connection;
  private final ConnectionSession session;
  private final TransactionTracker tracker;
  private final WrapperContext context;
  /** What settles a lost COMMIT with timestamps off: the transaction's xid, taken before COMMIT. */
  final XidProof xidProof = new XidProof();

  ConnectionRecovery(ConnectionWrapper connection) {
    this.connection = connection;
    this.session = connection.session;
    this.tracker = connection.tracker;
    this.context = connection.context;
  }

  @Override
  public void rollbackForRetry() throws SQLException {
    if (tracker.status().state() == TransactionStatus.State.IDLE) {
      return; // e.g. a failed COMMIT: the server already rolled back
    }
    if (connection.delegate.getAutoCommit()) {
      tracker.beforeRollbackForRetry(connection.classify("ROLLBACK"));
      try {
        connection.delegate.execSQLUpdate("ROLLBACK");
      } catch (SQLException e) {
        tracker.afterCall(e);
        throw e;
      }
    } else {
      tracker.beforeRollbackForRetry(null);
      try {
        connection.delegate.rollback();
      } catch (SQLException e) {
        tracker.afterCall(e);
        throw e;
      }
    }
    tracker.afterCall(null);
  }

  @Override
  public boolean connectionLost(SQLException e) {
    if (connection.delegate == ClosedConnection.INSTANCE || context.connector() == null) {
      return false; // the application closed this handle, or failover is off
    }
    if (timedOut(e)) {
      return false; // the application's own socketTimeout / setNetworkTimeout: pgjdbc closed the connection on purpose
    }
    if (connection.calls.lastCallForcesDisconnect() || session.boundTo != null) {
      if (!lostConnection(e)) {
        return false;
      }
      // pgjdbc closed it on purpose (client_encoding, DateStyle), or a new session would be mistaken
      // for this one: the application gets pgjdbc's error and the connection stays closed
      e.addSuppressed(new SQLException("The connection was not re-established because "
          + (session.boundTo != null ? "the session had state a new session would not have: " + session.boundTo
          : "the call changed client_encoding or DateStyle, which pgjdbc answers by closing the connection")));
      try {
        session.physical.abort(Runnable::run);
      } catch (SQLException alreadyGone) {
        // closed anyway
      }
      return false;
    }
    return lostConnection(e);
  }

  /** Whether {@code e} means the physical connection is gone. */
  private boolean lostConnection(SQLException e) {
    for (SQLException x = e; x != null; x = x.getNextException()) {
      String state = x.getSQLState();
      if (state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
          || state.equals("57P03"))) {
        return true;
      }
      if (x.getNextException() == x) {
        break;
      }
    }
    try {
      return session.physical.isClosed();
    } catch (SQLException cannotTell) {
      return true;
    }
  }

  /**
   * Whether {@code e} comes from a read that outlasted the network timeout the application set
   * ({@code socketTimeout}, {@code setNetworkTimeout}): pgjdbc then closes the connection, and that
   * is the application's decision, not a failure to repair — the call is not made again and no
   * other connection replaces this one, exactly as with pgjdbc alone.
   */
  static boolean timedOut(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.net.SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void reconnect() throws SQLException {
    session.reconnect();
    connection.rebindAfterReconnect();
  }

  @Override
  public RetryController.CommitOutcome resolveCommit() throws SQLException {
    return session.resolveLostCommit(xidProof);
  }
}
