package io.lsem.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lsem.bench.stub.StubConnection;
import io.lsem.jdbc.config.ConnectionConfig;
import io.lsem.jdbc.pool.ConnectionPool;
import io.lsem.jdbc.wrap.ConnectionWrapper;
import io.lsem.jdbc.wrap.WrapperContext;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pool's borrow path against HikariCP's, over the same stub driver: {@code getConnection} +
 * {@code close}, and {@code getConnection} + {@code createStatement} + {@code execute} + {@code close},
 * with 1, 2 and 8 threads. Both pools hold 10 connections, keep them all (minimum idle 10) and
 * skip validation for connections used within 500 ms (HikariCP's default alive-bypass window,
 * the LSEM pool's {@code poolValidationBypass}). {@code lsem} is the driver's pool; {@code hikari}
 * is HikariCP in front of the same driver (stubs wrapped exactly as {@code jdbc:lsem:} wraps
 * pgjdbc), so lsem/hikari compares the pools alone — the choice a user of the driver makes;
 * {@code hikari-raw} is HikariCP over the bare stub, for reference (it leaves out the driver's
 * wrapper). Throughput; the target is lsem/hikari ≥ 1.0.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class PoolBenchmark {
  private static final int SIZE = 10;

  @Param({"lsem", "hikari", "hikari-raw"})
  public String pool;

  private ConnectionPool lsem;
  private HikariDataSource hikari;

  @Setup(Level.Trial)
  public void start() throws SQLException {
    if (pool.equals("lsem")) {
      Properties p = new Properties();
      p.setProperty("poolMaxSize", String.valueOf(SIZE));
      p.setProperty("poolMinIdle", String.valueOf(SIZE));
      p.setProperty("poolValidationBypass", "500ms");
      ConnectionConfig config = ConnectionConfig.parse("jdbc:lsem:postgresql://stub/bench", p);
      WrapperContext context = new WrapperContext(config.settings());
      lsem = ConnectionPool.create("bench", config.settings(),
          () -> ConnectionWrapper.wrap(StubConnection.create(1), context).session());
    } else {
      HikariConfig config = new HikariConfig();
      config.setDataSource(new StubDataSource(pool.equals("hikari")
          ? new WrapperContext(io.lsem.jdbc.config.LsemSettings.defaults()) : null));
      config.setMaximumPoolSize(SIZE);
      config.setMinimumIdle(SIZE);
      hikari = new HikariDataSource(config);
    }
    for (int i = 0; i < 1000; i++) {
      borrow().close(); // the pool is full and warm
    }
  }

  @TearDown(Level.Trial)
  public void stop() {
    if (lsem != null) {
      lsem.close();
    }
    if (hikari != null) {
      hikari.close();
    }
  }

  private Connection borrow() throws SQLException {
    return lsem != null ? lsem.borrow() : hikari.getConnection();
  }

  @Benchmark
  @Threads(1)
  public void borrowClose1() throws SQLException {
    borrow().close();
  }

  @Benchmark
  @Threads(2)
  public void borrowClose2() throws SQLException {
    borrow().close();
  }

  @Benchmark
  @Threads(8)
  public void borrowClose8() throws SQLException {
    borrow().close();
  }

  @Benchmark
  @Threads(1)
  public boolean statement1() throws SQLException {
    return statementCycle();
  }

  @Benchmark
  @Threads(2)
  public boolean statement2() throws SQLException {
    return statementCycle();
  }

  @Benchmark
  @Threads(8)
  public boolean statement8() throws SQLException {
    return statementCycle();
  }

  private boolean statementCycle() throws SQLException {
    try (Connection c = borrow(); Statement s = c.createStatement()) {
      return s.execute("SELECT 1");
    }
  }

  /** Hands HikariCP stub connections, wrapped as the driver wraps pgjdbc when {@code context} is given. */
  static final class StubDataSource implements DataSource {
    private final WrapperContext context;

    StubDataSource(WrapperContext context) {
      this.context = context;
    }

    @Override
    public Connection getConnection() throws SQLException {
      return context == null ? StubConnection.create(1) : ConnectionWrapper.wrap(StubConnection.create(1), context);
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() {
      return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
