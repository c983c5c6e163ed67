package io.lsem.jdbc.wrap;

import io.lsem.jdbc.failover.HostSpec;
import io.lsem.jdbc.failover.PrimaryFinder;
import io.lsem.jdbc.ledger.TimestampSession;
import io.lsem.jdbc.tx.RetryController.CommitOutcome;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.postgresql.core.BaseConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, after a reconnection, whether the COMMIT whose answer was lost took effect. First it
 * makes sure the lost transaction can no longer commit: on the same server its backend is
 * terminated and waited for; when the primary moved, the old server is unreachable or no longer a
 * primary (a split brain is answered with "unknown"). Then the commit ledger on the current
 * primary says whether the transaction's logical id was recorded. Without the ledger, the
 * {@link XidProof} decides: the xid recorded before the COMMIT and {@code pg_xact_status} on the same
 * server; without one, only a transaction that is read only by the server's rule is resolved.
 */
final class CommitResolver {
  private static final Logger LOG = LoggerFactory.getLogger(CommitResolver.class);
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  /** Slack between this JVM's clock and the server's when telling the lost backend from a later one with its pid. */
  private static final long CLOCK_SLACK_SECONDS = 5;

  private final ConnectionSession session;
  private final LostConnection lost;
  private final XidProof xid;
  private final long deadline;

  CommitResolver(ConnectionSession session, LostConnection lost, XidProof xid) {
    this.session = session;
    this.lost = lost;
    this.xid = xid;
    this.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(session.context.connector().failoverTimeoutMillis());
  }

  CommitOutcome resolve() throws SQLException {
    TimestampSession ts = session.timestamps;
    UUID txn = ts == null ? null : ts.transactionId();
    boolean ledgered = txn != null && ts.ledgerRowSent();
    CommitOutcome onOldServer = endLostTransaction(ledgered ? txn : null);
    if (onOldServer != null) {
      return onOldServer;
    }
    if (!ledgered) {
      return xid.outcome(session.physical, lost.host().equals(ConnectionSession.hostOf(session.physical)));
    }
    try (ResultSet rs = session.physical.execSQLQuery(
        "SELECT commit_ts, pg_catalog.pg_current_wal_lsn()::pg_catalog.text FROM lsem.commit_log WHERE txn_id = '" + txn + "'::pg_catalog.uuid")) {
      if (rs.next()) {
        ts.committedElsewhere(rs.getLong(1), rs.getString(2));
        return CommitOutcome.COMMITTED;
      }
    }
    return CommitOutcome.NOT_COMMITTED;
  }

  /**
   * Makes sure the lost transaction has ended where it ran. Returns {@code null} when it has (the
   * current primary's ledger decides), or the outcome when it cannot be made sure of.
   */
  private CommitOutcome endLostTransaction(UUID txn) throws SQLException {
    HostSpec lostHost = lost.host();
    if (lostHost.equals(ConnectionSession.hostOf(session.physical))) {
      return backendEnded(session.physical) ? null : CommitOutcome.UNKNOWN;
    }
    BaseConnection old;
    try {
      old = session.context.connector().open(lostHost);
    } catch (SQLException unreachable) {
      // The old primary is down; the promoted server's history is the one that survives (the old
      // one must be rewound before it rejoins), so its ledger decides.
      return null;
    }
    try (old) {
      if (PrimaryFinder.inRecovery(old)) {
        return null; // it restarted as a standby: the lost backend is gone, and it follows the new primary
      }
      LOG.warn("{} and {} both answer as primary; the lost transaction is ended on {}", lostHost,
          ConnectionSession.hostOf(session.physical), lostHost);
      if (!backendEnded(old)) {
        return CommitOutcome.UNKNOWN;
      }
      if (txn != null && recorded(old, txn)) {
        return CommitOutcome.UNKNOWN; // committed on a server that is no longer the primary
      }
      return null;
    }
  }

  /** Terminates the lost backend on {@code server} if it still runs, and waits until it has gone. */
  private boolean backendEnded(BaseConnection server) throws SQLException {
    long startedBefore = lost.connectedAtMillis() / 1000 + CLOCK_SLACK_SECONDS;
    String sql = "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE pid = " + lost.backendPid()
        + " AND backend_start <= pg_catalog.to_timestamp(" + startedBefore + ")";
    for (;;) {
      try (ResultSet rs = server.execSQLQuery(sql)) {
        if (!rs.next()) {
          return true;
        }
      }
      if (System.nanoTime() - deadline > 0) {
        LOG.warn("backend {} of the lost connection was still running after failoverTimeout", lost.backendPid());
        return false;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(POLL_NANOS); // polls the server until the backend has exited
    }
  }


  private static boolean recorded(BaseConnection c, UUID txn) throws SQLException {
    try (ResultSet rs = c.execSQLQuery("SELECT 1 FROM lsem.commit_log WHERE txn_id = '" + txn + "'::pg_catalog.uuid")) {
      return rs.next();
    }
  }
}
