package io.lsem.bench;

import io.lsem.bench.stub.StubConnection;
import io.lsem.jdbc.config.LsemSettings;
import io.lsem.jdbc.wrap.ConnectionWrapper;
import io.lsem.jdbc.wrap.WrapperContext;
import java.sql.Connection;
import java.sql.SQLException;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The two connections every micro-benchmark compares, one per benchmark thread: {@link #raw}, a
 * {@link StubConnection} used directly, and {@link #wrapped}, another stub wrapped exactly as
 * the driver wraps pgjdbc ({@code ConnectionWrapper.wrap(stub, new WrapperContext(defaults))}).
 * Queries on either return {@value #ROWS} rows of four columns.
 */
@State(Scope.Thread)
public class StubConnections {
  /** Rows per query result. */
  public static final int ROWS = 100;
  /** The statement text of the update benchmarks (classified by the wrapper, ignored by the stub). */
  public static final String UPDATE_SQL = "UPDATE accounts SET abalance = abalance + ? WHERE aid = ?";
  /** The statement text of the query benchmarks. */
  public static final String SELECT_SQL = "SELECT aid, bid, filler, abalance FROM accounts WHERE bid = ?";

  public Connection raw;
  public Connection wrapped;

  @Setup(Level.Trial)
  public void open() throws SQLException {
    raw = StubConnection.create(ROWS);
    wrapped = ConnectionWrapper.wrap(StubConnection.create(ROWS), new WrapperContext(LsemSettings.defaults()));
  }
}
