package io.lsem.bench.stub;

import io.lsem.jdbc.codegen.GenerateStub;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * A {@link PreparedStatement} (and pgjdbc {@code PGStatement}) of a {@link StubConnection}, for
 * JMH micro-benchmarks only. The setters a benchmark uses store the value in a field, so the JIT
 * cannot drop the call; executions behave as in {@link StubStatement}. Every other method is
 * generated and does nothing ({@code StubPreparedStatementImpl}).
 */
@GenerateStub("StubPreparedStatementImpl")
public abstract class StubPreparedStatement extends StubStatement implements PreparedStatement {
  private int lastInt;
  private long lastLong;
  private String lastString;

  protected StubPreparedStatement(StubConnection connection) {
    super(connection);
  }

  @Override
  public void setInt(int parameterIndex, int x) {
    lastInt = x;
  }

  @Override
  public void setLong(int parameterIndex, long x) {
    lastLong = x;
  }

  @Override
  public void setString(int parameterIndex, String x) {
    lastString = x;
  }

  @Override
  public ResultSet executeQuery() {
    return query();
  }

  @Override
  public int executeUpdate() {
    return update();
  }

  /** The sum of what the setters stored, so a benchmark can prove they ran. */
  public final long checksum() {
    return lastInt + lastLong + (lastString == null ? 0 : lastString.length());
  }
}
