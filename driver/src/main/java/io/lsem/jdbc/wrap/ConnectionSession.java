package io.lsem.jdbc.wrap;

import io.lsem.jdbc.failover.PhysicalConnector;
import io.lsem.jdbc.failover.PrimaryFinder;
import io.lsem.jdbc.ledger.TimestampSession;
import io.lsem.jdbc.tx.RetryController;
import io.lsem.jdbc.tx.TransactionTracker;
import java.sql.SQLException;
import org.postgresql.core.BaseConnection;

/**
 * What lives as long as one physical pgjdbc connection: its transaction state machine, its
 * transparent-retry controller and journal. A {@link ConnectionWrapper} is one lease of a
 * session: without a pool the session has exactly one; a pool hands out a fresh, light wrapper
 * for every borrow of the same session, so that a connection handle the application closed can
 * never touch the session again.
 */
public final class ConnectionSession {
  /** The pgjdbc connection; replaced when a lost connection is re-established. */
  BaseConnection physical;
  final WrapperContext context;
  final TransactionTracker tracker;
  final RetryController retry;
  /** Where each transaction's time goes. */
  final TransactionClock clock;
  /** Global timestamps of this connection, or {@code null} when they are off. */
  final TimestampSession timestamps;
  final SessionSettings settings = new SessionSettings();
  /** Bumped by every reconnection: statements made before must make new pgjdbc statements. */
  private int generation;
  /** The connection that was lost last, to make sure its transaction ended. */
  private LostConnection lost;
  /**
   * Why this session cannot be replaced by a new one (temporary objects, LISTEN, session advisory
   * locks, PREPAREd statements, cursors WITH HOLD, SET ROLE, …), or {@code null}: once set, a lost
   * connection is not re-established and the application gets pgjdbc's error. Never cleared.
   */
  String boundTo;
  /** When the current physical connection was opened (this JVM's clock). */
  private long connectedAtMillis = System.currentTimeMillis();
  /** Read-your-writes while the connection is on a standby; {@code null} on a primary. */
  StandbyReads standby;
  private int statementsCreated;
  private Releaser releaser;
  /** SQL a pool ran on the connection when it opened it ({@code poolInitSql}); run again on a new physical connection. */
  private String initSql;

  /** Decides what closing a lease means; the default closes the physical connection. */
  @FunctionalInterface
  public interface Releaser {
    /** {@code lease} was closed by the application. */
    void release(ConnectionWrapper lease) throws SQLException;
  }

  /**
   * The XA branch this connection is associated with (described for messages), or {@code null};
   * while set, only {@link #xaLease} may end the transaction (the transaction manager's steps).
   */
  private volatile String xaBranch;
  private ConnectionWrapper xaLease;

  /** The connection takes part in XA branch {@code branch} ({@code null}: no longer); {@code owner} runs its steps. */
  public void xaBranch(String branch, ConnectionWrapper owner) {
    this.xaLease = owner;
    this.xaBranch = branch;
  }

  /**
   * Throws when {@code lease} may not end the transaction itself ({@code call}: commit, rollback,
   * setAutoCommit(true)) because an XA branch is in progress on this connection.
   */
  void requireLocalTransactionControl(ConnectionWrapper lease, String call) throws SQLException {
    String branch = xaBranch;
    if (branch != null && lease != xaLease) {
      throw new SQLException(call + " is not allowed while the connection takes part in the XA global transaction "
          + branch + ": the transaction manager ends it (XAResource.prepare/commit/rollback)", "55000");
    }
  }

  /** The XA branch open on this connection ended: the transaction manager's time starts (for the breakdown). */
  public void xaBranchEnded() {
    clock.branchEnded(System.nanoTime());
  }

  /** The pool handed this connection out after {@code nanos} of waiting: part of its next transaction's time. */
  public void poolWaited(long nanos) {
    clock.poolWaited(nanos);
  }

  public ConnectionSession(BaseConnection physical, WrapperContext context) throws SQLException {
    this.physical = physical;
    this.context = context;
    this.tracker = new TransactionTracker(physical);
    this.retry = new RetryController(context.retryPolicy(), tracker);
    tracker.addListener(retry);
    if (context.ledger().prepare(physical)) {
      timestamps = new TimestampSession(context.ledger());
      tracker.addListener(timestamps);
      retry.identifyTransactionsWith(timestamps::transactionId);
    } else {
      timestamps = null;
    }
    tracker.addListener(settings);
    clock = new TransactionClock(this, context.settings().slowTransactionThreshold().toNanos(),
        context.telemetry());
    tracker.addListener(clock);
    PhysicalConnector connector = context.connector();
    if (connector != null && connector.mayOpenStandbys() && PrimaryFinder.inRecovery(physical)) {
      standby = new StandbyReads(this);
      context.causal().standbyReaderOpened();
    }
  }


