package io.lsem.jdbc.wrap;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.RetryStats;
import io.lsem.jdbc.TransactionStatus;
import io.lsem.jdbc.codegen.Delegate;
import io.lsem.jdbc.codegen.ErrorTranslator;
import io.lsem.jdbc.codegen.GenerateForwarder;
import io.lsem.jdbc.sql.Isolation;
import io.lsem.jdbc.sql.SqlInfo;
import io.lsem.jdbc.sql.StatementKind;
import io.lsem.jdbc.tx.Journal;
import io.lsem.jdbc.tx.ErrorTranslation;
import io.lsem.jdbc.tx.Replayable;
import io.lsem.jdbc.tx.RetryController;
import io.lsem.jdbc.tx.TransactionTracker;
import java.sql.CallableStatement;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.UUID;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;
import org.postgresql.jdbc.PSQLSavepoint;
import org.postgresql.largeobject.LargeObjectManager;

/**
 * The connection the application holds. Implements pgjdbc's public connection interfaces
 * ({@code PGConnection}, {@code BaseConnection}) so casts keep working; everything it does not
 * intercept is forwarded by the generated {@code ConnectionProxy}. It intercepts what creates
 * statements (so they are wrapped and their SQL classified once), every transaction boundary
 * (so the {@link TransactionTracker} knows the state), identity ({@code unwrap}), and it runs
 * every execution under transparent retry ({@link RetryController}).
 */
