package io.lsem.jdbc.wrap;

import io.lsem.jdbc.codegen.Delegate;
import io.lsem.jdbc.codegen.GenerateForwarder;
import io.lsem.jdbc.codegen.RecordCalls;
import io.lsem.jdbc.ledger.Ledger;
import io.lsem.jdbc.sql.SqlInfo;
import io.lsem.jdbc.sql.SqlStatement;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link PreparedStatement} handed to the application. Its SQL is classified once, when it is
 * prepared. While transparent retry is on, it keeps the parameters the application set (copies,
 * with streams read into memory) so that each execution can be recorded with its parameters and
 * replayed; after a replay it puts the application's current parameters and queued batch back on
 * pgjdbc's statement. Setters and everything else are forwarded by the generated
 * {@code PreparedStatementProxy}.
 */
@GenerateForwarder("PreparedStatementProxy")
@RecordCalls(value = {"set*", "clearParameters"}, target = PreparedStatement.class, hook = "bind",
    guard = "tracksBindings", withResult = false)
public abstract class PreparedStatementWrapper extends StatementWrapper implements PreparedStatement {
  private static final int OP_BINARY_STREAM = -100;
  private static final int OP_CHARACTER_STREAM = -101;
  private static final int OP_ASCII_STREAM = -102;

  @Delegate
  protected PreparedStatement psDelegate;
  final SqlInfo sql;
  private final String sqlText;
  /** The latest setting of each parameter (index → binding); OUT registrations under negative indexes. */
  private Binding[] bindings = new Binding[8];
  private Binding[] outRegistrations;
  /** Parameter sets queued by {@code addBatch()}. */
  private List<Object> batchRows;
  private int batchedRows;
  /** A replay left other parameters on pgjdbc's statement than the application set. */
  private boolean disturbed;
  /** The type of a parameter value that cannot be sent again (a LOB handle, a stream via setObject), or null. */
  private String unreplayableParameter;

  /** Asked for generated keys at creation: its first execution cannot carry BEGIN values. */
  private final boolean generatedKeys;
  /** While the current result comes from a statement that carried BEGIN values: the application's own. */
  private PreparedStatement carriedFrom;
  /**
   * The statement that carries the BEGIN values in front of this one's SQL ({@link
   * Ledger#PREPARED_BEGIN}{@code ; <sql>}), kept from transaction to transaction: its text never
   * changes, so making it once saves pgjdbc's statement set-up on every transaction.
   */
  private PreparedStatement beginCarrier;

  protected PreparedStatementWrapper(ConnectionWrapper connection, SqlCall<? extends PreparedStatement> creator,
      SqlInfo sql, String sqlText, boolean generatedKeys) throws SQLException {
    super(connection, creator);
    this.sql = sql;
    this.sqlText = sqlText;
    this.generatedKeys = generatedKeys;
  }

  @Override
  void rebind(Statement raw) throws SQLException {
    super.rebind(raw);
    psDelegate = (PreparedStatement) raw;
  }

  // ---- parameters -----------------------------------------------------------------------------

  /** Hook of the generated setters: remembers the parameter (a copy of its value). */
  protected final void bind(int op, int index, Object value) {
    String call = recordedCallName(op);
    if (call.startsWith("clearParameters")) {
      Arrays.fill(bindings, null);
      unreplayableParameter = null;
      return;
    }
    if (io.lsem.jdbc.tx.Journal.cannotReplay(value)) {
      unreplayableParameter = value.getClass().getSimpleName();
    }
    Binding b = new Binding(op, index, io.lsem.jdbc.tx.Journal.copyOf(value));
    if (call.startsWith("registerOutParameter")) {
      outRegistrations = put(outRegistrations == null ? new Binding[4] : outRegistrations, index, b);
    } else {
      bindings = put(bindings, index, b);
    }
  }

