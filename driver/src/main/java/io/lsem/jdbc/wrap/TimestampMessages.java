package io.lsem.jdbc.wrap;

import io.lsem.jdbc.ledger.TimestampSession;
import io.lsem.jdbc.sql.SqlInfo;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.core.TransactionState;

/**
 * Puts a transaction's timestamps on the wire with no round trip of their own where it can: the
 * BEGIN values in front of the statement that begins the transaction, the ledger row and the
 * commit LSN in the COMMIT's message. What to send is {@link TimestampSession}'s; this class only
 * chooses the message, for one connection session.
 */
final class TimestampMessages {
  private final ConnectionSession session;

  TimestampMessages(ConnectionSession session) {
    this.session = session;
  }

  /**
   * Makes {@code call} send what the transaction's timestamps have pending: through
   * {@code carrier} in the call's own message when it can, else in a message of its own (BEGIN
   * values in front of pgjdbc's implicit BEGIN, or right after SQL that began a transaction; a
   * ledger row before SQL that commits).
   */
  @SuppressWarnings("unchecked")
  <T> T around(SqlCall<T> call, Carrier carrier, SqlInfo sql) throws SQLException {
    TimestampSession ts = session.timestamps;
    if (!ts.hasPendingBegin() && !ts.commitPending()) {
      return call.call();
    }
    try {
      if (carrier != null) {
        Object carried = carrier.carry(ts);
        if (carried != Carrier.NOT_CARRIED) {
          return (T) carried;
        }
      }
      ts.sendCommitRecordSeparately(session.physical);
      if (ts.pendingBeginImplicit() && (sql == null || sql.statements().isEmpty()
          || !StatementWrapper.beginValuesFollow(sql.statements().get(0)))) {
        ts.sendBeginSeparately(session.physical);
      }
      T result = call.call();
      if (ts.hasPendingBegin() && session.physical.getTransactionState() != TransactionState.IDLE) {
        ts.sendBeginSeparately(session.physical);
      }
      return result;
    } finally {
      ts.clearPending();
    }
  }

  /**
   * The COMMIT message with timestamps: the ledger row, {@code commitSql}, the commit LSN, in one
   * round trip on a statement of its own; then, at most once a minute, a ledger retention batch.
   */
  void commitWithLedger(String commitSql) throws SQLException {
    TimestampSession ts = session.timestamps;
    try {
      if (commitSql.equals("COMMIT")) {
        java.sql.PreparedStatement message = session.commitMessage();
        ts.bindCommit(message);
        message.execute();
        ts.readCommitResults(message);
      } else {
        try (Statement s = session.physical.createStatement()) {
          s.execute(ts.commitText(commitSql)); // the application's own COMMIT text
          ts.readCommitResults(s);
        }
      }
    } catch (SQLException e) {
      endFailedCommit(e);
      throw e;
    }
    ts.afterCommitMessage(session.physical);
  }

  /**
   * A COMMIT message failed before its COMMIT ran (the ledger row hit a serialization failure,
   * say): the transaction is aborted but still open. A failed COMMIT ends the transaction, as with
   * pgjdbc alone, so it is rolled back here.
   */
  private void endFailedCommit(SQLException e) {
    if (session.physical.getTransactionState() == TransactionState.IDLE) {
      return;
    }
    try {
      session.physical.execSQLUpdate("ROLLBACK");
    } catch (SQLException rollbackFailed) {
      e.addSuppressed(rollbackFailed); // the connection is likely gone; failover takes it from here
    }
  }
}
