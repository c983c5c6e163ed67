package io.lsem.bench;

import io.lsem.testkit.PostgresServer;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Does the commit ledger raise the serialization-failure rate? SERIALIZABLE transfers that read
 * a balance and then move money (reads make SSI conflicts possible) over a modest number of
 * accounts, with transparent retry off so every 40001 is counted, through {@code jdbc:lsem:}
 * with {@code timestamps=on} and with {@code timestamps=off}, alternating in rounds. Reports
 * failures per attempt for each and the ratio on/off (target ≤ 1.05).
 *
 * <pre>java -cp bench/target/benchmarks.jar io.lsem.bench.SerializationRateWorkload [threads=8] [seconds=10] [rounds=3] [accounts=100]</pre>
 */
public final class SerializationRateWorkload {
  private SerializationRateWorkload() {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int accounts = args.length > 3 ? Integer.parseInt(args[3]) : 100;
    TestDatabase db = PostgresServer.shared().createDatabase("ssi");
    try {
      try (Connection c = db.plain(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE account(id int PRIMARY KEY, balance bigint NOT NULL)");
        s.execute("INSERT INTO account SELECT g, 1000000 FROM generate_series(1, " + accounts + ") g");
      }
      System.out.printf(Locale.ROOT, "SSI failure rate: %d threads, %d accounts, SERIALIZABLE, retry off, %d s x %d rounds%n",
          threads, accounts, seconds, rounds);
      long[] on = new long[2];
      long[] off = new long[2];
      for (int round = 1; round <= rounds; round++) {
        for (String ts : round % 2 == 1 ? new String[] {"on", "off"} : new String[] {"off", "on"}) {
          long[] r = run(db, threads, seconds, accounts, ts);
          System.out.printf(Locale.ROOT, "round %d timestamps=%-3s %d attempts, %d serialization failures (%.2f %%)%n",
              round, ts, r[0], r[1], 100.0 * r[1] / r[0]);
          long[] sum = ts.equals("on") ? on : off;
          sum[0] += r[0];
          sum[1] += r[1];
        }
      }
      double rateOn = (double) on[1] / on[0];
      double rateOff = (double) off[1] / off[0];
      System.out.printf(Locale.ROOT, "failure rate on %.4f, off %.4f, ratio on/off %.3f (target <= 1.05: %s)%n", rateOn,
          rateOff, rateOn / rateOff, rateOn / rateOff <= 1.05 ? "met" : "NOT met");
    } finally {
      db.drop();
    }
  }

  /** Returns {attempts, serialization failures}. */
  private static long[] run(TestDatabase db, int threads, int seconds, int accounts, String timestamps)
      throws InterruptedException {
    Properties p = db.credentials();
    p.setProperty("retry", "false");
    p.setProperty("timestamps", timestamps);
    LongAdder attempts = new LongAdder();
    LongAdder failures = new LongAdder();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w = new Thread(() -> {
        try (Connection c = DriverManager.getConnection(db.lsemUrl(), p)) {
          c.setAutoCommit(false);
          c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
          while (System.nanoTime() < deadline) {
            attempts.increment();
            try {
              transfer(c, accounts);
            } catch (SQLException e) {
              c.rollback();
              if ("40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState())) {
                failures.increment();
              } else {
                throw e;
              }
            }
          }
        } catch (SQLException e) {
          System.out.println("worker failed: " + e);
        }
      });
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join();
    }
    return new long[] {attempts.sum(), failures.sum()};
  }

  private static void transfer(Connection c, int accounts) throws SQLException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int from = 1 + random.nextInt(accounts);
    int to = 1 + (from + random.nextInt(accounts - 1)) % accounts;
    try (PreparedStatement read = c.prepareStatement("SELECT balance FROM account WHERE id = ?");
         PreparedStatement move = c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?")) {
      read.setInt(1, from);
      long balance;
      try (ResultSet rs = read.executeQuery()) {
        rs.next();
        balance = rs.getLong(1);
      }
      int amount = (int) Math.min(100, balance);
      move.setInt(1, -amount);
      move.setInt(2, from);
      move.executeUpdate();
      move.setInt(1, amount);
      move.setInt(2, to);
      move.executeUpdate();
    }
    c.commit();
  }
}