  private static Binding[] put(Binding[] array, int index, Binding b) {
    Binding[] a = index < array.length ? array : Arrays.copyOf(array, Math.max(index + 1, array.length * 2));
    a[index] = b;
    return a;
  }

  /** The parameters as set now, in index order, OUT registrations last. */
  final Binding[] snapshot() {
    List<Binding> all = new ArrayList<>();
    for (Binding b : bindings) {
      if (b != null) {
        all.add(b);
      }
    }
    if (outRegistrations != null) {
      for (Binding b : outRegistrations) {
        if (b != null) {
          all.add(b);
        }
      }
    }
    return all.toArray(new Binding[0]);
  }

  private void apply(Binding[] set) throws SQLException {
    apply(set, 0);
  }

  /** Sets {@code set} on the pgjdbc statement, each parameter {@code offset} places further on. */
  private void apply(Binding[] set, int offset) throws SQLException {
    psDelegate.clearParameters();
    for (Binding b : set) {
      int index = b.index() + offset;
      switch (b.op()) {
        case OP_BINARY_STREAM:
          psDelegate.setBinaryStream(index, new ByteArrayInputStream((byte[]) b.value()));
          break;
        case OP_ASCII_STREAM:
          psDelegate.setAsciiStream(index, new ByteArrayInputStream((byte[]) b.value()));
          break;
        case OP_CHARACTER_STREAM:
          psDelegate.setCharacterStream(index, new StringReader((String) b.value()));
          break;
        default:
          replayRecordedCall(b.op(), index, b.value());
      }
    }
  }

  @Override
  void prepareReplay(Execution x) throws SQLException {
    disturbed = true;
    if (x.bindings() != null) {
      apply(x.bindings());
    }
  }

  @Override
  void restoreIfDisturbed() throws SQLException {
    if (disturbed) {
      disturbed = false;
      uncarry();
      requeue(queuedBatch());
      apply(snapshot());
    }
  }

  /**
   * Carries pgjdbc's implicit BEGIN values in the first execution of a transaction: a carrier
   * statement runs {@code SELECT set_config('lsem.…', ?, true), …; <the application's SQL>} with
   * the BEGIN values and the application's parameters, in one message, and serves the results
   * until the next execution, when the application's own statement takes over again with its
   * parameters. The carrier is kept for the next transaction; only in front of a prepared
   * {@code SET TRANSACTION}, where the values are literals, is it a statement for one use.
   */
  private Carrier preparedCarrier(int op) {
    return preparedCarrier(op, this::snapshot);
  }

  @Override
  Carrier replayCarrier(int op, Execution x, SqlInfo info) {
    return x.sql() != null ? super.replayCarrier(op, x, info) : preparedCarrier(op, x::bindings);
  }

  /** Carries with the parameters {@code bindings} gives (the application's now, or a recorded set). */
  private Carrier preparedCarrier(int op, java.util.function.Supplier<Binding[]> bindings) {
    return ts -> {
      if (generatedKeys || ts.commitPending() || !ts.hasPendingBegin() || !ts.pendingBeginImplicit()) {
        return Carrier.NOT_CARRIED;
      }
      uncarry(); // a carried execution that failed and is being retried starts again from the own statement
      PreparedStatement own = psDelegate;
      // Stable text (the BEGIN values are parameters), so pgjdbc and the server prepare it once;
      // but SET TRANSACTION must come before any query, so in front of it go the SET LOCALs.
      boolean mustLead = !sql.statements().isEmpty()
          && sql.statements().get(0).kind() == io.lsem.jdbc.sql.StatementKind.SET_TRANSACTION;
      PreparedStatement carrier;
      if (mustLead) { // the values are in the text: a statement for this transaction only
        carrier = connection.session.physical.prepareStatement(ts.pendingBegin() + "; " + sqlText,
            own.getResultSetType(), own.getResultSetConcurrency(), own.getResultSetHoldability());
      } else {
        if (beginCarrier == null) {
          beginCarrier = connection.session.physical.prepareStatement(Ledger.PREPARED_BEGIN + "; " + sqlText,
              own.getResultSetType(), own.getResultSetConcurrency(), own.getResultSetHoldability());
        }
        carrier = beginCarrier;
      }
      carrier.setFetchSize(own.getFetchSize());
      carrier.setMaxRows(own.getMaxRows());
      carrier.setQueryTimeout(own.getQueryTimeout());
      carriedFrom = own;
      disturbed = true;
      rebind(carrier);
      apply(bindings.get(), mustLead ? 0 : Ledger.PREPARED_BEGIN_PARAMETERS);
      if (!mustLead) {
        carrier.setString(1, ts.transactionId().toString());
        carrier.setString(2, Long.toString(ts.startTimestamp()));
      }
      carrier.execute();
      ts.beginSent();
      return userResult(op, skipResults(mustLead ? Ledger.BEGIN_RESULTS : Ledger.PREPARED_BEGIN_RESULTS));
    };
  }

