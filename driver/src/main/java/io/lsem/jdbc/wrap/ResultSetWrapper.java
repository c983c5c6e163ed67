package io.lsem.jdbc.wrap;

import io.lsem.jdbc.codegen.Delegate;
import io.lsem.jdbc.codegen.ErrorTranslator;
import io.lsem.jdbc.codegen.GenerateForwarder;
import io.lsem.jdbc.codegen.RecordCalls;
import io.lsem.jdbc.tx.ErrorTranslation;
import io.lsem.jdbc.tx.Journal;
import io.lsem.jdbc.tx.Replayable;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A {@link ResultSet} handed to the application. {@code getStatement()} returns the statement
 * wrapper that produced it (the {@code PreparedStatement} wrapper for a prepared statement's
 * results). Within a transaction, every cursor move and value the application reads is recorded
 * (without allocating for primitive values); on a replay the wrapper is rebound to the new
 * result and the same calls are made on it in the same order, so the rest of a partly read
 * result comes from the replayed snapshot. Streams are read into memory while recording so what
 * the application read can be compared. Everything is forwarded by the generated
 * {@code ResultSetProxy}.
 */
@GenerateForwarder("ResultSetProxy")
@RecordCalls(value = {"get*", "next", "previous", "first", "last", "absolute", "relative", "beforeFirst",
    "afterLast", "isBeforeFirst", "isAfterLast", "isFirst", "isLast", "wasNull", "findColumn", "setFetchSize",
    "setFetchDirection"},
    except = {"getMetaData", "getWarnings", "getHoldability", "getType", "getConcurrency", "getCursorName",
        "getFetchSize", "getFetchDirection", "getBlob", "getClob", "getNClob", "getSQLXML", "getRef", "getRowId",
        "getUnicodeStream", "getNCharacterStream"},
    target = ResultSet.class, recover = true)
@RecordCalls(value = {"update*", "insertRow", "deleteRow", "refreshRow", "moveToInsertRow", "cancelRowUpdates",
    "getBlob", "getClob", "getNClob", "getSQLXML", "getRef", "getRowId", "getUnicodeStream", "getNCharacterStream"},
    target = ResultSet.class, hook = "notReplayable", withResult = false)
public abstract class ResultSetWrapper extends ChildWrapper implements ResultSet, Replayable, ErrorTranslation {
  private static final int OP_CLOSE = -1;

  @Delegate
  protected ResultSet delegate;
  private final StatementWrapper owner;
  private Statement statement;
  final ConnectionWrapper connection;
  /** The recording this result belongs to; reads are recorded only within it. */
  private final int generation;
  private final Journal journal;
  private final boolean comparesValues;

  /**
   * {@code owner} is null for result sets of {@code DatabaseMetaData}, which are not recorded;
   * {@code comparesValues} is false for results of sequence allocations.
   */
  protected ResultSetWrapper(ResultSet delegate, StatementWrapper owner, ConnectionWrapper connection,
      boolean comparesValues) {
    this.delegate = delegate;
    this.owner = owner;
    this.statement = owner;
    this.connection = connection;
    this.journal = connection.journal();
    this.generation = owner == null ? -1 : journal.generation();
    this.comparesValues = comparesValues;
  }

  /** Points the wrapper at the replay's result. */
  void rebind(ResultSet raw) {
    delegate = raw;
  }

  @ErrorTranslator
  @Override
  public final SQLException translate(SQLException e) {
    return owner != null ? owner.translate(e) : connection.translate(e);
  }

  // ---- hooks of the generated code -------------------------------------------------------------

  protected final boolean recording() {
    return journal.accepts(generation);
  }

  protected final void recordCall(int op, int intArg, Object otherArgs, long result) {
    journal.record(this, op, intArg, otherArgs, result);
  }

  protected final void recordCall(int op, int intArg, Object otherArgs, double result) {
    journal.record(this, op, intArg, otherArgs, result);
  }

  protected final void recordCall(int op, int intArg, Object otherArgs, boolean result) {
    journal.record(this, op, intArg, otherArgs, result);
  }

  protected final void recordCall(int op, int intArg, Object otherArgs, Object result) {
    journal.record(this, op, intArg, otherArgs, result);
  }

  protected final void recordCall(int op, int intArg, Object otherArgs) {
    journal.record(this, op, intArg, otherArgs);
  }

  /** Hook of updaters and LOB getters: the transaction can no longer be replayed. */
  protected final void notReplayable(int op, int intArg, Object otherArgs) {
    if (recording()) {
      journal.markNotReplayable(describe() + "." + recordedCallName(op) + " cannot be replayed");
    }
  }

  /** A recorded call failed: replay the transaction and make the call again, or throw. */
  protected final Object recover(int op, int intArg, Object otherArgs, SQLException e) throws SQLException {
    if (owner == null) {
      throw translate(e);
    }
    return Resumption.resume(connection, this, this, op, intArg, otherArgs, e,
        () -> replayRecordedCall(op, intArg, otherArgs));
  }

  protected abstract Object replayRecordedCall(int op, int intArg, Object otherArgs) throws SQLException;

  protected abstract String recordedCallName(int op);

  // ---- streams are read into memory while recording ---------------------------------------------

  @Override
  public InputStream getBinaryStream(int column) throws SQLException {
    if (!recording()) {
      return connection.wrapRaw(() -> delegate.getBinaryStream(column));
    }
    byte[] bytes = getBytes(column);
    return bytes == null ? null : new ByteArrayInputStream(bytes);
  }

  @Override
  public InputStream getBinaryStream(String label) throws SQLException {
    return getBinaryStream(findColumn(label));
  }

  @Override
  public InputStream getAsciiStream(int column) throws SQLException {
    if (!recording()) {
      return connection.wrapRaw(() -> delegate.getAsciiStream(column));
    }
    String text = getString(column);
    return text == null ? null : new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public InputStream getAsciiStream(String label) throws SQLException {
    return getAsciiStream(findColumn(label));
  }

  @Override
  public Reader getCharacterStream(int column) throws SQLException {
    if (!recording()) {
      return connection.wrapRaw(() -> delegate.getCharacterStream(column));
    }
    String text = getString(column);
    return text == null ? null : new StringReader(text);
  }

  @Override
  public Reader getCharacterStream(String label) throws SQLException {
    return getCharacterStream(findColumn(label));
  }

  // ---- identity, close and replay ------------------------------------------------------------------

  @Override
  public Statement getStatement() throws SQLException {
    if (statement == null) {
      statement = connection.wrapForeignStatement(connection.wrapRaw(() -> delegate.getStatement()));
    }
    return statement;
  }

  @Override
  public void close() throws SQLException {
    connection.wrapRaw(() -> {
      delegate.close();
      return null;
    });
    if (recording()) {
      journal.record(this, OP_CLOSE, -1, null);
    }
  }

  @Override
  public Object replay(int op, int intArg, Object otherArgs) throws SQLException {
    if (op == OP_CLOSE) {
      delegate.close();
      return null;
    }
    return replayRecordedCall(op, intArg, otherArgs);
  }

  @Override
  public boolean comparesValues() {
    return comparesValues;
  }

  @Override
  public String describe() {
    return "ResultSet of " + (owner == null ? "DatabaseMetaData" : owner.describe());
  }

  @Override
  public String callName(int op) {
    return op == OP_CLOSE ? "close()" : recordedCallName(op);
  }

  @Override
  final java.sql.Wrapper wrapped() {
    return delegate;
  }

  @Override
  final ConnectionWrapper owningConnection() {
    return connection;
  }
}
