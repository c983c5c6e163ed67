package io.lsem.bench;

import io.lsem.bench.stub.StubConnection;
import io.lsem.jdbc.config.ConnectionConfig;
import io.lsem.jdbc.wrap.ConnectionWrapper;
import io.lsem.jdbc.wrap.WrapperContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * (e) The client-side cost of recording reads for transparent retry: one transaction (autocommit
 * off) that executes a prepared query, walks its {@value StubConnections#ROWS} rows reading four
 * columns ({@code getInt}, {@code getLong}, {@code getString}, {@code getDouble}) and commits, on
 * a wrapped stub with {@code retry=true} (every value recorded) and {@code retry=false}.
 * (recorded − unrecorded) / (rows × 5) is the cost of recording one call; the end-to-end ratio is
 * {@link ReadWorkload}'s.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class RecordedReadBenchmark {
  private PreparedStatement recorded;
  private PreparedStatement unrecorded;

  @Setup
  public void open() throws SQLException {
    recorded = prepare(true);
    unrecorded = prepare(false);
  }

  private static PreparedStatement prepare(boolean retry) throws SQLException {
    Properties p = new Properties();
    p.setProperty("retry", Boolean.toString(retry));
    p.setProperty("timestamps", "off");
    ConnectionConfig config = ConnectionConfig.parse("jdbc:lsem:postgresql://127.0.0.1/stub", p);
    Connection c = ConnectionWrapper.wrap(StubConnection.create(StubConnections.ROWS),
        new WrapperContext(config.settings()));
    c.setAutoCommit(false);
    return c.prepareStatement(StubConnections.SELECT_SQL);
  }

  @Benchmark
  public void recorded(Blackhole bh) throws SQLException {
    walk(recorded, bh);
  }

  @Benchmark
  public void unrecorded(Blackhole bh) throws SQLException {
    walk(unrecorded, bh);
  }

  private static void walk(PreparedStatement ps, Blackhole bh) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        bh.consume(rs.getInt(1));
        bh.consume(rs.getLong(2));
        bh.consume(rs.getString(3));
        bh.consume(rs.getDouble(4));
      }
    }
    ps.getConnection().commit();
  }
}
