package io.lsem.jdbc.wrap;

import io.lsem.jdbc.codegen.Delegate;
import io.lsem.jdbc.codegen.GenerateForwarder;
import io.lsem.jdbc.sql.SqlInfo;
import io.lsem.jdbc.sql.SqlStatement;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link PreparedStatement} handed to the application. Its SQL is classified once, when it is
 * prepared; executions and batches are tracked like those of {@link StatementWrapper}. Setters
 * and everything else are forwarded by the generated {@code PreparedStatementProxy}.
 */
@GenerateForwarder("PreparedStatementProxy")
public abstract class PreparedStatementWrapper extends StatementWrapper implements PreparedStatement {
  @Delegate
  protected final PreparedStatement psDelegate;
  final SqlInfo sql;
  private int batchedRows;

  protected PreparedStatementWrapper(PreparedStatement delegate, ConnectionWrapper connection, SqlInfo sql)
      throws SQLException {
    super(delegate, connection);
    this.psDelegate = delegate;
    this.sql = sql;
  }

  @Override
  public ResultSet executeQuery() throws SQLException {
    return wrapResultSet(execute(sql, () -> psDelegate.executeQuery()));
  }

  @Override
  public int executeUpdate() throws SQLException {
    return execute(sql, () -> psDelegate.executeUpdate());
  }

  @Override
  public long executeLargeUpdate() throws SQLException {
    return execute(sql, () -> psDelegate.executeLargeUpdate());
  }

  @Override
  public boolean execute() throws SQLException {
    return execute(sql, () -> psDelegate.execute());
  }

  @Override
  public void addBatch() throws SQLException {
    try {
      psDelegate.addBatch();
    } catch (SQLException e) {
      throw translate(e);
    }
    batchedRows++;
  }

  @Override
  public void clearBatch() throws SQLException {
    super.clearBatch();
    batchedRows = 0;
  }

  /** The queued {@code addBatch(String)} texts, then the prepared SQL once per batched row. */
  @Override
  SqlInfo takeBatch() {
    SqlInfo queued = super.takeBatch();
    int rows = batchedRows;
    batchedRows = 0;
    // Repeating a statement without transaction control changes nothing the tracker sees.
    int repeats = sql.hasTransactionControl() ? rows : Math.min(rows, 1);
    return queued.statements().isEmpty() && repeats == 1 ? sql : merge(queued, sql.statements(), repeats);
  }

  private static SqlInfo merge(SqlInfo queued, List<SqlStatement> perRow, int rows) {
    List<SqlStatement> all = new ArrayList<>(queued.statements());
    for (int i = 0; i < rows; i++) {
      all.addAll(perRow);
    }
    return SqlInfo.of(all);
  }
}