  /**
   * Back to the application's own statement after a carried execution. The reusable carrier stays
   * open, its result closed (as re-executing the statement would close it); a one-off one is closed.
   */
  private void uncarry() throws SQLException {
    if (carriedFrom != null) {
      PreparedStatement carrier = psDelegate;
      rebind(carriedFrom);
      carriedFrom = null;
      if (carrier == beginCarrier) {
        ResultSet open = carrier.getResultSet();
        if (open != null) {
          open.close();
        }
      } else {
        carrier.close();
      }
      applySettings();
    }
  }

  /** The carried execution's statement and the own one both belonged to the lost connection. */
  @Override
  void renew() throws SQLException {
    carriedFrom = null;
    beginCarrier = null;
    super.renew();
    disturbed = true; // the new statement gets the application's parameters before its next execution
  }

  @Override
  void reopenForReplay() throws SQLException {
    if (stale()) {
      renew();
      return;
    }
    uncarry();
    super.reopenForReplay();
  }

  @Override
  public void close() throws SQLException {
    PreparedStatement oneOff = null;
    if (carriedFrom != null) {
      oneOff = psDelegate == beginCarrier ? null : psDelegate;
      rebind(carriedFrom);
      carriedFrom = null;
    }
    for (PreparedStatement carrier : new PreparedStatement[] {oneOff, beginCarrier}) {
      if (carrier != null) {
        connection.wrapRaw(() -> {
          carrier.close();
          return null;
        });
      }
    }
    beginCarrier = null;
    super.close();
  }

  // ---- streams: read into memory while parameters are tracked, so a replay can send them again ------

  @Override
  public void setBinaryStream(int index, InputStream in) throws SQLException {
    setStream(index, in, -1, OP_BINARY_STREAM);
  }

  @Override
  public void setBinaryStream(int index, InputStream in, int length) throws SQLException {
    setStream(index, in, length, OP_BINARY_STREAM);
  }

  @Override
  public void setBinaryStream(int index, InputStream in, long length) throws SQLException {
    setStream(index, in, length, OP_BINARY_STREAM);
  }

  @Override
  public void setAsciiStream(int index, InputStream in) throws SQLException {
    setStream(index, in, -1, OP_ASCII_STREAM);
  }

  @Override
  public void setAsciiStream(int index, InputStream in, int length) throws SQLException {
    setStream(index, in, length, OP_ASCII_STREAM);
  }

  @Override
  public void setAsciiStream(int index, InputStream in, long length) throws SQLException {
    setStream(index, in, length, OP_ASCII_STREAM);
  }

  @Override
  public void setCharacterStream(int index, Reader reader) throws SQLException {
    setReader(index, reader, -1);
  }

  @Override
  public void setCharacterStream(int index, Reader reader, int length) throws SQLException {
    setReader(index, reader, length);
  }

