package io.lsem.bench.stub;

import io.lsem.jdbc.codegen.GenerateStub;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;

/**
 * The columns of a {@link StubResultSet} (four, labelled {@code c1}..{@code c4}, typed int, bigint,
 * varchar, double), for JMH micro-benchmarks only. Other methods are generated and do nothing
 * ({@code StubResultSetMetaDataImpl}).
 */
@GenerateStub("StubResultSetMetaDataImpl")
public abstract class StubResultSetMetaData implements ResultSetMetaData {
  private static final String[] LABELS = {"c1", "c2", "c3", "c4"};
  private static final int[] TYPES = {Types.INTEGER, Types.BIGINT, Types.VARCHAR, Types.DOUBLE};

  @Override
  public int getColumnCount() {
    return LABELS.length;
  }

  @Override
  public String getColumnLabel(int column) {
    return LABELS[column - 1];
  }

  @Override
  public int getColumnType(int column) {
    return TYPES[column - 1];
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    throw new SQLException("not a wrapper for " + iface.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return false;
  }
}