  /**
   * A standby could not serve a read with this driver's newest writes in time: the session moves
   * to the primary (between transactions, so nothing is lost) and stays there.
   */
  void moveToPrimary() throws SQLException {
    switchTo(context.connector().connectPrimary());
  }

  /**
   * Makes {@code fresh} this session's connection: the pool's init SQL and the application's
   * session settings first, then statements made before are marked stale, the tracker rebinds
   * (whatever was open ended with the old connection) and the old connection is closed.
   */
  private void switchTo(BaseConnection fresh) throws SQLException {
    BaseConnection old = physical;
    try {
      if (initSql != null) {
        fresh.execSQLUpdate(initSql); // first: what the application set since overrides it
      }
      settings.applyTo(fresh, tracker.autoCommit(), tracker.connectionReadOnly());
    } catch (SQLException e) {
      fresh.close();
      throw e;
    }
    physical = fresh;
    connectedAtMillis = System.currentTimeMillis();
    generation++;
    leftStandby(); // the new connection is to the primary
    tracker.rebind(fresh);
    try {
      old.close();
    } catch (SQLException ignored) {
      // it is gone or being replaced anyway
    }
  }

  /** The session no longer reads from a standby (moved to the primary, or closed). */
  void leftStandby() {
    if (standby != null) {
      standby = null;
      context.causal().standbyReaderClosed();
    }
  }

  /**
   * After a call that wrote and ended its transaction on the primary, while some connection reads
   * from a standby: raises the causal token to this commit's WAL position (known from the COMMIT
   * message with timestamps on, otherwise asked for: one round trip).
   */
  void publishCommitPosition() throws SQLException {
    String lsn = timestamps == null ? null : timestamps.takeFreshCommitLsn();
    if (lsn == null) {
      try (java.sql.ResultSet rs = physical.execSQLQuery("SELECT pg_catalog.pg_current_wal_insert_lsn()::pg_catalog.text")) {
        rs.next();
        lsn = rs.getString(1);
      }
    }
    context.causal().advance(io.lsem.jdbc.failover.CausalToken.parse(lsn));
  }

  /**
   * The connection was lost: finds the primary again, gives the new connection the
   * application's session settings, and makes it this session's connection. The transaction that
   * was open ended with the old connection (transparent retry replays it).
   */
  void reconnect() throws SQLException {
    PhysicalConnector connector = context.connector();
    if (connector == null) {
      throw new SQLException("failover is off for this configuration", "08003");
    }
    BaseConnection old = physical;
    lost = new LostConnection(hostOf(old), old.getBackendPID(), connectedAtMillis);
    switchTo(connector.connectPrimary());
    context.failedOver(this);
  }

  /**
   * After {@link #reconnect()}, what became of the COMMIT whose answer was lost with the old
   * connection: proven through the ledger or {@code xid}, or {@code UNKNOWN}.
   */
  io.lsem.jdbc.tx.RetryController.CommitOutcome resolveLostCommit(XidProof xid) throws SQLException {
    return new CommitResolver(this, lost, xid).resolve();
  }

  /** Bumped by every reconnection: statements made before must make new pgjdbc statements. */
  int generation() {
    return generation;
  }

  static io.lsem.jdbc.failover.HostSpec hostOf(BaseConnection c) {
    org.postgresql.util.HostSpec h = c.getQueryExecutor().getHostSpec();
    return new io.lsem.jdbc.failover.HostSpec(h.getHost(), h.getPort());
  }

  private java.sql.PreparedStatement commitMessage;

  /** The prepared COMMIT message on the current physical connection (made once per connection). */
  java.sql.PreparedStatement commitMessage() throws SQLException {
    if (commitMessage == null || commitMessage.getConnection() != physical || commitMessageDrops != drops) {
      if (commitMessage != null && commitMessage.getConnection() == physical) {
        commitMessage.close();
      }
      commitMessage = physical.prepareStatement(reprepared() + context.ledger().commitMessage());
      commitMessageDrops = drops;
    }
    return commitMessage;
  }

