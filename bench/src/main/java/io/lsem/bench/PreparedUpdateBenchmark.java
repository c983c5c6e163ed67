package io.lsem.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * (a) One autocommit update the way applications write it: {@code prepareStatement} +
 * {@code setInt} + {@code setString} + {@code executeUpdate} + {@code close}, on the raw stub
 * and through the wrappers. The difference is what the wrappers add per statement: the
 * statement wrapper's allocation, the SQL classification cache lookup, the transaction
 * tracker's before/after and the forwarded calls.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PreparedUpdateBenchmark {

  @Benchmark
  public void raw(StubConnections c, Blackhole bh) throws SQLException {
    run(c.raw, bh);
  }

  @Benchmark
  public void wrapped(StubConnections c, Blackhole bh) throws SQLException {
    run(c.wrapped, bh);
  }

  private static void run(Connection conn, Blackhole bh) throws SQLException {
    PreparedStatement ps = conn.prepareStatement(StubConnections.UPDATE_SQL);
    ps.setInt(1, 7);
    ps.setString(2, "x");
    bh.consume(ps.executeUpdate());
    ps.close();
  }
}
