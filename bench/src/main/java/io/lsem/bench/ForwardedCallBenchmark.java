package io.lsem.bench;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * (c) One forwarded call and nothing else: {@code PreparedStatement.setInt} and
 * {@code ResultSet.getInt}, raw and wrapped. Neither method is intercepted, so the generated
 * proxy only forwards; wrapped − raw is the cost of one forwarded call (target: ≤ 10 ns).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ForwardedCallBenchmark {
  private PreparedStatement rawPrepared;
  private PreparedStatement wrappedPrepared;
  private ResultSet rawResult;
  private ResultSet wrappedResult;
  private int value;

  @Setup(Level.Trial)
  public void prepare(StubConnections c) throws SQLException {
    rawPrepared = c.raw.prepareStatement(StubConnections.SELECT_SQL);
    wrappedPrepared = c.wrapped.prepareStatement(StubConnections.SELECT_SQL);
    rawResult = rawPrepared.executeQuery();
    wrappedResult = wrappedPrepared.executeQuery();
    rawResult.next();
    wrappedResult.next();
  }

  @Benchmark
  public void setIntRaw() throws SQLException {
    rawPrepared.setInt(1, value++);
  }

  @Benchmark
  public void setIntWrapped() throws SQLException {
    wrappedPrepared.setInt(1, value++);
  }

  @Benchmark
  public int getIntRaw() throws SQLException {
    return rawResult.getInt(1);
  }

  @Benchmark
  public int getIntWrapped() throws SQLException {
    return wrappedResult.getInt(1);
  }
}
