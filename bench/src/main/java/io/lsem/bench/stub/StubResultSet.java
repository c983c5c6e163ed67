package io.lsem.bench.stub;

import io.lsem.jdbc.codegen.GenerateStub;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A {@link ResultSet} of a fixed number of rows of four columns with fixed values
 * ({@code int}, {@code long}, {@code String}, {@code double}), for JMH micro-benchmarks only.
 * Every method a benchmark does not use is generated and does nothing
 * ({@code StubResultSetImpl}). Not thread safe.
 */
@GenerateStub("StubResultSetImpl")
public abstract class StubResultSet implements ResultSet {
  /** Value of column 1. */
  public static final int INT_VALUE = 42;
  /** Value of column 2. */
  public static final long LONG_VALUE = 4_200_000_000L;
  /** Value of column 3. */
  public static final String STRING_VALUE = "stub-row-value";
  /** Value of column 4. */
  public static final double DOUBLE_VALUE = 42.5;

  private final int rows;
  private final Statement statement;
  private int row;
  private boolean closed;

  protected StubResultSet(int rows, Statement statement) {
    this.rows = rows;
    this.statement = statement;
  }

  @Override
  public boolean next() {
    if (row < rows) {
      row++;
      return true;
    }
    return false;
  }

  @Override
  public int getInt(int columnIndex) {
    return INT_VALUE;
  }

  @Override
  public long getLong(int columnIndex) {
    return LONG_VALUE;
  }

  @Override
  public String getString(int columnIndex) {
    return STRING_VALUE;
  }

  @Override
  public double getDouble(int columnIndex) {
    return DOUBLE_VALUE;
  }

  @Override
  public java.sql.ResultSetMetaData getMetaData() {
    return new StubResultSetMetaDataImpl();
  }

  @Override
  public Statement getStatement() {
    return statement;
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public boolean isClosed() {
    return closed;
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
