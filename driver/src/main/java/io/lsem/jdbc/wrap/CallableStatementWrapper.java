package io.lsem.jdbc.wrap;

import io.lsem.jdbc.codegen.Delegate;
import io.lsem.jdbc.codegen.GenerateForwarder;
import io.lsem.jdbc.codegen.RecordCalls;
import io.lsem.jdbc.sql.SqlInfo;
import java.sql.CallableStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A {@link CallableStatement} handed to the application: executions are tracked and recorded as
 * for a prepared statement; OUT parameter registrations are kept with the parameters, and the
 * OUT values the application reads are recorded and compared on a replay. The rest is forwarded
 * by the generated {@code CallableStatementProxy}.
 */
@GenerateForwarder("CallableStatementProxy")
@RecordCalls(value = {"get*", "wasNull"}, except = {"getBlob", "getClob", "getNClob", "getSQLXML", "getRef",
    "getRowId", "getCharacterStream", "getNCharacterStream"}, target = CallableStatement.class, recover = true)
@RecordCalls(value = {"registerOutParameter"}, target = CallableStatement.class, hook = "bind",
    guard = "tracksBindings", withResult = false)
public abstract class CallableStatementWrapper extends PreparedStatementWrapper implements CallableStatement {
  @Delegate
  protected CallableStatement csDelegate;

  protected CallableStatementWrapper(ConnectionWrapper connection, SqlCall<? extends CallableStatement> creator,
      SqlInfo sql, String sqlText) throws SQLException {
    super(connection, creator, sql, sqlText, true); // OUT parameters: never carried by a one-off statement
  }

  @Override
  void rebind(Statement raw) throws SQLException {
    super.rebind(raw);
    csDelegate = (CallableStatement) raw;
  }

  @Override
  public boolean comparesValues() {
    return !sql.isSequenceOnly();
  }
}
