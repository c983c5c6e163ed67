package io.lsem.bench.stub;

import io.lsem.jdbc.codegen.GenerateStub;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGStatement;

/**
 * A {@link Statement} (and {@link PGStatement}) of a {@link StubConnection}, for JMH
 * micro-benchmarks only: {@code executeQuery} returns a fresh {@link StubResultSet},
 * {@code executeUpdate} returns 1, {@code unwrap(PGStatement.class)} returns itself. Every
 * other method is generated and does nothing ({@code StubStatementImpl}).
 */
@GenerateStub("StubStatementImpl")
public abstract class StubStatement implements Statement, PGStatement {
  final StubConnection connection;

  protected StubStatement(StubConnection connection) {
    this.connection = connection;
  }

  final ResultSet query() {
    connection.executed();
    return new StubResultSetImpl(connection.rows, this);
  }

  final int update() {
    connection.executed();
    return 1;
  }

  @Override
  public ResultSet executeQuery(String sql) {
    return query();
  }

  @Override
  public int executeUpdate(String sql) {
    return update();
  }

  @Override
  public Connection getConnection() {
    return connection;
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
