package io.lsem.bench;

import io.lsem.bench.stub.StubConnection;
import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.config.LsemSettings;
import io.lsem.jdbc.wrap.ConnectionWrapper;
import io.lsem.jdbc.wrap.WrapperContext;
import java.sql.Connection;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * (d) The client side of one TPC-B transaction with autocommit off, on statements prepared
 * once: three updates, a one-row query, an insert, {@code commit}. Raw versus wrapped shows
 * what the transaction tracker adds per transaction: predicting the implicit BEGIN on the first
 * statement and the end at {@code commit()}, which take its slower, simulating path. Measured
 * versus wrapped is the per-transaction cost of the breakdown by layer (issue 17): the same
 * wrapper once {@code lastTransactionBreakdown()} has been asked, so every call reads the clock.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class TransactionBenchmark {
  private Tx raw;
  private Tx wrapped;
  private Tx measured;

  /** The five statements of one connection. */
  private static final class Tx {
    final Connection conn;
    final PreparedStatement updateAccount;
    final PreparedStatement selectBalance;
    final PreparedStatement updateTeller;
    final PreparedStatement updateBranch;
    final PreparedStatement insertHistory;

    Tx(Connection conn) throws SQLException {
      this.conn = conn;
      conn.setAutoCommit(false);
      updateAccount = conn.prepareStatement("UPDATE accounts SET abalance = abalance + ? WHERE aid = ?");
      selectBalance = conn.prepareStatement("SELECT abalance FROM accounts WHERE aid = ?");
      updateTeller = conn.prepareStatement("UPDATE tellers SET tbalance = tbalance + ? WHERE tid = ?");
      updateBranch = conn.prepareStatement("UPDATE branches SET bbalance = bbalance + ? WHERE bid = ?");
      insertHistory = conn.prepareStatement(
          "INSERT INTO history (tid, bid, aid, delta, mtime) VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)");
    }

    void run(Blackhole bh) throws SQLException {
      updateAccount.setInt(1, 5);
      updateAccount.setInt(2, 11);
      bh.consume(updateAccount.executeUpdate());
      selectBalance.setInt(1, 11);
      try (ResultSet rs = selectBalance.executeQuery()) {
        rs.next();
        bh.consume(rs.getInt(1));
      }
      updateTeller.setInt(1, 5);
      updateTeller.setInt(2, 3);
      bh.consume(updateTeller.executeUpdate());
      updateBranch.setInt(1, 5);
      updateBranch.setInt(2, 1);
      bh.consume(updateBranch.executeUpdate());
      insertHistory.setInt(1, 3);
      insertHistory.setInt(2, 1);
      insertHistory.setInt(3, 11);
      insertHistory.setInt(4, 5);
      bh.consume(insertHistory.executeUpdate());
      conn.commit();
    }
  }

  @Setup(Level.Trial)
  public void prepare(StubConnections c) throws SQLException {
    raw = new Tx(c.raw);
    wrapped = new Tx(c.wrapped);
    Connection another = ConnectionWrapper.wrap(StubConnection.create(StubConnections.ROWS),
        new WrapperContext(LsemSettings.defaults()));
    another.unwrap(LsemConnection.class).lastTransactionBreakdown(); // measure from now on
    measured = new Tx(another);
  }

  @Benchmark
  public void measured(Blackhole bh) throws SQLException {
    measured.run(bh);
  }

  @Benchmark
  public void raw(Blackhole bh) throws SQLException {
    raw.run(bh);
  }

  @Benchmark
  public void wrapped(Blackhole bh) throws SQLException {
    wrapped.run(bh);
  }
}