  @Override
  public void setCharacterStream(int index, Reader reader, long length) throws SQLException {
    setReader(index, reader, length);
  }

  private void setStream(int index, InputStream in, long length, int op) throws SQLException {
    if (in == null || !tracksBindings()) {
      connection.wrapRaw(() -> {
        if (op == OP_BINARY_STREAM) {
          psDelegate.setBinaryStream(index, in, length < 0 ? Long.MAX_VALUE : length);
        } else {
          psDelegate.setAsciiStream(index, in, length < 0 ? Long.MAX_VALUE : length);
        }
        return null;
      });
      return;
    }
    byte[] bytes = StreamBuffer.read(in, length);
    connection.wrapRaw(() -> {
      if (op == OP_BINARY_STREAM) {
        psDelegate.setBinaryStream(index, new ByteArrayInputStream(bytes), bytes.length);
      } else {
        psDelegate.setAsciiStream(index, new ByteArrayInputStream(bytes), bytes.length);
      }
      return null;
    });
    bindings = put(bindings, index, new Binding(op, index, bytes));
  }

  private void setReader(int index, Reader reader, long length) throws SQLException {
    if (reader == null || !tracksBindings()) {
      connection.wrapRaw(() -> {
        if (length < 0) {
          psDelegate.setCharacterStream(index, reader);
        } else {
          psDelegate.setCharacterStream(index, reader, length);
        }
        return null;
      });
      return;
    }
    String text = StreamBuffer.read(reader, length);
    connection.wrapRaw(() -> {
      psDelegate.setCharacterStream(index, new StringReader(text), text.length());
      return null;
    });
    bindings = put(bindings, index, new Binding(OP_CHARACTER_STREAM, index, text));
  }

  // ---- executions -------------------------------------------------------------------------------

  private Execution current() {
    return tracksBindings() ? Executions.prepared(snapshot()) : Executions.NONE;
  }

  @Override
  void record(int op, Execution x, long result) {
    guardParameters();
    super.record(op, x, result);
  }

  @Override
  void record(int op, Execution x, boolean result) {
    guardParameters();
    super.record(op, x, result);
  }

  @Override
  void record(int op, Execution x, Object result) {
    guardParameters();
    super.record(op, x, result);
  }

  private void guardParameters() {
    if (unreplayableParameter != null && recording()) {
      journal().markNotReplayable(describe() + " was executed with a " + unreplayableParameter
          + " parameter, which cannot be sent again");
    }
  }

  @Override
  public ResultSet executeQuery() throws SQLException {
    Execution x = current();
    restoreIfDisturbed();
    return recordQuery(OP_EXECUTE_QUERY, x, run(sql, () -> {
      restoreIfDisturbed();
      return psDelegate.executeQuery();
    }, preparedCarrier(OP_EXECUTE_QUERY)), sql.isSequenceOnly());
  }

  @Override
  public int executeUpdate() throws SQLException {
    Execution x = current();
    restoreIfDisturbed();
    int count = run(sql, () -> {
      restoreIfDisturbed();
      return psDelegate.executeUpdate();
    }, preparedCarrier(OP_EXECUTE_UPDATE));
    record(OP_EXECUTE_UPDATE, x, count);
    return count;
  }

  @Override
  public long executeLargeUpdate() throws SQLException {
    Execution x = current();
    restoreIfDisturbed();
    long count = run(sql, () -> {
      restoreIfDisturbed();
      return psDelegate.executeLargeUpdate();
    }, preparedCarrier(OP_EXECUTE_LARGE_UPDATE));
    record(OP_EXECUTE_LARGE_UPDATE, x, count);
    return count;
  }

  @Override
  public boolean execute() throws SQLException {
    Execution x = current();
    restoreIfDisturbed();
    boolean hasResultSet = run(sql, () -> {
      restoreIfDisturbed();
      return psDelegate.execute();
    }, preparedCarrier(OP_EXECUTE));
    record(OP_EXECUTE, x, hasResultSet);
    return hasResultSet;
  }

