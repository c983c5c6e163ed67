package io.lsem.jdbc.wrap;

import io.lsem.jdbc.codegen.Delegate;
import io.lsem.jdbc.codegen.GenerateForwarder;
import io.lsem.jdbc.sql.SqlInfo;
import java.sql.CallableStatement;
import java.sql.SQLException;

/**
 * A {@link CallableStatement} handed to the application: executions are tracked as for a
 * prepared statement; OUT parameter registration and getters are forwarded by the generated
 * {@code CallableStatementProxy}.
 */
@GenerateForwarder("CallableStatementProxy")
public abstract class CallableStatementWrapper extends PreparedStatementWrapper implements CallableStatement {
  @Delegate
  protected final CallableStatement csDelegate;

  protected CallableStatementWrapper(CallableStatement delegate, ConnectionWrapper connection, SqlInfo sql)
      throws SQLException {
    super(delegate, connection, sql);
    this.csDelegate = delegate;
  }
}
