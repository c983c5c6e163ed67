package io.lsem.jdbc.wrap;

import io.lsem.jdbc.tx.RetryController.CommitOutcome;
import io.lsem.jdbc.tx.Transaction;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.ServerVersion;
import org.postgresql.core.TransactionState;

/**
 * The proof that settles a lost COMMIT when timestamps are off (no ledger row): the
 * transaction's xid, asked for right before its COMMIT is sent, and {@code pg_xact_status} on the
 * same server after the lost backend has ended. No xid assigned means the transaction wrote
 * nothing (the server assigns one at the first write, whatever SQL did it): running it again is
 * harmless. A COMMIT that was never sent (the xid question itself failed) did not commit.
 *
 * <p>The question costs one round trip, so it is asked only for transactions the SQL classifier
 * calls reads (a performance hint: a {@code SELECT} may call a function that writes), with failover
 * on, on PostgreSQL 13 or later. A transaction the classifier saw write, or one with no xid
 * question, ends typed as "outcome unknown" unless it is read only by the server's rule
 * ({@code BEGIN READ ONLY}, {@code setReadOnly(true)}).
 */
final class XidProof {
  /** Whether the question was answered for the COMMIT in flight. */
  private boolean known;
  /** The transaction's xid8 as text, or {@code null} when none was assigned. */
  private String xid;
  /** The COMMIT in flight never left the driver: the xid question before it failed. */
  private boolean commitNotSent;
  /** The lost transaction is read only by the server's rule. */
  private boolean readOnly;

  /** A call that commits {@code tx} (API or SQL text) is about to run: the previous answer is forgotten. */
  void committing(Transaction tx) {
    known = false;
    xid = null;
    commitNotSent = false;
    readOnly = tx != null && Boolean.TRUE.equals(tx.readOnly());
  }

  /**
   * Before {@code commit()} of {@code tx} on {@code physical} (after {@link #committing}): asks for its xid when nothing else can
   * settle a lost answer. Throws (with the COMMIT not sent) when the connection fails.
   */
  void beforeCommit(BaseConnection physical, Transaction tx, boolean failover) throws SQLException {
    if (!failover || tx == null || readOnly || tx.wrote()
        || physical.getTransactionState() != TransactionState.OPEN
        || !physical.haveMinimumServerVersion(ServerVersion.v13)) {
      return;
    }
    try (ResultSet rs = physical.execSQLQuery("SELECT pg_catalog.pg_current_xact_id_if_assigned()::pg_catalog.text")) {
      rs.next();
      xid = rs.getString(1);
      known = true;
    } catch (SQLException e) {
      commitNotSent = true;
      throw e;
    }
  }

  /**
   * After the lost backend ended: the COMMIT's outcome on {@code server}, which must be the server
   * the transaction ran on ({@code sameServer}; xids of another server say nothing).
   */
  CommitOutcome outcome(BaseConnection server, boolean sameServer) {
    if (commitNotSent || readOnly || (known && xid == null)) {
      return CommitOutcome.NOT_COMMITTED;
    }
    if (!known || !sameServer) {
      return CommitOutcome.UNKNOWN;
    }
    try (ResultSet rs = server.execSQLQuery(
        "SELECT pg_catalog.pg_xact_status('" + Long.parseLong(xid) + "'::pg_catalog.xid8)")) {
      rs.next();
      String status = rs.getString(1);
      return "committed".equals(status) ? CommitOutcome.COMMITTED
          : "aborted".equals(status) ? CommitOutcome.NOT_COMMITTED : CommitOutcome.UNKNOWN;
    } catch (SQLException | NumberFormatException e) {
      return CommitOutcome.UNKNOWN;
    }
  }
}
