package io.lsem.bench;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * (b) A query and a walk over its result: {@code executeQuery} + 100 rows × ({@code next} and
 * four getters) + {@code close}, raw and wrapped. {@code prepared*} executes a statement
 * prepared once (SQL classified once); {@code text*} passes the SQL text to
 * {@code Statement.executeQuery} each time (one classification cache lookup per call). Each
 * operation makes 1 + 100 × 5 + 1 = 502 calls, so (wrapped − raw) / 502 approximates the cost
 * per forwarded call plus the per-query interception spread over them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class QueryWalkBenchmark {
  private PreparedStatement rawPrepared;
  private PreparedStatement wrappedPrepared;
  private Statement rawStatement;
  private Statement wrappedStatement;

  @Setup(Level.Trial)
  public void prepare(StubConnections c) throws SQLException {
    rawPrepared = c.raw.prepareStatement(StubConnections.SELECT_SQL);
    wrappedPrepared = c.wrapped.prepareStatement(StubConnections.SELECT_SQL);
    rawStatement = c.raw.createStatement();
    wrappedStatement = c.wrapped.createStatement();
  }

  @Benchmark
  public void preparedRaw(Blackhole bh) throws SQLException {
    walk(rawPrepared.executeQuery(), bh);
  }

  @Benchmark
  public void preparedWrapped(Blackhole bh) throws SQLException {
    walk(wrappedPrepared.executeQuery(), bh);
  }

  @Benchmark
  public void textRaw(Blackhole bh) throws SQLException {
    walk(rawStatement.executeQuery(StubConnections.SELECT_SQL), bh);
  }

  @Benchmark
  public void textWrapped(Blackhole bh) throws SQLException {
    walk(wrappedStatement.executeQuery(StubConnections.SELECT_SQL), bh);
  }

  private static void walk(ResultSet rs, Blackhole bh) throws SQLException {
    while (rs.next()) {
      bh.consume(rs.getInt(1));
      bh.consume(rs.getLong(2));
      bh.consume(rs.getString(3));
      bh.consume(rs.getDouble(4));
    }
    rs.close();
  }
}