  /** How many times the application's SQL dropped the session's prepared statements (see {@link PreparedStatementDrops}). */
  private int drops;
  private int commitMessageDrops;

  /**
   * Whether SQL of the current lease may have changed session settings or identity
   * ({@link SessionStateChanges}): the pool then compares the server's state with the state it
   * handed out before lending the connection again.
   */
  private boolean sessionStateSuspect;

  /** Whether SQL of the current lease called {@code set_config} ({@link SessionStateChanges#callsSetConfig}). */
  private boolean sessionStateUnverifiable;

  /** What the application's SQL {@code sql} (classified as {@code info}) may have done to the session. */
  void sqlClassified(String sql, io.lsem.jdbc.sql.SqlInfo info) {
    if (PreparedStatementDrops.drops(sql, info)) {
      preparedStatementsDropped();
    }
    if (!sessionStateUnverifiable) {
      if (SessionStateChanges.callsSetConfig(sql)) {
        sessionStateUnverifiable = true;
      } else if (!sessionStateSuspect && SessionStateChanges.mayChange(info)) {
        sessionStateSuspect = true;
      }
    }
  }

  /**
   * For a pool taking the connection back: puts back the settings the lease changed
   * ({@link SessionSettings#restore}), then proves the session is as the pool handed it out — or
   * throws (SQLSTATE 55000) so that the pool retires the connection: after {@code set_config},
   * whose custom settings no check can see, or when the server's state differs from
   * {@code defaults}' fingerprint.
   */
  void restoreForReuse(SessionDefaults defaults) throws SQLException {
    if (settings.changedAnything()) {
      settings.restore(physical, defaults, tracker);
    }
    if (sessionStateUnverifiable) {
      throw new SQLException("the lease called set_config, whose custom settings no check can see:"
          + " retired, not lent again", "55000");
    }
    if (sessionStateSuspect) {
      // the proof: the server's own state, compared with what the pool handed out first
      String now = SessionDefaults.fingerprint(physical);
      if (!now.equals(defaults.fingerprint())) {
        throw new SQLException("the session's settings or role differ from when the pool opened it after the reset"
            + " (SET ROLE, SESSION AUTHORIZATION, or a setting the reset cannot restore): retired, not lent again",
            "55000");
      }
      sessionStateSuspect = false;
    }
  }

  /** The application ran DEALLOCATE or DISCARD ALL: the driver's own prepared statements are made again. */
  void preparedStatementsDropped() {
    drops++;
  }

  /** Counts {@link #preparedStatementsDropped}: a statement the driver prepared before a change is made again. */
  int preparedStatementDrops() {
    return drops;
  }

  /**
   * A comment that makes the text of the driver's own statements new after a drop: pgjdbc caches
   * prepared statements by their text and, with {@code flushCacheOnDeallocate=false}, would bind
   * the dropped server-side statement again (26000). The application's statements are left to
   * pgjdbc, as without the driver.
   */
  String reprepared() {
    return drops == 0 ? "" : "/* lsem re-prepared " + drops + " */ ";
  }

  /** Whether statements keep their parameters: for transparent retry and for carrying BEGIN values. */
  boolean tracksBindings() {
    return retry.tracksBindings() || timestamps != null;
  }

  /** The pgjdbc connection. */
  public BaseConnection physical() {
    return physical;
  }

  public TransactionTracker tracker() {
    return tracker;
  }

  /** The connection's recovery (transparent retry and failover), for the driver's own layers. */
  public RetryController retryController() {
    return retry;
  }

  /** This connection's global timestamps, or {@code null} when they are off. */
  public TimestampSession timestamps() {
    return timestamps;
  }

  public WrapperContext context() {
    return context;
  }

  /** Makes closing a lease call {@code releaser} instead of closing the physical connection (pools). */
  public void releaseWith(Releaser releaser) {
    this.releaser = releaser;
  }

  /**
   * Runs {@code sql} ({@code poolInitSql}) on the connection now, and on every physical connection
   * that replaces it (failover, a move to the primary), before the application's session settings.
   */
  public void init(String sql) throws SQLException {
    if (sql != null && !sql.isEmpty()) {
      physical.execSQLUpdate(sql);
      initSql = sql;
    }
  }

  Releaser releaser() {
    return releaser;
  }

  int nextStatementNumber() {
    return ++statementsCreated;
  }
}
