package io.lsem.examples;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.cli.Lsem;
import io.lsem.jdbc.pool.LsemDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The driver's own pool and the ledger check: 16 threads make transfers at SERIALIZABLE through
 * {@link LsemDataSource} (4 connections, so threads wait for one), the pool's counters and the
 * retries the driver made are printed, and then {@code lsem verify --strict} checks the recorded
 * history: every commit has one ledger row, timestamps agree with commit order, and every
 * overwritten row version was written by an earlier commit.
 *
 * <p>Run with {@code mvn -B -q -pl examples -am -DskipTests package exec:java
 * -Dexec.mainClass=io.lsem.examples.PooledVerifiedExample}.
 */
public final class PooledVerifiedExample {
  private static final int THREADS = 16;
  private static final int TRANSFERS_PER_THREAD = 100;

  private PooledVerifiedExample() {}

  public static void main(String[] args) throws Exception {
    try (ExampleServer server = ExampleServer.start(); LsemDataSource pool = new LsemDataSource()) {
      pool.setUrl(server.lsemUrl());
      pool.setUser("postgres");
      pool.setProperty("poolMaxSize", "4");
      try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE account(id int PRIMARY KEY, balance bigint NOT NULL)");
        s.execute("INSERT INTO account SELECT g, 1000 FROM generate_series(1, 10) g");
      }
      AtomicLong retries = new AtomicLong();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        Thread thread = new Thread(() -> {
          for (int i = 0; i < TRANSFERS_PER_THREAD; i++) {
            try (Connection c = pool.getConnection()) {
              LsemConnection lsem = c.unwrap(LsemConnection.class);
              long before = lsem.retryStats().replays(); // counted since the pooled connection was opened
              transfer(c);
              retries.addAndGet(lsem.retryStats().replays() - before);
            } catch (SQLException e) {
              throw new IllegalStateException(e);
            }
          }
        });
        thread.start();
        threads.add(thread);
      }
      for (Thread t : threads) {
        t.join();
      }
      System.out.println(THREADS * TRANSFERS_PER_THREAD + " transfers through " + pool.stats());
      System.out.println("conflicts the driver replayed out of sight: " + retries.get());
      try (Connection c = pool.getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT sum(balance) FROM account")) {
        rs.next();
        System.out.println("money in the accounts: " + rs.getLong(1) + " (10,000 before)");
      }
      System.out.println("\nlsem verify --strict:");
      int status = Lsem.run(new String[] {"verify", "--url", server.plainUrl(), "--user", "postgres", "--strict"},
          System.out, System.err);
      if (status != 0) {
        throw new IllegalStateException("lsem verify found a problem (exit status " + status + ")");
      }
    }
  }

  /** One transfer; the pool lends the connection in autocommit, as a fresh connection is. */
  private static void transfer(Connection c) throws SQLException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int from = random.nextInt(1, 11);
    int to = from % 10 + 1;
    c.setAutoCommit(false);
    c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
    try (PreparedStatement debit = c.prepareStatement("UPDATE account SET balance = balance - ? WHERE id = ?");
        PreparedStatement credit = c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?")) {
      long amount = random.nextLong(1, 50);
      debit.setLong(1, amount);
      debit.setInt(2, from);
      debit.executeUpdate();
      credit.setLong(1, amount);
      credit.setInt(2, to);
      credit.executeUpdate();
    }
    c.commit();
  }
}
