package io.lsem.jdbc.wrap;

import io.lsem.jdbc.codegen.Delegate;
import io.lsem.jdbc.codegen.ErrorTranslator;
import io.lsem.jdbc.codegen.GenerateForwarder;
import io.lsem.jdbc.codegen.ReturnWrapper;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The {@link DatabaseMetaData} handed to the application: {@code getConnection()} returns the
 * connection wrapper and every result set it returns is wrapped; the rest is forwarded by the
 * generated {@code DatabaseMetaDataProxy}.
 */
@GenerateForwarder("DatabaseMetaDataProxy")
public abstract class DatabaseMetaDataWrapper implements DatabaseMetaData {
  @Delegate
  protected final DatabaseMetaData delegate;
  final ConnectionWrapper connection;

  protected DatabaseMetaDataWrapper(DatabaseMetaData delegate, ConnectionWrapper connection) {
    this.delegate = delegate;
    this.connection = connection;
  }

  @ErrorTranslator
  protected final SQLException translate(SQLException e) {
    return connection.translate(e);
  }

  @ReturnWrapper
  protected final ResultSet wrapResultSet(ResultSet raw) {
    return raw == null ? null : new ResultSetProxy(raw, null, connection, true);
  }

  @Override
  public Connection getConnection() {
    return connection;
  }

  /**
   * The {@code jdbc:lsem:} URL the application connected with, as pgjdbc returns the URL it was
   * given (not redacted, like pgjdbc's): what reconnects from it goes through the driver again.
   */
  @Override
  public String getURL() throws SQLException {
    String url = connection.context.url();
    if (url != null) {
      return url;
    }
    try {
      return delegate.getURL();
    } catch (SQLException e) {
      throw translate(e);
    }
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
}