@GenerateForwarder("ConnectionProxy")
public abstract class ConnectionWrapper
    implements LsemConnection, BaseConnection, Replayable, ErrorTranslation {
  private static final int OP_SAVEPOINT = -1;
  private static final int OP_ROLLBACK_TO = -2;
  private static final int OP_RELEASE = -3;

  /** The pgjdbc connection while the lease is open; {@link ClosedConnection} after it closed. */
  @Delegate
  protected BaseConnection delegate;
  final ConnectionSession session;
  final WrapperContext context;
  final TransactionTracker tracker;
  final RetryController retry;
  /** What transparent retry and failover ask of this connection: rollback, loss, reconnect, COMMIT resolution. */
  final ConnectionRecovery recovery;
  /** The BEGIN values and the ledger row, carried in the calls' own messages. */
  final TimestampMessages timestampMessages;
  /** The loop every call of this lease runs in: tracker, timestamps, transparent retry. */
  final CallLoop calls;
  private DatabaseMetaData metaData;
  private LargeObjectManager largeObjects;
  /** Statements this lease created and the application has not closed (any thread may close one). */
  private final OpenStatements openStatements = new OpenStatements();
  /** 1 once {@link #close()} or {@link #abort} started: a second or concurrent close returns at once. */
  private volatile int closing;
  private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<ConnectionWrapper> CLOSING =
      java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(ConnectionWrapper.class, "closing");

  protected ConnectionWrapper(ConnectionSession session) {
    this.session = session;
    this.delegate = session.physical;
    this.context = session.context;
    this.tracker = session.tracker;
    this.retry = session.retry;
    this.timestampMessages = new TimestampMessages(session);
    this.recovery = new ConnectionRecovery(this);
    this.calls = new CallLoop(this);
  }

  /** Wraps a fresh pgjdbc connection: its session and its only lease. */
  public static ConnectionWrapper wrap(BaseConnection raw, WrapperContext context) throws SQLException {
    return new ConnectionProxy(new ConnectionSession(raw, context));
  }

  /** A new lease of an existing session (pools). */
  public static ConnectionWrapper lease(ConnectionSession session) {
    return new ConnectionProxy(session);
  }

  public final ConnectionSession session() {
    return session;
  }

  /** Registers a new statement; one made while another thread ended the lease is closed at once. */
  void opened(StatementWrapper statement) throws SQLException {
    if (!openStatements.add(statement)) {
      statement.delegate.close();
      throw new org.postgresql.util.PSQLException("This connection has been closed.",
          org.postgresql.util.PSQLState.CONNECTION_DOES_NOT_EXIST);
    }
  }

  void closed(StatementWrapper statement) {
    openStatements.remove(statement);
  }

  /**
   * Ends this lease: closes the statements it left open, and makes every further call on it
   * fail with "connection is closed". The session (and the physical connection) stay as they are.
   */
  public final void endLease() throws SQLException {
    SQLException first = null;
    for (StatementWrapper open : openStatements.takeAll()) {
      try {
        open.delegate.close();
      } catch (SQLException e) {
        first = first == null ? e : first;
      }
    }
    delegate = ClosedConnection.INSTANCE;
    if (first != null) {
      throw translate(first);
    }
  }

  /**
   * For pools, when the application gives the connection back: rolls back an open transaction,
   * puts back what the application changed — autocommit, read-only, network timeout and
   * holdability through the API, and on the server (one round trip of {@code RESET}s) the
   * variables it set, the transaction defaults, the search path, the application name; a variable
   * that was set when the connection was opened ({@code poolInitSql}, pgjdbc's application name)
   * gets that value back instead, with {@code set_config} (one more round trip) — then ends the
   * lease. Never {@code DISCARD ALL}: pgjdbc's server-side prepared statements survive.
   */
  public final void resetForReuse(SessionDefaults defaults) throws SQLException {
    if (tracker.current() != null || session.physical.getTransactionState() != TransactionState.IDLE) {
      rollback();
    }
    if (tracker.autoCommit() != defaults.autoCommit()) {
      setAutoCommit(defaults.autoCommit());
    }
    if (tracker.connectionReadOnly() != defaults.readOnly()) {
      setReadOnly(defaults.readOnly());
    }
    session.restoreForReuse(defaults);
    endLease();
  }

  /** Statements this lease created that are still open, for pools and leak reports. */
  public final int openStatementCount() {
    return openStatements.size();
  }

  @ErrorTranslator
  @Override
  public final SQLException translate(SQLException e) {
    return context.translate(e);
  }

  /** The transaction state machine, for the driver's own layers. */
  public final TransactionTracker tracker() {
    return tracker;
  }

  SqlInfo classify(String sql) {
    SqlInfo info = context.classify(sql, delegate.getStandardConformingStrings());
    session.sqlClassified(sql, info);
    return info;
  }

  int nextStatementNumber() {
    return session.nextStatementNumber();
  }

  Journal journal() {
    return retry.journal();
  }

  // ---- running calls under the tracker and transparent retry -----------------------------------

  /**
   * Runs {@code call}, a statement execution classified as {@code sql}, under the tracker and
   * transparent retry: when it fails with a retryable error in a replayable transaction, the
   * transaction is replayed and the call made again. Failures reach the caller translated by
   * the statement, which knows whether it was canceled or timed out.
   */
  final <T> T execute(SqlInfo sql, SqlCall<T> call, Carrier carrier, StatementWrapper statement)
      throws SQLException {
    return calls.run(() -> tracker.beforeStatement(sql), call, carrier, statement, true, sql);
  }

  /** Runs a batch of {@code entries} statements, classified together as {@code sql}, like {@link #execute}. */
  final <T> T executeBatch(SqlInfo sql, int entries, SqlCall<T> call, StatementWrapper statement) throws SQLException {
    return calls.run(() -> tracker.beforeBatch(sql, entries), call, null, statement, true, sql);
  }

  /**
   * Runs {@code sql} once, through the tracker but without transparent retry or failover: a step
   * of two-phase commit ({@code PREPARE TRANSACTION}, {@code COMMIT PREPARED}, ...) that must not
   * be replayed, whose failure the caller (the XA resource) reports.
   */
  public final void executeOnce(String sql) throws SQLException {
    SqlInfo info = classify(sql);
    calls.run(() -> tracker.beforeStatement(info), () -> {
      try (Statement s = delegate.createStatement()) {
        s.execute(sql);
      }
      return null;
    }, null, this, false, info);
  }

  /** Runs an API call (commit, savepoint, ...) announced by {@code announcement}. */
  final <T> T settle(CallLoop.Announcement announcement, SqlCall<T> call, boolean retryable) throws SQLException {
    return calls.run(announcement, call, null, this, retryable, null);
  }

  /** After failover replaced the physical connection: this lease uses the new one. */
  final void rebindAfterReconnect() {
    rebindToSession();
    metaData = null;
    largeObjects = null;
  }

  /** This lease calls the session's current physical connection (after a move to the primary). */
  final void rebindToSession() {
    delegate = session.physical;
  }

  // ---- LsemConnection ----------------------------------------------------------------------

  @Override
  public TransactionStatus transactionStatus() {
    tracker.refresh();
    return tracker.status();
  }

  @Override
  public RetryStats retryStats() {
    return retry.stats();
  }

  @Override
  public void setRetryEnabled(boolean enabled) {
    retry.setEnabled(enabled);
  }

  @Override
  public boolean isRetryEnabled() {
    return retry.isEnabled();
  }

  @Override
  public void disableRetryForTransaction() {
    retry.disableForTransaction();
  }

  @Override
  public UUID currentTransactionId() {
    return session.timestamps == null ? null : session.timestamps.transactionId();
  }

  @Override
  public io.lsem.jdbc.TransactionBreakdown lastTransactionBreakdown() {
    return session.clock.requested();
  }

  @Override
  public long currentStartTimestamp() {
    return session.timestamps == null ? 0 : session.timestamps.startTimestamp();
  }

  @Override
  public long lastCommitTimestamp() {
    return session.timestamps == null ? 0 : session.timestamps.lastCommitTimestamp();
  }

  @Override
  public String lastCommitLsn() {
    return session.timestamps == null ? null : session.timestamps.lastCommitLsn();
  }

  @Override
  public void observeLsn(String lsn) throws SQLException {
    try {
      context.causal().advance(io.lsem.jdbc.failover.CausalToken.parse(lsn));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new SQLException(e.getMessage() == null ? "the LSN is null; expected the form 16/B374D848" : e.getMessage(),
          "22023", e);
    }
  }

  @Override
  public void observe(long timestamp) throws SQLException {
    try {
      context.ledger().oracle().observe(timestamp);
    } catch (IllegalArgumentException e) {
      throw new SQLException(e.getMessage(), "22023", e);
    }
  }

  // ---- statements -----------------------------------------------------------------------------

  @Override
  public Statement createStatement() throws SQLException {
    return new StatementProxy(this, () -> delegate.createStatement());
  }

  @Override
  public Statement createStatement(int type, int concurrency) throws SQLException {
    return new StatementProxy(this, () -> delegate.createStatement(type, concurrency));
  }

  @Override
  public Statement createStatement(int type, int concurrency, int holdability) throws SQLException {
    return new StatementProxy(this, () -> delegate.createStatement(type, concurrency, holdability));
  }

  @Override
  public PreparedStatement prepareStatement(String sql) throws SQLException {
    return new PreparedStatementProxy(this, () -> delegate.prepareStatement(sql), classify(sql), sql, false);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
    return new PreparedStatementProxy(this, () -> delegate.prepareStatement(sql, autoGeneratedKeys), classify(sql),
        sql, autoGeneratedKeys == Statement.RETURN_GENERATED_KEYS);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
    return new PreparedStatementProxy(this, () -> delegate.prepareStatement(sql, columnIndexes), classify(sql), sql,
        true);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
    return new PreparedStatementProxy(this, () -> delegate.prepareStatement(sql, columnNames), classify(sql), sql,
        true);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int type, int concurrency) throws SQLException {
    return new PreparedStatementProxy(this, () -> delegate.prepareStatement(sql, type, concurrency), classify(sql),
        sql, false);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int type, int concurrency, int holdability)
      throws SQLException {
    return new PreparedStatementProxy(this, () -> delegate.prepareStatement(sql, type, concurrency, holdability),
        classify(sql), sql, false);
  }

  @Override
  public CallableStatement prepareCall(String sql) throws SQLException {
    return new CallableStatementProxy(this, () -> delegate.prepareCall(sql), classify(sql), sql);
  }

  @Override
  public CallableStatement prepareCall(String sql, int type, int concurrency) throws SQLException {
    return new CallableStatementProxy(this, () -> delegate.prepareCall(sql, type, concurrency), classify(sql), sql);
  }

  @Override
  public CallableStatement prepareCall(String sql, int type, int concurrency, int holdability)
      throws SQLException {
    return new CallableStatementProxy(this, () -> delegate.prepareCall(sql, type, concurrency, holdability),
        classify(sql), sql);
  }

  /** A pgjdbc statement the application did not create through this wrapper (metadata result sets). */
  final Statement wrapForeignStatement(Statement raw) throws SQLException {
    return raw == null ? null : new StatementProxy(this, () -> raw);
  }

  /** Runs {@code call} on pgjdbc, translating its failure. */
  final <T> T wrapRaw(SqlCall<T> call) throws SQLException {
    try {
      return call.call();
    } catch (SQLException e) {
      throw translate(e);
    }
  }

  @Override
  public DatabaseMetaData getMetaData() throws SQLException {
    if (metaData == null) {
      metaData = new DatabaseMetaDataProxy(wrapRaw(() -> delegate.getMetaData()), this);
    }
    return metaData;
  }

  /** COPY bypasses the statements; a transaction that copies cannot be replayed. */
  @Override
  public CopyManager getCopyAPI() throws SQLException {
    return new ReplayGuardedCopyManager(this);
  }

  /** Large objects bypass the statements; a transaction that uses them cannot be replayed. */
  @Override
  public LargeObjectManager getLargeObjectAPI() throws SQLException {
    if (largeObjects == null) {
      largeObjects = wrapRaw(() -> new ReplayGuardedLargeObjectManager(this));
    }
    return largeObjects;
  }

  /** Called before COPY or large-object work: the open transaction can no longer be replayed. */
  final void bypassingStatements(String what) {
    journal().markNotReplayable("it used " + what + ", which the driver cannot replay");
  }

  // ---- SQL that pgjdbc runs on request ---------------------------------------------------------

  @Override
  public ResultSet execSQLQuery(String s) throws SQLException {
    return settle(() -> tracker.beforeInternalStatement(classify(s)), () -> delegate.execSQLQuery(s), false);
  }

  @Override
  public ResultSet execSQLQuery(String s, int resultSetType, int resultSetConcurrency) throws SQLException {
    return settle(() -> tracker.beforeInternalStatement(classify(s)),
        () -> delegate.execSQLQuery(s, resultSetType, resultSetConcurrency), false);
  }

  @Override
  public void execSQLUpdate(String s) throws SQLException {
    settle(() -> tracker.beforeInternalStatement(classify(s)), () -> {
      delegate.execSQLUpdate(s);
      return null;
    }, false);
  }

  // ---- transaction boundaries ------------------------------------------------------------------

  @Override
  public void setAutoCommit(boolean autoCommit) throws SQLException {
    if (autoCommit) {
      session.requireLocalTransactionControl(this, "setAutoCommit(true)");
    }
    calls.run(() -> tracker.beforeSetAutoCommit(autoCommit), () -> {
      delegate.setAutoCommit(autoCommit);
      return null;
    }, ts -> {
      if (!ts.commitPending()) {
        return Carrier.NOT_CARRIED;
      }
      timestampMessages.commitWithLedger("COMMIT");
      delegate.setAutoCommit(autoCommit);
      return null;
    }, this, true, null);
    tracker.autoCommitChanged(delegate.getAutoCommit());
  }

  @Override
  public void commit() throws SQLException {
    session.requireLocalTransactionControl(this, "commit()");
    calls.run(tracker::beforeCommit, () -> {
      if (session.timestamps == null) {
        recovery.xidProof.beforeCommit(session.physical, tracker.current(), context.connector() != null);
      }
      delegate.commit();
      return null;
    }, ts -> {
      if (!ts.commitPending()) {
        return Carrier.NOT_CARRIED;
      }
      timestampMessages.commitWithLedger("COMMIT");
      return null;
    }, this, true, null);
  }

  @Override
  public void rollback() throws SQLException {
    session.requireLocalTransactionControl(this, "rollback()");
    settle(tracker::beforeRollback, () -> {
      delegate.rollback();
      return null;
    }, false);
  }

  @Override
  public Savepoint setSavepoint() throws SQLException {
    Savepoint sp = settle(tracker::beforeSetSavepoint, () -> delegate.setSavepoint(), true);
    savepointSet(sp);
    return sp;
  }

  @Override
  public Savepoint setSavepoint(String name) throws SQLException {
    Savepoint sp = settle(tracker::beforeSetSavepoint, () -> delegate.setSavepoint(name), true);
    savepointSet(sp);
    return sp;
  }

  private void savepointSet(Savepoint sp) throws SQLException {
    String pgName = pgName(sp);
    tracker.savepointNamed(classify("SAVEPOINT " + pgName).statements().get(0).name());
    if (retry.recording()) {
      journal().record(this, OP_SAVEPOINT, -1, pgName);
    }
  }

  @Override
  public void rollback(Savepoint savepoint) throws SQLException {
    String pgName = pgName(savepoint);
    settle(() -> tracker.beforeSavepointCommand(StatementKind.ROLLBACK_TO_SAVEPOINT, folded(pgName)), () -> {
      delegate.rollback(savepoint);
      return null;
    }, true);
    if (retry.recording()) {
      journal().record(this, OP_ROLLBACK_TO, -1, pgName);
    }
  }

  @Override
  public void releaseSavepoint(Savepoint savepoint) throws SQLException {
    String pgName = pgName(savepoint);
    settle(() -> tracker.beforeSavepointCommand(StatementKind.RELEASE_SAVEPOINT, folded(pgName)), () -> {
      delegate.releaseSavepoint(savepoint);
      return null;
    }, true);
    if (retry.recording()) {
      journal().record(this, OP_RELEASE, -1, pgName);
    }
  }

  /** pgjdbc's name of the savepoint as it appears in SQL; throws once the savepoint was released. */
  private String pgName(Savepoint savepoint) throws SQLException {
    if (savepoint instanceof PSQLSavepoint) {
      return wrapRaw(((PSQLSavepoint) savepoint)::getPGName);
    }
    return null;
  }

  private String folded(String pgName) {
    return pgName == null ? null : classify("SAVEPOINT " + pgName).statements().get(0).name();
  }

  @Override
  public void setTransactionIsolation(int level) throws SQLException {
    wrapRaw(() -> {
      delegate.setTransactionIsolation(level);
      return null;
    });
    tracker.isolationChanged(Isolation.ofJdbc(level));
    session.settings.isolation(level);
  }

  // ---- session state a reconnection restores ---------------------------------------------------

  @Override
  public void setSchema(String schema) throws SQLException {
    wrapRaw(() -> {
      delegate.setSchema(schema);
      return null;
    });
    session.settings.schema(schema);
  }

  @Override
  public void setClientInfo(String name, String value) throws java.sql.SQLClientInfoException {
    delegate.setClientInfo(name, value);
    session.settings.clientInfo(name, value);
  }

  @Override
  public void setClientInfo(java.util.Properties properties) throws java.sql.SQLClientInfoException {
    delegate.setClientInfo(properties);
    for (String name : properties.stringPropertyNames()) {
      session.settings.clientInfo(name, properties.getProperty(name));
    }
  }

  @Override
  public void setNetworkTimeout(java.util.concurrent.Executor executor, int millis) throws SQLException {
    wrapRaw(() -> {
      delegate.setNetworkTimeout(executor, millis);
      return null;
    });
    session.settings.networkTimeout(millis);
  }

  @Override
  public void setHoldability(int holdability) throws SQLException {
    wrapRaw(() -> {
      delegate.setHoldability(holdability);
      return null;
    });
    session.settings.holdability(holdability);
  }

  @Override
  public void setReadOnly(boolean readOnly) throws SQLException {
    wrapRaw(() -> {
      delegate.setReadOnly(readOnly);
      return null;
    });
    tracker.readOnlyChanged(readOnly);
  }

  /** Closes the lease: a pool takes the session back; without one the physical connection closes. */
  @Override
  public void close() throws SQLException {
    if (delegate == ClosedConnection.INSTANCE || !CLOSING.compareAndSet(this, 0, 1)) {
      return; // closed, or another thread is closing it
    }
    ConnectionSession.Releaser releaser = session.releaser();
    if (releaser != null) {
      releaser.release(this);
      return;
    }
    tracker.closed();
    session.leftStandby();
    try {
      endLease();
    } finally {
      wrapRaw(() -> {
        session.physical.close();
        return null;
      });
    }
  }

  @Override
  public boolean isClosed() throws SQLException {
    return delegate == ClosedConnection.INSTANCE || wrapRaw(() -> delegate.isClosed());
  }

  @Override
  public void abort(java.util.concurrent.Executor executor) throws SQLException {
    if (!CLOSING.compareAndSet(this, 0, 1)) {
      return;
    }
    tracker.closed();
    session.leftStandby();
    delegate = ClosedConnection.INSTANCE;
    wrapRaw(() -> {
      session.physical.abort(executor);
      return null;
    });
  }

  // ---- replay of the connection's own recorded calls (savepoints) -----------------------------

  @Override
  public Object replay(int op, int intArg, Object otherArgs) throws SQLException {
    String command = op == OP_SAVEPOINT ? "SAVEPOINT " : op == OP_ROLLBACK_TO ? "ROLLBACK TO SAVEPOINT "
        : "RELEASE SAVEPOINT ";
    String sql = command + otherArgs;
    calls.replay(classify(sql), () -> {
      try (Statement s = delegate.createStatement()) {
        return s.execute(sql);
      }
    });
    return null;
  }

  @Override
  public String describe() {
    return "Connection";
  }

  @Override
  public String callName(int op) {
    return op == OP_SAVEPOINT ? "setSavepoint()" : op == OP_ROLLBACK_TO ? "rollback(Savepoint)"
        : "releaseSavepoint(Savepoint)";
  }

  // ---- identity -----------------------------------------------------------------------------------

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    return wrapRaw(() -> delegate.unwrap(iface));
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || delegate.isWrapperFor(iface);
  }

  @Override
  public String toString() {
    return "Lsem" + delegate;
  }
}
