package io.lsem.jdbc.xa;

import io.lsem.jdbc.ledger.OracleRegistry;
import io.lsem.jdbc.clock.TimestampOracle;
import io.lsem.jdbc.ledger.TimestampSession;
import io.lsem.jdbc.wrap.ConnectionSession;
import io.lsem.jdbc.wrap.ConnectionWrapper;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.ConnectionEvent;
import javax.sql.ConnectionEventListener;
import javax.sql.StatementEventListener;
import javax.sql.XAConnection;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * One physical connection through the LSEM driver as an XA resource, for a transaction manager:
 * the application's statements of a branch run through the driver (transaction tracking,
 * timestamps, typed errors), and the two-phase-commit steps are PostgreSQL's {@code PREPARE
 * TRANSACTION}, {@code COMMIT PREPARED} and {@code ROLLBACK PREPARED}, run once each (never
 * replayed). With timestamps on, every branch of a global transaction records in its database's
 * ledger the same logical id and the same commit timestamp ({@link GlobalTransactions}), and the
 * XA global transaction id, right before its PREPARE. Recovery lists only LSEM's branches of the
 * connected database. One thread at a time, like a JDBC connection; no interleaving of branches
 * (the association model of pgjdbc's own XA resource).
 */
public final class LsemXAConnection implements XAConnection, XAResource, AutoCloseable {
  /** The lease the XA steps run on: never handed to the application, closed with the XA connection. */
  private final ConnectionWrapper resource;
  private final ConnectionSession session;
  private final GlobalTransactions globals;
  private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();
  /** The application's current handle, or {@code null}. */
  private ConnectionWrapper handle;
  /** The branch associated with (or ended on, not yet prepared) this connection, or {@code null}. */
  private Xid current;
  private boolean ended;
  private boolean rollbackOnly;
  private boolean autoCommitBefore;
  private volatile boolean closed;

  /** An XA connection over {@code connection}, a fresh connection of the LSEM driver it now owns. */
  public LsemXAConnection(ConnectionWrapper connection) {
    this.resource = connection;
    this.session = connection.session();
    TimestampOracle oracle = session.context().ledger().oracle();
    this.globals = OracleRegistry.shared().companion(oracle, GlobalTransactions.class, GlobalTransactions::new);
    session.releaseWith(lease -> {
      try {
        rollbackLocalWork();
        lease.endLease(); // closing a handle gives the connection back to this XA connection
      } finally {
        handleClosed(lease);
      }
    });
  }

  // ---- XAConnection ---------------------------------------------------------------------------

  /**
   * A new handle to the connection; the previous one is closed (JDBC's rule for pooled
   * connections). Outside a global transaction it starts in autocommit, as a new connection does.
   */
  @Override
  public synchronized Connection getConnection() throws SQLException {
    if (closed) {
      throw new SQLException("This XA connection has been closed.", "08003");
    }
    if (handle != null) {
      ConnectionWrapper previous = handle;
      handle = null;
      previous.close();
    }
    if (current == null && !resource.getAutoCommit()) {
      resource.setAutoCommit(true);
    }
    handle = ConnectionWrapper.lease(session);
    return handle;
  }

  /** A handle closed outside a global transaction with a local one open: rolled back, as a pool would. */
  private synchronized void rollbackLocalWork() throws SQLException {
    if (current == null && !closed
        && resource.unwrap(BaseConnection.class).getTransactionState() != TransactionState.IDLE) {
      resource.rollback();
    }
  }

  private void handleClosed(ConnectionWrapper lease) {
    synchronized (this) {
      if (lease != handle) {
        return; // replaced by a newer handle: not an event for the pool
      }
      handle = null;
    }
    ConnectionEvent event = new ConnectionEvent(this);
    for (ConnectionEventListener l : listeners) {
      l.connectionClosed(event);
    }
  }

  /** Closes the physical connection; an unprepared branch on it is rolled back by the server. */
  @Override
  public synchronized void close() throws SQLException {
    if (closed) {
      return;
    }
    closed = true;
    session.xaBranch(null, null);
    session.releaseWith(null);
    resource.close();
  }

  @Override
  public XAResource getXAResource() {
    return this;
  }

  @Override
  public void addConnectionEventListener(ConnectionEventListener listener) {
    listeners.add(listener);
  }

  @Override
  public void removeConnectionEventListener(ConnectionEventListener listener) {
    listeners.remove(listener);
  }

  @Override
  public void addStatementEventListener(StatementEventListener listener) {
    // no statement pooling: there are no statement events to report
  }

  @Override
  public void removeStatementEventListener(StatementEventListener listener) {
    // see addStatementEventListener
  }

  // ---- XAResource: one branch on this connection ----------------------------------------------

  @Override
  public synchronized void start(Xid xid, int flags) throws XAException {
    open();
    requireXid(xid);
    if (flags == TMJOIN || flags == TMRESUME) {
      if (current != null && ended && XidCodec.same(current, xid)) {
        ended = false; // the same branch again on the same connection
        return;
      }
      throw error(XAException.XAER_RMERR, (flags == TMJOIN ? "TMJOIN" : "TMRESUME") + " of " + XidCodec.describe(xid)
          + ": only the branch that ended last on this connection can be joined (no interleaving)", null);
    }
    if (flags != TMNOFLAGS) {
      throw error(XAException.XAER_INVAL, "start flags must be TMNOFLAGS, TMJOIN or TMRESUME, not " + flags, null);
    }
    if (current != null) {
      throw error(XAException.XAER_PROTO, "start of " + XidCodec.describe(xid) + " while " + XidCodec.describe(current)
          + " is still " + (ended ? "ended but not prepared" : "active") + " on this connection", null);
    }
    try {
      autoCommitBefore = resource.getAutoCommit();
      resource.setAutoCommit(false);
      TimestampSession timestamps = session.timestamps();
      if (timestamps != null) {
        GlobalTransactions.Global g = globals.begin(XidCodec.global(xid));
        timestamps.joinGlobal(g.id, g.startTs);
      }
    } catch (SQLException e) {
      throw error(XAException.XAER_RMERR, "start of " + XidCodec.describe(xid), e);
    }
    current = xid;
    ended = false;
    rollbackOnly = false;
    session.xaBranch(XidCodec.describe(xid), resource);
  }

  @Override
  public synchronized void end(Xid xid, int flags) throws XAException {
    open();
    requireXid(xid);
    if (flags != TMSUCCESS && flags != TMFAIL && flags != TMSUSPEND) {
      throw error(XAException.XAER_INVAL, "end flags must be TMSUCCESS, TMFAIL or TMSUSPEND, not " + flags, null);
    }
    requireCurrent(xid, "end");
    if (ended) {
      throw error(XAException.XAER_PROTO, "end of " + XidCodec.describe(xid) + ", which already ended", null);
    }
    ended = true; // TMSUSPEND as TMSUCCESS: it may be resumed (TMRESUME) on this connection only
    rollbackOnly |= flags == TMFAIL;
    session.xaBranchEnded();
  }

  /**
   * Records the branch in the ledger with the global transaction's id and commit timestamp (when
   * timestamps are on and it wrote) and prepares it, in one round trip. A failure rolls the branch
   * back: a serialization failure or deadlock is reported as {@code XA_RBROLLBACK} /
   * {@code XA_RBDEADLOCK} with the typed SQL exception as its cause.
   */
  @Override
  public synchronized int prepare(Xid xid) throws XAException {
    open();
    requireXid(xid);
    requireCurrent(xid, "prepare");
    if (!ended) {
      throw error(XAException.XAER_PROTO, "prepare of " + XidCodec.describe(xid) + " before end", null);
    }
    if (rollbackOnly) {
      rollbackCurrent();
      throw error(XAException.XA_RBROLLBACK, XidCodec.describe(xid) + " ended with TMFAIL and was rolled back", null);
    }
    String prepare = "PREPARE TRANSACTION '" + XidCodec.gid(xid) + "'";
    try {
      TimestampSession timestamps = session.timestamps();
      String record = timestamps == null ? null
          : timestamps.branchRecord(globals.commitTimestamp(XidCodec.global(xid)), XidCodec.global(xid));
      resource.executeOnce(record == null ? prepare : record + "; " + prepare);
    } catch (SQLException e) {
      try {
        rollbackCurrent();
      } catch (XAException rollbackFailed) {
        e.addSuppressed(rollbackFailed);
      }
      throw prepareFailed(xid, e);
    }
    forgetCurrent();
    return XA_OK;
  }

  @Override
  public synchronized void commit(Xid xid, boolean onePhase) throws XAException {
    open();
    requireXid(xid);
    if (onePhase) {
      requireCurrent(xid, "one-phase commit");
      if (!ended) {
        throw error(XAException.XAER_PROTO, "commit of " + XidCodec.describe(xid) + " before end", null);
      }
      if (rollbackOnly) {
        rollbackCurrent();
        throw error(XAException.XA_RBROLLBACK, XidCodec.describe(xid) + " ended with TMFAIL and was rolled back", null);
      }
      session.xaBranch(null, null);
      try {
        resource.commit(); // an ordinary COMMIT: its ledger row, and transparent retry, as for any
      } catch (SQLException e) {
        forgetCurrent();
        throw error(rolledBack(e) ? XAException.XA_RBROLLBACK : XAException.XAER_RMERR,
            "one-phase commit of " + XidCodec.describe(xid), e);
      }
      forgetCurrent();
      globals.ended(XidCodec.global(xid));
      return;
    }
    secondPhase("COMMIT PREPARED", xid);
  }

  @Override
  public synchronized void rollback(Xid xid) throws XAException {
    open();
    requireXid(xid);
    if (current != null && XidCodec.same(current, xid)) {
      rollbackCurrent();
      globals.ended(XidCodec.global(xid));
      return;
    }
    secondPhase("ROLLBACK PREPARED", xid);
  }

  private void secondPhase(String command, Xid xid) throws XAException {
    if (current != null) {
      throw error(XAException.XAER_PROTO, command + " of " + XidCodec.describe(xid) + " on a connection that has "
          + XidCodec.describe(current) + " open: finish it first, or use another connection", null);
    }
    try {
      if (!resource.getAutoCommit()) {
        resource.setAutoCommit(true); // COMMIT PREPARED cannot run inside a transaction block
      }
      resource.executeOnce(command + " '" + XidCodec.gid(xid) + "'");
    } catch (SQLException e) {
      if ("42704".equals(e.getSQLState())) {
        throw error(XAException.XAER_NOTA, command + ": no prepared branch " + XidCodec.describe(xid)
            + " in this database (already finished, or never prepared)", e);
      }
      throw error(lost(e) ? XAException.XAER_RMFAIL : XAException.XAER_RMERR, command + " of " + XidCodec.describe(xid), e);
    } finally {
      globals.ended(XidCodec.global(xid));
    }
  }

  /** Rolls back the branch open on this connection (not prepared) and ends the association. */
  private void rollbackCurrent() throws XAException {
    session.xaBranch(null, null);
    try {
      BaseConnection physical = resource.unwrap(BaseConnection.class);
      if (physical.getTransactionState() != TransactionState.IDLE) {
        resource.rollback();
      }
    } catch (SQLException e) {
      if (!lost(e)) {
        throw error(XAException.XAER_RMERR, "rollback of " + XidCodec.describe(current), e);
      } // a lost connection rolled the branch back
    } finally {
      forgetCurrent();
    }
  }

  /** The branch is no longer associated: autocommit back to what it was before {@link #start}. */
  private void forgetCurrent() {
    session.xaBranch(null, null);
    TimestampSession timestamps = session.timestamps();
    if (timestamps != null) {
      timestamps.joinGlobal(null, 0);
    }
    current = null;
    ended = false;
    rollbackOnly = false;
    try {
      if (!resource.isClosed() && resource.getAutoCommit() != autoCommitBefore) {
        resource.setAutoCommit(autoCommitBefore);
      }
    } catch (SQLException e) {
      // the connection is gone: the next call reports it
    }
  }

  // ---- XAResource: recovery and the rest ------------------------------------------------------

  /**
   * The prepared branches of LSEM in the connected database, on {@code TMSTARTRSCAN} (all at once);
   * an empty list for the rest of the scan. Branches of other programs are never returned.
   */
  @Override
  public Xid[] recover(int flag) throws XAException {
    open();
    if ((flag & ~(TMSTARTRSCAN | TMENDRSCAN)) != 0) {
      throw error(XAException.XAER_INVAL, "recover flags must be TMSTARTRSCAN, TMENDRSCAN or TMNOFLAGS, not " + flag, null);
    }
    if ((flag & TMSTARTRSCAN) == 0) {
      return new Xid[0];
    }
    List<Xid> found = new ArrayList<>();
    // execSQLQuery sends no BEGIN: the scan works on a connection in any autocommit mode
    try (ResultSet rs = resource.unwrap(BaseConnection.class).execSQLQuery("SELECT gid FROM pg_catalog.pg_prepared_xacts"
        + " WHERE database = pg_catalog.current_database() AND pg_catalog.starts_with(gid, '" + XidCodec.PREFIX + "')")) {
      while (rs.next()) {
        Xid xid = XidCodec.parse(rs.getString(1));
        if (xid != null) {
          found.add(xid);
        }
      }
    } catch (SQLException e) {
      throw error(lost(e) ? XAException.XAER_RMFAIL : XAException.XAER_RMERR, "recover", e);
    }
    return found.toArray(new Xid[0]);
  }

  /** PostgreSQL never completes a branch heuristically: there is nothing to forget. */
  @Override
  public void forget(Xid xid) throws XAException {
    open();
    requireXid(xid);
    throw error(XAException.XAER_NOTA, "forget of " + XidCodec.describe(xid)
        + ": PostgreSQL makes no heuristic decisions, so no branch is left to forget", null);
  }

  @Override
  public boolean isSameRM(XAResource other) {
    return other == this;
  }

  @Override
  public int getTransactionTimeout() {
    return 0;
  }

  @Override
  public boolean setTransactionTimeout(int seconds) {
    return false; // branches are bounded by the server's idle_in_transaction_session_timeout, not here
  }

  // ---- errors ---------------------------------------------------------------------------------

  private void open() throws XAException {
    if (closed) {
      throw error(XAException.XAER_RMFAIL, "This XA connection has been closed.", null);
    }
  }

  private static void requireXid(Xid xid) throws XAException {
    if (xid == null) {
      throw error(XAException.XAER_INVAL, "the xid is null", null);
    }
  }

  private void requireCurrent(Xid xid, String step) throws XAException {
    if (current == null || !XidCodec.same(current, xid)) {
      throw error(XAException.XAER_NOTA, step + " of " + XidCodec.describe(xid) + ", which "
          + (current == null ? "is not open on this connection" : "is not the branch open on it, " + XidCodec.describe(current)),
          null);
    }
  }

  private XAException prepareFailed(Xid xid, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.equals("55000") && String.valueOf(e.getMessage()).contains("prepared transactions are disabled")) {
      return error(XAException.XAER_RMERR, "prepare of " + XidCodec.describe(xid) + ": the server has"
          + " max_prepared_transactions = 0, so two-phase commit is off; set it (to max_connections, say) and restart"
          + " the server. The branch was rolled back", e);
    }
    int code = state.equals("40P01") ? XAException.XA_RBDEADLOCK
        : state.startsWith("40") ? XAException.XA_RBROLLBACK
        : state.startsWith("23") ? XAException.XA_RBINTEGRITY
        : lost(e) ? XAException.XAER_RMFAIL : XAException.XA_RBROLLBACK;
    return error(code, "prepare of " + XidCodec.describe(xid) + " failed; the branch was rolled back", e);
  }

  private static boolean rolledBack(SQLException e) {
    return e.getSQLState() != null && e.getSQLState().startsWith("40");
  }

  /** The connection is gone: 08xxx, or the server shutting down or starting (57P01-57P03). */
  private static boolean lost(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("08") || state.startsWith("57P0"));
  }

  private static XAException error(int code, String message, SQLException cause) {
    XAException e = new XAException(cause == null ? message
        : message + ": " + cause.getMessage() + " (SQLSTATE " + cause.getSQLState() + ")");
    e.errorCode = code;
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }
}
