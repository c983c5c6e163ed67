package io.lsem.jdbc.wrap;

import io.lsem.jdbc.failover.CausalToken;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-your-writes for a session whose connection is on a standby. Before each transaction (or
 * autocommit statement) it compares the driver's {@link CausalToken} with the replay position this
 * standby was last seen at; when the token is newer it asks the standby
 * ({@code pg_last_wal_replay_lsn()}) until the standby has caught up, for at most
 * {@code standbyReadWait}, and otherwise moves the session to the primary. No round trip while
 * nothing new was written.
 */
final class StandbyReads {
  private static final Logger LOG = LoggerFactory.getLogger(StandbyReads.class);
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final ConnectionSession session;
  private final long waitNanos;
  /** The standby had replayed at least this far when last asked. */
  private long confirmed;

  StandbyReads(ConnectionSession session) {
    this.session = session;
    this.waitNanos = session.context.settings().standbyReadWait().toNanos();
  }

  /**
   * Makes sure the standby has replayed the driver's newest write; returns {@code false} when it
   * did not in time and the session moved to the primary.
   */
  boolean awaitCausalToken() throws SQLException {
    long token = session.context.causal().lsn();
    if (token <= confirmed) {
      return true;
    }
    long deadline = System.nanoTime() + waitNanos;
    for (;;) {
      long replayed = replayLsn();
      if (replayed >= token) {
        confirmed = replayed;
        return true;
      }
      if (System.nanoTime() - deadline >= 0) {
        LOG.info("standby {} had replayed {} but this driver wrote up to {}; reading from the primary instead",
            ConnectionSession.hostOf(session.physical), CausalToken.format(replayed), CausalToken.format(token));
        session.moveToPrimary();
        return false;
      }
      LockSupport.parkNanos(POLL_NANOS); // polls the standby's replay position until the deadline
    }
  }

  private long replayLsn() throws SQLException {
    try (ResultSet rs = session.physical.execSQLQuery("SELECT pg_catalog.pg_last_wal_replay_lsn()::pg_catalog.text")) {
      rs.next();
      String lsn = rs.getString(1);
      return lsn == null ? Long.MAX_VALUE : CausalToken.parse(lsn); // null: not a standby (promoted)
    }
  }
}