  @Override
  ResultSet rawQuery(Execution x) throws SQLException {
    return x.sql() == null ? psDelegate.executeQuery() : super.rawQuery(x);
  }

  @Override
  int rawUpdate(Execution x) throws SQLException {
    return x.sql() == null ? psDelegate.executeUpdate() : super.rawUpdate(x);
  }

  @Override
  long rawLargeUpdate(Execution x) throws SQLException {
    return x.sql() == null ? psDelegate.executeLargeUpdate() : super.rawLargeUpdate(x);
  }

  @Override
  boolean rawExecute(Execution x) throws SQLException {
    return x.sql() == null ? psDelegate.execute() : super.rawExecute(x);
  }

  @Override
  SqlInfo ownSql() {
    return sql;
  }

  // ---- batches ------------------------------------------------------------------------------------

  @Override
  public void addBatch() throws SQLException {
    connection.wrapRaw(() -> {
      restoreIfDisturbed();
      psDelegate.addBatch();
      return null;
    });
    batchedRows++;
    if (tracksBindings()) {
      if (batchRows == null) {
        batchRows = new ArrayList<>();
      }
      batchRows.add(snapshot());
    }
  }

  @Override
  void forgetBatch() {
    super.forgetBatch();
    batchedRows = 0;
    if (batchRows != null) {
      batchRows.clear();
    }
  }

  @Override
  List<Object> queuedBatch() {
    return batchRows == null ? List.of() : List.copyOf(batchRows);
  }

  @Override
  void requeue(List<Object> batch) throws SQLException {
    psDelegate.clearBatch();
    for (Object row : batch) {
      apply((Binding[]) row);
      psDelegate.addBatch();
    }
    disturbed = true;
  }

  @Override
  int batchEntries() {
    return batchedRows;
  }

  /** The prepared SQL once per batched row (once suffices without transaction control). */
  @Override
  SqlInfo batchInfo() {
    return rows(batchedRows);
  }

  @Override
  SqlInfo replayBatchInfo(Execution x) {
    return rows(x.batch().size());
  }

  private SqlInfo rows(int rows) {
    int repeats = sql.hasTransactionControl() ? rows : Math.min(rows, 1);
    if (repeats == 1) {
      return sql;
    }
    List<SqlStatement> all = new ArrayList<>();
    for (int i = 0; i < repeats; i++) {
      all.addAll(sql.statements());
    }
    return SqlInfo.of(all);
  }

  @Override
  public String describe() {
    String text = sqlText.length() > 80 ? sqlText.substring(0, 77) + "..." : sqlText;
    return super.describe() + " [" + text + "]";
  }

  /** Reads streams into memory for parameters that must be sent again on a replay. */
  static final class StreamBuffer {
    private StreamBuffer() {}

    static byte[] read(InputStream in, long length) throws SQLException {
      try {
        return length < 0 ? in.readAllBytes() : in.readNBytes((int) Math.min(length, Integer.MAX_VALUE));
      } catch (IOException e) {
        throw new SQLException("could not read the stream parameter: " + e.getMessage(), "22000", e);
      }
    }

    static String read(Reader reader, long length) throws SQLException {
      try {
        StringBuilder sb = new StringBuilder();
        char[] buf = new char[8192];
        long remaining = length < 0 ? Long.MAX_VALUE : length;
        int n;
        while (remaining > 0 && (n = reader.read(buf, 0, (int) Math.min(buf.length, remaining))) > 0) {
          sb.append(buf, 0, n);
          remaining -= n;
        }
        return sb.toString();
      } catch (IOException e) {
        throw new SQLException("could not read the stream parameter: " + e.getMessage(), "22000", e);
      }
    }

    static byte[] ascii(String s) {
      return s.getBytes(StandardCharsets.US_ASCII);
    }
  }
}
