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
  private static final int OP_ASCII_STREAM_INT = -102;
  private static final int OP_BINARY_STREAM_INT = -103;
  private static final int OP_BINARY_STREAM_LONG = -104;
  /** The length argument of a stream setter without one (not -1, which an application may pass). */
  private static final long NO_LENGTH = Long.MIN_VALUE;
  /** The value of a parameter that was not kept (see {@link #keepsValue}). */
  private static final Object NOT_KEPT = new Object() {
    @Override
    public String toString() {
      return "a value not kept";
    }
  };

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
  /** A queued parameter set has a value that was not kept. */
  private boolean batchNotKept;
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
  /** {@link ConnectionSession#preparedStatementDrops()} when {@link #beginCarrier} was made. */
  private int beginCarrierDrops;

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

  private static final byte SETTER = 1;
  private static final byte CLEAR_PARAMETERS = 2;
  private static final byte REGISTER_OUT_PARAMETER = 3;
  /**
   * What each recorded call of a generated class is, by op number (0: not looked at yet): found
   * from the call's name once per class and op, so the hook of every setter compares no strings.
   * Shared by the statements of a class; racing writers store the same value.
   */
  private static final ClassValue<byte[]> OP_KINDS = new ClassValue<>() {
    @Override
    protected byte[] computeValue(Class<?> type) {
      return new byte[256];
    }
  };
  private final byte[] opKinds = OP_KINDS.get(getClass());

  private byte kindOf(int op) {
    byte kind = op < opKinds.length ? opKinds[op] : 0;
    if (kind == 0) {
      String call = recordedCallName(op);
      kind = call.startsWith("clearParameters") ? CLEAR_PARAMETERS
          : call.startsWith("registerOutParameter") ? REGISTER_OUT_PARAMETER : SETTER;
      if (op < opKinds.length) {
        opKinds[op] = kind;
      }
    }
    return kind;
  }

  /** Hook of the generated setters for a {@code boolean}: kept unboxed. */
  protected final void bind(int op, int index, boolean value) {
    bindPrimitive(op, Binding.of(op, index, value));
  }

  /** Hook of the generated setters for a {@code byte}: kept unboxed. */
  protected final void bind(int op, int index, byte value) {
    bindPrimitive(op, Binding.of(op, index, value));
  }

  /** Hook of the generated setters for a {@code short}: kept unboxed. */
  protected final void bind(int op, int index, short value) {
    bindPrimitive(op, Binding.of(op, index, value));
  }

  /** Hook of the generated setters for a {@code int}: kept unboxed. */
  protected final void bind(int op, int index, int value) {
    bindPrimitive(op, Binding.of(op, index, value));
  }

  /** Hook of the generated setters for a {@code long}: kept unboxed. */
  protected final void bind(int op, int index, long value) {
    bindPrimitive(op, Binding.of(op, index, value));
  }

  /** Hook of the generated setters for a {@code float}: kept unboxed. */
  protected final void bind(int op, int index, float value) {
    bindPrimitive(op, Binding.of(op, index, value));
  }

  /** Hook of the generated setters for a {@code double}: kept unboxed. */
  protected final void bind(int op, int index, double value) {
    bindPrimitive(op, Binding.of(op, index, value));
  }

  /**
   * A primitive parameter (or {@code registerOutParameter}'s SQL type): nothing to copy, no
   * instant, nothing that cannot be sent again; only the recording's bound applies.
   */
  private void bindPrimitive(int op, Binding kept) {
    int index = kept.index();
    if (index >= 1 && index <= 64) {
      justNowParameters &= ~(1L << (index - 1)); // this parameter, bound again, is no longer one
    }
    store(kindOf(op), index, keepsValue(0) ? kept : notKept(op, index));
  }

  /** Keeps {@code b} as parameter {@code index}, or as its OUT registration. */
  private void store(byte kind, int index, Binding b) {
    if (kind == REGISTER_OUT_PARAMETER) {
      outRegistrations = put(outRegistrations == null ? new Binding[4] : outRegistrations, index, b);
    } else {
      bindings = put(bindings, index, b);
    }
  }

  /** Hook of the generated setters: remembers the parameter (a copy of its value). */
  protected final void bind(int op, int index, Object value) {
    byte kind = kindOf(op);
    if (kind == CLEAR_PARAMETERS) {
      Arrays.fill(bindings, null);
      unreplayableParameter = null;
      justNowParameters = 0;
      return;
    }
    // a setter with more arguments (setTimestamp(i, ts, calendar), setObject(i, x, type)) passes them
    // as an array, the value first; an array parameter whose first element is such a value counts too
    Object time = value instanceof Object[] args && args.length > 0 ? args[0] : value;
    long bit = index >= 1 && index <= 64 ? 1L << (index - 1) : 0;
    String justNow = mayBeInstant(time) ? justNow(time) : null;
    if (justNow != null) {
      justNowParameters |= bit;
      justNowType = justNow;
    } else {
      justNowParameters &= ~bit; // this parameter, bound again, is no longer one
    }
    if (io.lsem.jdbc.tx.Journal.cannotReplay(value)) {
      unreplayableParameter = value.getClass().getSimpleName();
    }
    store(kind, index, keepsValue(largeValueBytes(value))
        ? Binding.of(op, index, io.lsem.jdbc.tx.Journal.copyOf(value)) : notKept(op, index));
  }

  /**
   * Whether {@code v} may be an instant. The common values are told by their class alone: an
   * {@code instanceof} of an interface ({@code Temporal}) that a final class such as
   * {@code Integer} does not implement scans its supertypes on every call on JDK 17.
   */
  private static boolean mayBeInstant(Object v) {
    if (v == null) {
      return false;
    }
    Class<?> c = v.getClass();
    if (c == java.time.LocalDateTime.class || c == java.time.OffsetDateTime.class) {
      return true;
    }
    if (c == byte[].class || io.lsem.jdbc.tx.Journal.isPlainValue(v)) {
      return false;
    }
    return v instanceof java.util.Date || v instanceof java.time.temporal.Temporal;
  }

  /** Bit {@code i - 1}: parameter {@code i} is a time taken from this JVM's clock just now, for {@link WriteGuards}. */
  private long justNowParameters;
  /** The type of the last parameter found taken from the clock. */
  private String justNowType;

  /** The type of a bound parameter (of the first 64) taken from this JVM's clock just now, or {@code null}. */
  String localTimeParameter() {
    return justNowParameters == 0 ? null : justNowType;
  }

  /**
   * The type of {@code v} if it is an instant within {@link WriteGuards#JUST_NOW_MILLIS} of this
   * JVM's clock. A value on a whole second does not count: the application rounded it (a
   * {@code LocalDateTime.now().truncatedTo(SECONDS)} falls within 5 ms of the clock one time in
   * 200), while a value taken on the spot is on a whole second one time in a thousand or less.
   */
  private static String justNow(Object v) {
    long millis;
    int nanosOfSecond;
    if (v instanceof java.sql.Timestamp t) {
      millis = t.getTime();
      nanosOfSecond = t.getNanos();
    } else if (v instanceof java.util.Date d) {
      millis = d.getTime();
      nanosOfSecond = (int) Math.floorMod(millis, 1000L) * 1_000_000;
    } else if (v instanceof java.time.Instant i) {
      millis = i.toEpochMilli();
      nanosOfSecond = i.getNano();
    } else if (v instanceof java.time.OffsetDateTime o) {
      millis = o.toInstant().toEpochMilli();
      nanosOfSecond = o.getNano();
    } else if (v instanceof java.time.ZonedDateTime z) {
      millis = z.toInstant().toEpochMilli();
      nanosOfSecond = z.getNano();
    } else if (v instanceof java.time.LocalDateTime l) {
      millis = l.atZone(java.time.ZoneId.systemDefault()).toInstant().toEpochMilli();
      nanosOfSecond = l.getNano();
    } else {
      return null; // a date or a time of day is not an instant
    }
    return nanosOfSecond != 0 && Math.abs(System.currentTimeMillis() - millis) <= WriteGuards.JUST_NOW_MILLIS
        ? v.getClass().getSimpleName() : null;
  }

  /** About the size of {@code v} if it may be large (bytes, text, arrays), else 0: cheap for the common setters. */
  private static long largeValueBytes(Object v) {
    if (v instanceof byte[] b) {
      return b.length;
    }
    if (v instanceof String s) {
      return 2L * s.length();
    }
    return v != null && v.getClass().isArray() ? io.lsem.jdbc.tx.Journal.estimateBytes(v) : 0;
  }

  /**
   * Whether a parameter value of about {@code bytes} is kept (copied) for a replay: not when it
   * alone is larger than {@code retryMaxRecordedBytes}, nor while the open transaction's recording
   * has already grown past it — such a transaction is never replayed, and copying a large value
   * would only double the heap it takes (pgjdbc keeps its own copy).
   */
  private boolean keepsValue(long bytes) {
    return journal().keepsValue(bytes);
  }

  /**
   * A binding whose value was not kept. While a transaction is recorded, the statement now holds a
   * parameter a replay could not put back: the transaction cannot be replayed.
   */
  private Binding notKept(int op, int index) {
    if (recording()) {
      journal().markTooLarge(describe() + " parameter " + index);
    }
    return Binding.of(op, index, NOT_KEPT);
  }

  /** Whether every parameter set now was kept. */
  private boolean allKept(Binding[] set) {
    for (Binding b : set) {
      if (b != null && b.value() == NOT_KEPT) {
        return false;
      }
    }
    return true;
  }

  private static Binding[] put(Binding[] array, int index, Binding b) {
    Binding[] a = index < array.length ? array : Arrays.copyOf(array, Math.max(index + 1, array.length * 2));
    a[index] = b;
    return a;
  }

  /** The parameters as set now, in index order, OUT registrations last. */
  final Binding[] snapshot() {
    int count = 0;
    for (Binding b : bindings) {
      count += b != null ? 1 : 0;
    }
    if (outRegistrations != null) {
      for (Binding b : outRegistrations) {
        count += b != null ? 1 : 0;
      }
    }
    Binding[] all = new Binding[count]; // one exact allocation per execution: this runs for every recorded call
    int i = 0;
    for (Binding b : bindings) {
      if (b != null) {
        all[i++] = b;
      }
    }
    if (outRegistrations != null) {
      for (Binding b : outRegistrations) {
        if (b != null) {
          all[i++] = b;
        }
      }
    }
    return all;
  }

  private void apply(Binding[] set) throws SQLException {
    apply(set, 0);
  }

  /** Sets {@code set} on the pgjdbc statement, each parameter {@code offset} places further on. */
  private void apply(Binding[] set, int offset) throws SQLException {
    psDelegate.clearParameters();
    for (Binding b : set) {
      int index = b.index() + offset;
      if (b.value() == NOT_KEPT) {
        throw new SQLException("the driver did not keep parameter " + b.index() + " of " + describe()
            + " (larger than retryMaxRecordedBytes) and cannot set it again", "XX000");
      }
      switch (b.op()) {
        case OP_BINARY_STREAM, OP_BINARY_STREAM_INT, OP_BINARY_STREAM_LONG, OP_ASCII_STREAM_INT -> {
          StreamValue v = (StreamValue) b.value();
          sendStream(psDelegate, b.op(), index, v.data() == null ? null : new ByteArrayInputStream((byte[]) v.data()),
              v.length());
        }
        case OP_CHARACTER_STREAM -> {
          StreamValue v = (StreamValue) b.value();
          sendReader(psDelegate, index, v.data() == null ? null : new StringReader((String) v.data()), v.length());
        }
        default -> replayRecordedCall(b.op(), index, b.value());
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
      Binding[] set = bindings.get();
      if (!allKept(set) || batchNotKept) {
        return Carrier.NOT_CARRIED; // a parameter past the bound: the BEGIN values go in a message of their own
      }
      uncarry(); // a carried execution that failed and is being retried starts again from the own statement
      PreparedStatement own = psDelegate;
      // Stable text (the BEGIN values are parameters), so pgjdbc and the server prepare it once;
      // but SET TRANSACTION must come before any query (and first in the message, for pgjdbc's
      // autosave), so after it go the SET LOCALs.
      boolean mustLead = !sql.statements().isEmpty() && beginValuesFollow(sql.statements().get(0));
      if (mustLead && sql.statements().size() > 1) {
        return Carrier.NOT_CARRIED; // the values are sent after this call, in a message of their own
      }
      PreparedStatement carrier;
      if (mustLead) { // the values are in the text: a statement for this transaction only
        carrier = connection.session.physical.prepareStatement(sqlText + "; " + ts.pendingBegin(),
            own.getResultSetType(), own.getResultSetConcurrency(), own.getResultSetHoldability());
      } else {
        if (beginCarrier != null && beginCarrierDrops != connection.session.preparedStatementDrops()) {
          beginCarrier.close(); // DEALLOCATE / DISCARD ALL dropped it on the server: made again
          beginCarrier = null;
        }
        if (beginCarrier == null) {
          beginCarrierDrops = connection.session.preparedStatementDrops();
          beginCarrier = connection.session.physical.prepareStatement(
              connection.session.reprepared() + Ledger.PREPARED_BEGIN + "; " + sqlText,
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
      apply(set, mustLead ? 0 : Ledger.PREPARED_BEGIN_PARAMETERS);
      if (!mustLead) {
        carrier.setString(1, ts.transactionId().toString());
        carrier.setString(2, Long.toString(ts.startTimestamp()));
      }
      carrier.execute();
      ts.beginSent();
      if (mustLead) {
        skipResults(Ledger.BEGIN_RESULTS);
        return withoutResult(op);
      }
      return userResult(op, skipResults(Ledger.PREPARED_BEGIN_RESULTS));
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

  // ---- streams -----------------------------------------------------------------------------------
  //
  // Each setter goes to pgjdbc's overload of the same signature, so that lengths, nulls and the
  // overloads pgjdbc does not implement behave exactly as without the driver. While parameters are
  // tracked, the stream is read into memory first (as much as pgjdbc would read) and pgjdbc gets the
  // bytes with the same declared length: a stream shorter than its length fails at execution with
  // pgjdbc's 22023. Past the recording's bound the stream goes to pgjdbc untouched and nothing is kept.

  @Override
  public void setBinaryStream(int index, InputStream in) throws SQLException {
    setStream(index, in, NO_LENGTH, OP_BINARY_STREAM);
  }

  @Override
  public void setBinaryStream(int index, InputStream in, int length) throws SQLException {
    setStream(index, in, length, OP_BINARY_STREAM_INT);
  }

  @Override
  public void setBinaryStream(int index, InputStream in, long length) throws SQLException {
    setStream(index, in, length, OP_BINARY_STREAM_LONG);
  }

  @Override
  public void setAsciiStream(int index, InputStream in) throws SQLException {
    connection.wrapRaw(() -> {
      psDelegate.setAsciiStream(index, in); // not implemented by pgjdbc: its 0A000
      return null;
    });
  }

  @Override
  public void setAsciiStream(int index, InputStream in, int length) throws SQLException {
    setStream(index, in, length, OP_ASCII_STREAM_INT);
  }

  @Override
  public void setAsciiStream(int index, InputStream in, long length) throws SQLException {
    connection.wrapRaw(() -> {
      psDelegate.setAsciiStream(index, in, length); // not implemented by pgjdbc: its 0A000
      return null;
    });
  }

  @Override
  public void setCharacterStream(int index, Reader reader) throws SQLException {
    setReader(index, reader, NO_LENGTH);
  }

  @Override
  public void setCharacterStream(int index, Reader reader, int length) throws SQLException {
    setReader(index, reader, length);
  }

  @Override
  public void setCharacterStream(int index, Reader reader, long length) throws SQLException {
    connection.wrapRaw(() -> {
      psDelegate.setCharacterStream(index, reader, length); // not implemented by pgjdbc: its 0A000
      return null;
    });
  }

  /** pgjdbc's stream setter {@code op} on {@code target}, the overload the application called. */
  private static void sendStream(PreparedStatement target, int op, int index, InputStream in, long length)
      throws SQLException {
    switch (op) {
      case OP_BINARY_STREAM -> target.setBinaryStream(index, in);
      case OP_BINARY_STREAM_INT -> target.setBinaryStream(index, in, (int) length);
      case OP_BINARY_STREAM_LONG -> target.setBinaryStream(index, in, length);
      case OP_ASCII_STREAM_INT -> target.setAsciiStream(index, in, (int) length);
      default -> throw new IllegalArgumentException("not a stream setter: " + op);
    }
  }

  private static void sendReader(PreparedStatement target, int index, Reader reader, long length)
      throws SQLException {
    if (length == NO_LENGTH) {
      target.setCharacterStream(index, reader);
    } else {
      target.setCharacterStream(index, reader, (int) length);
    }
  }

  private void setStream(int index, InputStream in, long length, int op) throws SQLException {
    // pgjdbc's own answer to a null, a negative or a too large length; and nothing kept past the bound
    if (in == null || (length < 0 && length != NO_LENGTH) || length > Integer.MAX_VALUE || !tracksBindings()
        || !keepsValue(length == NO_LENGTH ? 0 : length)) {
      connection.wrapRaw(() -> {
        sendStream(psDelegate, op, index, in, length);
        return null;
      });
      if (tracksBindings()) {
        keepNull(index, in == null, op, length);
      }
      return;
    }
    byte[] bytes = StreamBuffer.read(in, length);
    connection.wrapRaw(() -> {
      sendStream(psDelegate, op, index, new ByteArrayInputStream(bytes), length);
      return null;
    });
    keep(index, Binding.of(op, index, new StreamValue(bytes, length)), bytes.length);
  }

  private void setReader(int index, Reader reader, long length) throws SQLException {
    if (reader == null || (length < 0 && length != NO_LENGTH) || !tracksBindings()
        || !keepsValue(2 * Math.max(length, 0))) {
      connection.wrapRaw(() -> {
        sendReader(psDelegate, index, reader, length);
        return null;
      });
      if (tracksBindings()) {
        keepNull(index, reader == null, OP_CHARACTER_STREAM, length);
      }
      return;
    }
    String text = StreamBuffer.read(reader, length);
    connection.wrapRaw(() -> {
      sendReader(psDelegate, index, new StringReader(text), length);
      return null;
    });
    keep(index, Binding.of(OP_CHARACTER_STREAM, index, new StreamValue(text, length)), 2L * text.length());
  }

  /** Keeps a stream's binding, unless what was read is beyond the recording's bound. */
  private void keep(int index, Binding b, long bytes) {
    bindings = put(bindings, index, keepsValue(bytes) ? b : notKept(b.op(), index));
  }

  /** After a stream setter that went to pgjdbc untouched: a null stream is kept as such, anything else is not kept. */
  private void keepNull(int index, boolean nullStream, int op, long length) {
    bindings = put(bindings, index, nullStream ? Binding.of(op, index, new StreamValue(null, length))
        : notKept(op, index));
  }

  /** A stream's bytes or text as read, and the length the application declared ({@link #NO_LENGTH} if none). */
  record StreamValue(Object data, long length) implements io.lsem.jdbc.tx.Sized {
    @Override
    public long estimatedBytes() {
      return 16 + io.lsem.jdbc.tx.Journal.estimateBytes(data);
    }
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
    } else if (recording() && (!allKept(bindings) || batchNotKept)) {
      journal().markTooLarge(describe() + " parameters");
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
      batchNotKept |= !allKept(bindings);
    }
  }

  @Override
  void forgetBatch() {
    super.forgetBatch();
    batchedRows = 0;
    batchNotKept = false;
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
  }
}
