package io.lsem.bench.stub;

import io.lsem.jdbc.codegen.GenerateStub;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;
import org.postgresql.jdbc.AutoSave;

/**
 * A pgjdbc {@link BaseConnection} that talks to nobody, for JMH micro-benchmarks only. It
 * answers what the LSEM wrappers and pool ask of a connection (transaction state, autocommit,
 * read-only, autosave, {@code standard_conforming_strings}, pgjdbc's internal queries with an empty
 * result) and hands out one shared stub statement and
 * one shared stub prepared statement, so what a benchmark measures beyond the raw stub is the
 * wrapper. It keeps just enough state for autocommit-off transactions: a statement opens a
 * transaction, {@code commit}/{@code rollback} end it. Every other method is generated and does
 * nothing ({@code StubConnectionImpl}). Not thread safe.
 */
@GenerateStub("StubConnectionImpl")
public abstract class StubConnection implements BaseConnection {
  final int rows;
  private final StubStatementImpl statement;
  private final StubPreparedStatementImpl prepared;
  private boolean autoCommit = true;
  private TransactionState state = TransactionState.IDLE;
  private boolean closed;

  @SuppressWarnings("this-escape") // the stub statements only keep the reference
  protected StubConnection(int rows) {
    this.rows = rows;
    this.statement = new StubStatementImpl(this);
    this.prepared = new StubPreparedStatementImpl(this);
  }

  /** A stub connection whose queries return {@code rows} rows of four columns. */
  public static StubConnection create(int rows) {
    return new StubConnectionImpl(rows);
  }

  /** A statement ran: with autocommit off it opens (or continues) a transaction. */
  final void executed() {
    if (!autoCommit) {
      state = TransactionState.OPEN;
    }
  }

  @Override
  public TransactionState getTransactionState() {
    return state;
  }

  @Override
  public boolean getAutoCommit() {
    return autoCommit;
  }

  @Override
  public void setAutoCommit(boolean autoCommit) {
    if (autoCommit) {
      state = TransactionState.IDLE;
    }
    this.autoCommit = autoCommit;
  }

  @Override
  public void commit() {
    state = TransactionState.IDLE;
  }

  @Override
  public void rollback() {
    state = TransactionState.IDLE;
  }

  @Override
  public boolean isReadOnly() {
    return false;
  }

  @Override
  public AutoSave getAutosave() {
    return AutoSave.NEVER;
  }

  @Override
  public boolean getStandardConformingStrings() {
    return true;
  }

  @Override
  public Statement createStatement() {
    return statement;
  }

  @Override
  public PreparedStatement prepareStatement(String sql) {
    return prepared;
  }

  /**
   * pgjdbc's internal query, which the driver's pool runs once per new connection (the session's
   * variables, {@code SessionDefaults}): an empty result, as on a connection nobody changed.
   */
  @Override
  public java.sql.ResultSet execSQLQuery(String sql) {
    return new StubResultSetImpl(0, statement);
  }

  @Override
  public java.sql.ResultSet execSQLQuery(String sql, int resultSetType, int resultSetConcurrency) {
    return execSQLQuery(sql);
  }

  /** The shared prepared statement too (the driver prepares its BEGIN-carrying statement this way). */
  @Override
  public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency,
      int resultSetHoldability) {
    return prepared;
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency) {
    return prepared;
  }

  @Override
  public Statement createStatement(int resultSetType, int resultSetConcurrency) {
    return statement;
  }

  @Override
  public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability) {
    return statement;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  /** Valid until closed (pools validate with it). */
  @Override
  public boolean isValid(int timeoutSeconds) {
    return !closed;
  }

  @Override
  public int getTransactionIsolation() {
    return TRANSACTION_READ_COMMITTED;
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("not a wrapper for " + iface.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }
}
