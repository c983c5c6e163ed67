package io.lsem.jdbc.wrap;

import io.lsem.jdbc.codegen.Delegate;
import io.lsem.jdbc.codegen.ErrorTranslator;
import io.lsem.jdbc.codegen.GenerateForwarder;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A {@link ResultSet} handed to the application. {@code getStatement()} returns the statement
 * wrapper that produced it (the {@code PreparedStatement} wrapper for a prepared statement's
 * results); everything else is forwarded by the generated {@code ResultSetProxy}.
 */
@GenerateForwarder("ResultSetProxy")
public abstract class ResultSetWrapper implements ResultSet {
  @Delegate
  protected final ResultSet delegate;
  private Statement statement;
  final ConnectionWrapper connection;

  /** {@code statement} is null for result sets of {@code DatabaseMetaData}. */
  protected ResultSetWrapper(ResultSet delegate, StatementWrapper statement, ConnectionWrapper connection) {
    this.delegate = delegate;
    this.statement = statement;
    this.connection = connection;
  }

  @ErrorTranslator
  protected final SQLException translate(SQLException e) {
    return connection.translate(e);
  }

  @Override
  public Statement getStatement() throws SQLException {
    if (statement == null) {
      try {
        statement = connection.wrapForeignStatement(delegate.getStatement());
      } catch (SQLException e) {
        throw translate(e);
      }
    }
    return statement;
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    try {
      return delegate.unwrap(iface);
    } catch (SQLException e) {
      throw translate(e);
    }
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || delegate.isWrapperFor(iface);
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
