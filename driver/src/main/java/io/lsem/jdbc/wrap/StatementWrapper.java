package io.lsem.jdbc.wrap;

import io.lsem.jdbc.codegen.Delegate;
import io.lsem.jdbc.codegen.ErrorTranslator;
import io.lsem.jdbc.codegen.GenerateForwarder;
import io.lsem.jdbc.codegen.RecordCalls;
import io.lsem.jdbc.codegen.ReturnWrapper;
import io.lsem.jdbc.sql.SqlInfo;
import io.lsem.jdbc.ledger.Ledger;
import io.lsem.jdbc.sql.SqlStatement;
import io.lsem.jdbc.sql.StatementKind;
import io.lsem.jdbc.tx.ErrorTranslation;
import io.lsem.jdbc.tx.Journal;
import io.lsem.jdbc.tx.Replayable;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGStatement;
import org.postgresql.jdbc.PgStatement;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * A {@link Statement} (and pgjdbc's {@link PGStatement}) handed to the application. Intercepts
 * every execution so the SQL is classified, the transaction tracked and the call recorded for
 * transparent retry; keeps identity ({@code getConnection()} and result sets point back at
 * wrappers); forwards the rest through the generated {@code StatementProxy}.
 *
 * <p>On a replay it runs its recorded executions again on its pgjdbc statement (re-creating it
 * if the application had closed it) and rebinds the result set wrappers the application holds to
 * the new results.
 */
@GenerateForwarder("StatementProxy")
@RecordCalls(value = {"getMoreResults", "getUpdateCount", "getLargeUpdateCount"}, target = Statement.class,
    recover = true)
@RecordCalls(value = {"setFetchSize", "setMaxRows", "setLargeMaxRows", "setMaxFieldSize", "setQueryTimeout",
    "setFetchDirection", "setEscapeProcessing", "setPoolable", "setCursorName", "closeOnCompletion"},
    target = Statement.class, hook = "configure", guard = "tracksBindings", withResult = false)
public abstract class StatementWrapper extends ChildWrapper implements Statement, PGStatement, Replayable, ErrorTranslation {
  static final int OP_EXECUTE_QUERY = -1;
  static final int OP_EXECUTE_UPDATE = -2;
  static final int OP_EXECUTE_LARGE_UPDATE = -3;
  static final int OP_EXECUTE = -4;
  static final int OP_EXECUTE_BATCH = -5;
  static final int OP_EXECUTE_LARGE_BATCH = -6;
  static final int OP_GET_RESULT_SET = -7;
  static final int OP_GET_GENERATED_KEYS = -8;
  static final int OP_CLOSE = -9;

  @Delegate
  protected Statement delegate;
  @Delegate
  protected PGStatement pgDelegate;
  final ConnectionWrapper connection;
  private final SqlCall<? extends Statement> creator;
  private final int number;
  /** Configuration calls (fetch size, max rows, ...) to apply to a re-created pgjdbc statement. */
  private Map<Integer, Object[]> settings;
  /** The queued {@code addBatch(String)} texts and their classification. */
  private List<Object> batchSql;
  private List<SqlStatement> batchStatements;
  /** What the queued batch's texts were found to do (see {@link io.lsem.jdbc.sql.SessionEffects}). */
  private io.lsem.jdbc.sql.SessionEffects batchEffects = io.lsem.jdbc.sql.SessionEffects.NONE;
  private ResultSet lastRawResultSet;
  private ResultSetWrapper lastResultSet;
  /** The session's connection generation the pgjdbc statement belongs to (see {@link #followReconnect}). */
  private int generation;
  /** The next older statement in the connection's {@link OpenStatements}. */
  StatementWrapper openNext;
  /** Closed by the application (see {@link OpenStatements}; written and read through its VarHandle). */
  boolean closedMark;
  /** Set by {@link #cancel()}, cleared when the next execution starts: tells a cancel from a timeout. */
  private volatile boolean cancelRequested;

  // rebind is overridden only to assign the subclasses' delegate fields, which have no initializer
  @SuppressWarnings("this-escape")
  protected StatementWrapper(ConnectionWrapper connection, SqlCall<? extends Statement> creator) throws SQLException {
    this.connection = connection;
    this.creator = creator;
    this.number = connection.nextStatementNumber();
    generation = connection.session.generation();
    rebind(connection.wrapRaw(creator));
    connection.opened(this);
  }

  /** Points the wrapper at a (new) pgjdbc statement. */
  void rebind(Statement raw) throws SQLException {
    delegate = raw;
    pgDelegate = raw.unwrap(PGStatement.class);
  }

  // ---- error translation and the retry host ----------------------------------------------------

  @ErrorTranslator
  @Override
  public final SQLException translate(SQLException e) {
    boolean queryTimeoutSet;
    try {
      queryTimeoutSet = delegate.unwrap(PgStatement.class).getQueryTimeoutMs() > 0;
    } catch (SQLException | RuntimeException closedOrNotPgjdbc) {
      queryTimeoutSet = false;
    }
    return connection.context.translate(e, cancelRequested, queryTimeoutSet);
  }

  @Override
  public void cancel() throws SQLException {
    cancelRequested = true;
    try {
      delegate.cancel();
    } catch (SQLException e) {
      throw translate(e);
    }
  }

  // ---- hooks of the generated code -------------------------------------------------------------

  protected final boolean recording() {
    return connection.retry.recording();
  }

  protected final boolean tracksBindings() {
    return connection.session.tracksBindings();
  }

  final Journal journal() {
    return connection.journal();
  }

  protected final void recordCall(int op, int intArg, Object otherArgs, long result) {
    journal().record(this, op, intArg, otherArgs, result);
  }

  protected final void recordCall(int op, int intArg, Object otherArgs, boolean result) {
    journal().record(this, op, intArg, otherArgs, result);
  }

  protected final void recordCall(int op, int intArg, Object otherArgs, double result) {
    journal().record(this, op, intArg, otherArgs, result);
  }

  protected final void recordCall(int op, int intArg, Object otherArgs, Object result) {
    journal().record(this, op, intArg, otherArgs, result);
  }

  protected final void recordCall(int op, int intArg, Object otherArgs) {
    journal().record(this, op, intArg, otherArgs);
  }

  /** A recorded call failed: replay the transaction and make the call again, or throw. */
  protected final Object recover(int op, int intArg, Object otherArgs, SQLException e) throws SQLException {
    return Resumption.resume(connection, this, this, op, intArg, otherArgs, e,
        () -> replayRecordedCall(op, intArg, otherArgs));
  }

  /** Remembers a configuration call, to apply it again if the pgjdbc statement must be re-created. */
  protected final void configure(int op, int intArg, Object otherArgs) {
    if (settings == null) {
      settings = new LinkedHashMap<>();
    }
    settings.put(op, new Object[] {intArg, otherArgs});
  }

  /** Makes recorded operation {@code op} on the current pgjdbc statement (generated). */
  protected abstract Object replayRecordedCall(int op, int intArg, Object otherArgs) throws SQLException;

  /** The method of recorded operation {@code op} (generated). */
  protected abstract String recordedCallName(int op);

  // ---- results -----------------------------------------------------------------------------------

  /** The wrapper of {@code raw}; the same wrapper for the same result set, so identity holds. */
  @ReturnWrapper
  protected final ResultSet wrapResultSet(ResultSet raw) {
    return wrap(raw, false);
  }

  final ResultSetWrapper wrap(ResultSet raw, boolean sequenceOnly) {
    if (raw == null) {
      return null;
    }
    if (raw != lastRawResultSet) {
      lastRawResultSet = raw;
      lastResultSet = new ResultSetProxy(raw, this, connection, !sequenceOnly);
    }
    return lastResultSet;
  }

  /** Wraps and records a query's result. */
  final ResultSetWrapper recordQuery(int op, Execution x, ResultSet raw, boolean sequenceOnly) throws SQLException {
    ResultSetWrapper rs = wrap(raw, sequenceOnly);
    if (recording()) {
      journal().record(this, op, -1, x.withResult(rs, raw == null ? null : Shape.of(raw)), rs);
    }
    return rs;
  }

  @Override
  public Connection getConnection() {
    return connection;
  }

  @Override
  public ResultSet getResultSet() throws SQLException {
    ResultSet raw = connection.wrapRaw(() -> delegate.getResultSet());
    return recordQuery(OP_GET_RESULT_SET, Executions.NONE, raw, false);
  }

  @Override
  public ResultSet getGeneratedKeys() throws SQLException {
    ResultSet raw = connection.wrapRaw(() -> delegate.getGeneratedKeys());
    return recordQuery(OP_GET_GENERATED_KEYS, Executions.NONE, raw, false);
  }

  // ---- execution ---------------------------------------------------------------------------------

  /** Runs an execution under the tracker and transparent retry. */
  final <T> T run(SqlInfo sql, SqlCall<T> call) throws SQLException {
    return run(sql, call, null);
  }

  /** The same, with a way to carry the transaction's timestamps in the execution's own message. */
  final <T> T run(SqlInfo sql, SqlCall<T> call, Carrier carrier) throws SQLException {
    cancelRequested = false;
    return connection.execute(sql, call, carrier, this);
  }

  /**
   * Carries timestamps in a text execution: BEGIN values in front of the application's SQL
   * (pgjdbc's implicit BEGIN) or right after it (the SQL is a BEGIN); a COMMIT's ledger row by
   * running the driver's COMMIT message instead of a lone {@code COMMIT}. Only for a single
   * statement without generated keys; anything else is sent separately.
   */
  final Carrier textCarrier(int op, Execution x, SqlInfo info) {
    return ts -> {
      if (x.keys() != null || info.statements().size() != 1) {
        return Carrier.NOT_CARRIED;
      }
      SqlStatement only = info.statements().get(0);
      if (ts.commitPending()) {
        if (only.kind() != StatementKind.COMMIT || only.chain() || ts.hasPendingBegin()) {
          return Carrier.NOT_CARRIED;
        }
        connection.timestampMessages.commitWithLedger(x.sql());
        return withoutResult(op);
      }
      String begin = ts.pendingBegin();
      if (ts.pendingBeginImplicit() && beginValuesFollow(only)) {
        delegate.execute(x.sql() + "; " + begin);
        ts.beginSent();
        skipResults(Ledger.BEGIN_RESULTS);
        return withoutResult(op);
      }
      if (ts.pendingBeginImplicit()) {
        delegate.execute(begin + "; " + x.sql());
        ts.beginSent();
        return userResult(op, skipResults(Ledger.BEGIN_RESULTS));
      }
      if (only.kind() != StatementKind.BEGIN) {
        return Carrier.NOT_CARRIED;
      }
      delegate.execute(x.sql() + "; " + begin);
      ts.beginSent();
      skipResults(Ledger.BEGIN_RESULTS);
      return withoutResult(op);
    };
  }

  /**
   * Whether the BEGIN values go after {@code first}, the transaction's first statement, rather than
   * in front of it: {@code SET TRANSACTION} and {@code SAVEPOINT} have no result, and pgjdbc's
   * {@code autosave} puts no savepoint in front of a message that starts with them (SET TRANSACTION
   * must not run in a subtransaction; a user savepoint must not sit above the automatic one).
   * With the {@code SET LOCAL}s in front, it would.
   */
  static boolean beginValuesFollow(SqlStatement first) {
    return first.kind() == StatementKind.SET_TRANSACTION || first.kind() == StatementKind.SAVEPOINT;
  }

  /** Moves past {@code n} results the driver added; returns whether the next one is a result set. */
  final boolean skipResults(int n) throws SQLException {
    boolean resultSet = false;
    for (int i = 0; i < n; i++) {
      resultSet = delegate.getMoreResults();
    }
    return resultSet;
  }

  /** The application's result in the form {@code op} returns it, as pgjdbc would give it. */
  final Object userResult(int op, boolean resultSet) throws SQLException {
    switch (op) {
      case OP_EXECUTE:
        return resultSet;
      case OP_EXECUTE_QUERY:
        if (!resultSet) {
          throw new PSQLException("No results were returned by the query.", PSQLState.NO_DATA);
        }
        return delegate.getResultSet();
      case OP_EXECUTE_UPDATE:
      case OP_EXECUTE_LARGE_UPDATE:
        if (resultSet) {
          throw new PSQLException("A result was returned when none was expected.", PSQLState.TOO_MANY_RESULTS);
        }
        return op == OP_EXECUTE_UPDATE ? (Object) delegate.getUpdateCount() : (Object) delegate.getLargeUpdateCount();
      default:
        throw new IllegalStateException("not an execution: " + op);
    }
  }

  /** What a statement without a result (BEGIN, COMMIT) returns from {@code op}. */
  static Object withoutResult(int op) throws SQLException {
    switch (op) {
      case OP_EXECUTE:
        return false;
      case OP_EXECUTE_UPDATE:
        return 0;
      case OP_EXECUTE_LARGE_UPDATE:
        return 0L;
      default:
        throw new PSQLException("No results were returned by the query.", PSQLState.NO_DATA);
    }
  }

  void record(int op, Execution x, long result) {
    if (recording()) {
      journal().record(this, op, -1, x, result);
    }
  }

  void record(int op, Execution x, boolean result) {
    if (recording()) {
      journal().record(this, op, -1, x, result);
    }
  }

  void record(int op, Execution x, Object result) {
    if (recording()) {
      journal().record(this, op, -1, x, result);
    }
  }

  @Override
  public ResultSet executeQuery(String sql) throws SQLException {
    SqlInfo info = connection.classify(sql);
    Execution x = Executions.of(sql, null);
    return recordQuery(OP_EXECUTE_QUERY, x, run(info, () -> rawQuery(x), textCarrier(OP_EXECUTE_QUERY, x, info)),
        info.isSequenceOnly());
  }

  @Override
  public int executeUpdate(String sql) throws SQLException {
    return (int) update(Executions.of(sql, null));
  }

  @Override
  public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
    return (int) update(Executions.of(sql, autoGeneratedKeys));
  }

  @Override
  public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
    return (int) update(Executions.of(sql, columnIndexes));
  }

  @Override
  public int executeUpdate(String sql, String[] columnNames) throws SQLException {
    return (int) update(Executions.of(sql, columnNames));
  }

  private long update(Execution x) throws SQLException {
    SqlInfo info = connection.classify(x.sql());
    int count = run(info, () -> rawUpdate(x), textCarrier(OP_EXECUTE_UPDATE, x, info));
    record(OP_EXECUTE_UPDATE, x, count);
    return count;
  }

  @Override
  public long executeLargeUpdate(String sql) throws SQLException {
    return largeUpdate(Executions.of(sql, null));
  }

  @Override
  public long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
    return largeUpdate(Executions.of(sql, autoGeneratedKeys));
  }

  @Override
  public long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
    return largeUpdate(Executions.of(sql, columnIndexes));
  }

  @Override
  public long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
    return largeUpdate(Executions.of(sql, columnNames));
  }

  private long largeUpdate(Execution x) throws SQLException {
    SqlInfo info = connection.classify(x.sql());
    long count = run(info, () -> rawLargeUpdate(x), textCarrier(OP_EXECUTE_LARGE_UPDATE, x, info));
    record(OP_EXECUTE_LARGE_UPDATE, x, count);
    return count;
  }

  @Override
  public boolean execute(String sql) throws SQLException {
    return execute(Executions.of(sql, null));
  }

  @Override
  public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
    return execute(Executions.of(sql, autoGeneratedKeys));
  }

  @Override
  public boolean execute(String sql, int[] columnIndexes) throws SQLException {
    return execute(Executions.of(sql, columnIndexes));
  }

  @Override
  public boolean execute(String sql, String[] columnNames) throws SQLException {
    return execute(Executions.of(sql, columnNames));
  }

  private boolean execute(Execution x) throws SQLException {
    SqlInfo info = connection.classify(x.sql());
    boolean hasResultSet = run(info, () -> rawExecute(x), textCarrier(OP_EXECUTE, x, info));
    record(OP_EXECUTE, x, hasResultSet);
    return hasResultSet;
  }

  /** The executions on pgjdbc, for the first run and for replays; prepared statements add their own. */
  ResultSet rawQuery(Execution x) throws SQLException {
    return delegate.executeQuery(x.sql());
  }

  int rawUpdate(Execution x) throws SQLException {
    Object k = x.keys();
    return k == null ? delegate.executeUpdate(x.sql())
        : k instanceof Integer ? delegate.executeUpdate(x.sql(), (Integer) k)
        : k instanceof int[] ? delegate.executeUpdate(x.sql(), (int[]) k)
        : delegate.executeUpdate(x.sql(), (String[]) k);
  }

  long rawLargeUpdate(Execution x) throws SQLException {
    Object k = x.keys();
    return k == null ? delegate.executeLargeUpdate(x.sql())
        : k instanceof Integer ? delegate.executeLargeUpdate(x.sql(), (Integer) k)
        : k instanceof int[] ? delegate.executeLargeUpdate(x.sql(), (int[]) k)
        : delegate.executeLargeUpdate(x.sql(), (String[]) k);
  }

  boolean rawExecute(Execution x) throws SQLException {
    Object k = x.keys();
    return k == null ? delegate.execute(x.sql())
        : k instanceof Integer ? delegate.execute(x.sql(), (Integer) k)
        : k instanceof int[] ? delegate.execute(x.sql(), (int[]) k)
        : delegate.execute(x.sql(), (String[]) k);
  }

  // ---- batches ------------------------------------------------------------------------------------

  @Override
  public void addBatch(String sql) throws SQLException {
    SqlInfo info = connection.classify(sql);
    connection.wrapRaw(() -> {
      delegate.addBatch(sql);
      return null;
    });
    if (batchSql == null) {
      batchSql = new ArrayList<>();
      batchStatements = new ArrayList<>();
    }
    batchSql.add(sql);
    batchStatements.addAll(info.statements());
    batchEffects = batchEffects.and(info.effects());
  }

  @Override
  public void clearBatch() throws SQLException {
    connection.wrapRaw(() -> {
      delegate.clearBatch();
      return null;
    });
    forgetBatch();
  }

  void forgetBatch() {
    if (batchSql != null) {
      batchSql.clear();
      batchStatements.clear();
    }
    batchEffects = io.lsem.jdbc.sql.SessionEffects.NONE;
  }

  /** The queued batch: SQL texts for a statement, parameter sets for a prepared statement. */
  List<Object> queuedBatch() {
    return batchSql == null ? List.of() : List.copyOf(batchSql);
  }

  /** How many entries the queued batch has. */
  int batchEntries() {
    return batchSql == null ? 0 : batchSql.size();
  }

  /** The queued batch classified as one unit, for the tracker. */
  SqlInfo batchInfo() {
    return SqlInfo.of(batchStatements == null ? List.of() : List.copyOf(batchStatements), batchEffects);
  }

  @Override
  public int[] executeBatch() throws SQLException {
    // Captured before the call: with autocommit off the recording starts with it.
    Execution x = tracksBindings() ? Executions.batch(queuedBatch()) : null;
    BatchSend send = new BatchSend(x);
    cancelRequested = false;
    int[] counts = connection.executeBatch(batchInfo(), batchEntries(), () -> {
      send.prepare();
      return delegate.executeBatch();
    }, this);
    forgetBatch();
    record(OP_EXECUTE_BATCH, x, (Object) counts);
    return counts;
  }

  @Override
  public long[] executeLargeBatch() throws SQLException {
    Execution x = tracksBindings() ? Executions.batch(queuedBatch()) : null;
    BatchSend send = new BatchSend(x);
    cancelRequested = false;
    long[] counts = connection.executeBatch(batchInfo(), batchEntries(), () -> {
      send.prepare();
      return delegate.executeLargeBatch();
    }, this);
    forgetBatch();
    record(OP_EXECUTE_LARGE_BATCH, x, (Object) counts);
    return counts;
  }

  /**
   * Puts the batch on pgjdbc's statement before each send of one {@code executeBatch()}. pgjdbc
   * empties its batch when the batch fails; when recovery then makes the call again, the batch is
   * queued again from its recorded rows — sending an empty batch instead would report success
   * for rows that were never written.
   */
  private final class BatchSend {
    private final Execution recorded;
    private boolean sent;

    BatchSend(Execution recorded) {
      this.recorded = recorded;
    }

    void prepare() throws SQLException {
      restoreIfDisturbed();
      if (sent) {
        if (recorded == null) {
          throw new SQLException("The batch failed and its rows were not kept (retry and timestamps are off), so it"
              + " cannot be sent again; queue the rows and run it again", "55000");
        }
        requeue(recorded.batch());
      }
      sent = true;
    }
  }

  /** After a replay used the pgjdbc statement, puts back the application's parameters (prepared statements). */
  void restoreIfDisturbed() throws SQLException {
  }

  /** Queues {@code x}'s batch on the pgjdbc statement again (replay). */
  void requeue(List<Object> batch) throws SQLException {
    delegate.clearBatch();
    for (Object sql : batch) {
      delegate.addBatch((String) sql);
    }
  }

  // ---- close -------------------------------------------------------------------------------------

  @Override
  public void close() throws SQLException {
    connection.wrapRaw(() -> {
      delegate.close();
      return null;
    });
    connection.closed(this);
    if (recording()) {
      Journal journal = journal();
      if (journal.ownedByCurrentThread()) {
        journal.record(this, OP_CLOSE, -1, null);
      } else {
        journal.calledFromOtherThread(describe() + ".close()");
      }
    }
  }

  // ---- replay --------------------------------------------------------------------------------------

  @Override
  public Object replay(int op, int intArg, Object otherArgs) throws SQLException {
    reopenForReplay();
    if (op >= 0) {
      return replayRecordedCall(op, intArg, otherArgs);
    }
    Execution x = (Execution) otherArgs;
    switch (op) {
      case OP_CLOSE:
        delegate.close();
        return null;
      case OP_GET_RESULT_SET:
        return rebindResult(x, delegate.getResultSet());
      case OP_GET_GENERATED_KEYS:
        return rebindResult(x, delegate.getGeneratedKeys());
      case OP_EXECUTE_BATCH:
      case OP_EXECUTE_LARGE_BATCH:
        requeue(x.batch());
        SqlInfo batch = replayBatchInfo(x);
        Object counts = connection.calls.replay(batch,
            () -> op == OP_EXECUTE_BATCH ? delegate.executeBatch() : delegate.executeLargeBatch());
        restoreQueuedBatch();
        return counts;
      default:
        return replayExecution(op, x);
    }
  }

  private Object replayExecution(int op, Execution x) throws SQLException {
    prepareReplay(x);
    SqlInfo info = x.sql() == null ? ownSql() : connection.classify(x.sql());
    Carrier carrier = replayCarrier(op, x, info);
    switch (op) {
      case OP_EXECUTE_QUERY:
        return rebindResult(x, connection.calls.replay(info, () -> rawQuery(x), carrier));
      case OP_EXECUTE_UPDATE:
        return connection.calls.replay(info, () -> rawUpdate(x), carrier);
      case OP_EXECUTE_LARGE_UPDATE:
        return connection.calls.replay(info, () -> rawLargeUpdate(x), carrier);
      case OP_EXECUTE:
        return connection.calls.replay(info, () -> rawExecute(x), carrier);
      default:
        throw new IllegalStateException("no recorded execution " + op);
    }
  }

  /** How a replayed execution carries the transaction's timestamps (as its first run did). */
  Carrier replayCarrier(int op, Execution x, SqlInfo info) {
    return textCarrier(op, x, info);
  }

  /** The classification of the statement's own SQL (prepared statements). */
  SqlInfo ownSql() {
    throw new IllegalStateException("a plain statement has no SQL of its own");
  }

  /** Before replaying an execution: prepared statements apply the recorded parameters. */
  void prepareReplay(Execution x) throws SQLException {
  }

  /** The classification of a recorded batch, for the tracker. */
  SqlInfo replayBatchInfo(Execution x) {
    List<SqlStatement> all = new ArrayList<>();
    for (Object sql : x.batch()) {
      all.addAll(connection.classify((String) sql).statements());
    }
    return SqlInfo.of(all);
  }

  /** After a replay ran a batch, the application's own queued batch goes back on pgjdbc's statement. */
  void restoreQueuedBatch() throws SQLException {
    requeue(queuedBatch());
  }

  /** Points the recorded result set wrapper at the replay's result, if it has the same columns. */
  final Object rebindResult(Execution x, ResultSet raw) throws SQLException {
    ResultSetWrapper rs = x.result();
    if (rs == null || raw == null) {
      return rs == null && raw == null ? null : new Divergence(raw == null ? "no result set" : "a result set");
    }
    String shape = Shape.of(raw);
    if (x.shape() != null && !x.shape().equals(shape)) {
      return new Divergence("result columns " + shape + " instead of " + x.shape());
    }
    rs.rebind(raw);
    lastRawResultSet = raw;
    lastResultSet = rs;
    return rs;
  }

  /** A statement the application closed is re-created for the replay, with its configuration. */
  void reopenForReplay() throws SQLException {
    if (stale()) {
      renew();
    } else if (delegate.isClosed()) {
      rebind(creator.call());
      applySettings();
    }
  }

  /**
   * After the session reconnected (failover), the pgjdbc statement belongs to the lost
   * connection: a new one is made on the current connection, with the application's
   * configuration and queued batch.
   */
  final void followReconnect() throws SQLException {
    if (stale()) {
      renew();
    }
  }

  /** Whether the pgjdbc statement belongs to a connection the session has replaced. */
  final boolean stale() {
    return generation != connection.session.generation();
  }

  /** Makes a new pgjdbc statement on the session's current connection, configured as the old one. */
  void renew() throws SQLException {
    List<Object> batch = queuedBatch();
    generation = connection.session.generation();
    rebind(creator.call());
    applySettings();
    if (!batch.isEmpty()) {
      requeue(batch);
    }
  }

  /** Applies the configuration calls the application made (fetch size, max rows, ...) to the current statement. */
  final void applySettings() throws SQLException {
    if (settings != null) {
      for (Map.Entry<Integer, Object[]> s : settings.entrySet()) {
        replayRecordedCall(s.getKey(), (Integer) s.getValue()[0], s.getValue()[1]);
      }
    }
  }

  @Override
  public String describe() {
    return getClass().getSimpleName().replace("Proxy", "") + "#" + number;
  }

  @Override
  public String callName(int op) {
    switch (op) {
      case OP_EXECUTE_QUERY: return "executeQuery()";
      case OP_EXECUTE_UPDATE: return "executeUpdate()";
      case OP_EXECUTE_LARGE_UPDATE: return "executeLargeUpdate()";
      case OP_EXECUTE: return "execute()";
      case OP_EXECUTE_BATCH: return "executeBatch()";
      case OP_EXECUTE_LARGE_BATCH: return "executeLargeBatch()";
      case OP_GET_RESULT_SET: return "getResultSet()";
      case OP_GET_GENERATED_KEYS: return "getGeneratedKeys()";
      case OP_CLOSE: return "close()";
      default: return recordedCallName(op);
    }
  }

  // ---- identity -------------------------------------------------------------------------------------

  @Override
  final java.sql.Wrapper wrapped() {
    return delegate;
  }

  @Override
  final ConnectionWrapper owningConnection() {
    return connection;
  }
}
