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
 * with {@code timestamps=on} and with {@code timestamps=off}, alternating in rounds after an
 * unmeasured warm-up of each. Reports, per side, attempts, serialization failures (40001) and
 * deadlocks (40P01) and the failure rate (failures / attempts), and the ratio on/off (target
 * ≤ 1.05), per round and overall; checks that the ledger was written on the "on" side and that
 * the total balance is unchanged. The two balance updates run in account-id order so that
 * conflicts are SSI's and not lock-order deadlocks.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.lsem.bench.SerializationRateWorkload [threads=8] [seconds=8] [rounds=3] [accounts=100]</pre>
 */
public final class SerializationRateWorkload {
  private SerializationRateWorkload() {}

  public static void main(String[] args) throws Exception {
    // retry=false on both sides: the driver warns once per failed transaction that it did not
    // retry; counting those failures is the point here, so keep the output readable
    System.setProperty("org.slf4j.simpleLogger.log.io.lsem.jdbc.tx.RetryController", "error");
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
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
      run(db, threads, Math.max(1, seconds / 4), accounts, "on"); // warm-up, unmeasured
      run(db, threads, Math.max(1, seconds / 4), accounts, "off");
      long ledgerBefore = ledgerRows(db);
      long[] on = new long[3];
      long[] off = new long[3];
      for (int round = 1; round <= rounds; round++) {
        double[] rate = new double[2];
        for (String ts : round % 2 == 1 ? new String[] {"on", "off"} : new String[] {"off", "on"}) {
          long[] r = run(db, threads, seconds, accounts, ts);
          System.out.printf(Locale.ROOT, "round %d timestamps=%-3s %7d attempts (%.0f/s), %6d serialization failures,"
              + " %d deadlocks: failure rate %.4f%n", round, ts, r[0], r[0] / (double) seconds, r[1], r[2],
              (r[1] + r[2]) / (double) r[0]);
          long[] sum = ts.equals("on") ? on : off;
          for (int i = 0; i < 3; i++) {
            sum[i] += r[i];
          }
          rate[ts.equals("on") ? 0 : 1] = (r[1] + r[2]) / (double) r[0];
        }
        System.out.printf(Locale.ROOT, "round %d ratio on/off: %.3f%n", round, rate[0] / rate[1]);
      }
      double rateOn = (double) (on[1] + on[2]) / on[0];
      double rateOff = (double) (off[1] + off[2]) / off[0];
      System.out.printf(Locale.ROOT, "overall timestamps=on  %d attempts, %d + %d failures: rate %.4f%n", on[0], on[1],
          on[2], rateOn);
      System.out.printf(Locale.ROOT, "overall timestamps=off %d attempts, %d + %d failures: rate %.4f%n", off[0], off[1],
          off[2], rateOff);
      System.out.printf(Locale.ROOT, "failure rate ratio on/off %.3f (target <= 1.05: %s)%n", rateOn / rateOff,
          rateOn / rateOff <= 1.05 ? "met" : "NOT met");
      long commitsOn = on[0] - on[1] - on[2];
      System.out.printf(Locale.ROOT, "ledger rows written in the measured rounds: %d; commits with timestamps=on: %d%n",
          ledgerRows(db) - ledgerBefore, commitsOn);
      try (Connection c = db.plain(); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT sum(balance) FROM account")) {
        rs.next();
        System.out.println("total balance unchanged: " + (rs.getLong(1) == 1_000_000L * accounts ? "yes" : "NO"));
      }
    } finally {
      db.drop();
    }
  }

  private static long ledgerRows(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT to_regclass('lsem.commit_log') IS NULL")) {
        rs.next();
        if (rs.getBoolean(1)) {
          return 0;
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM lsem.commit_log")) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Returns {attempts, serialization failures, deadlocks}. */
  private static long[] run(TestDatabase db, int threads, int seconds, int accounts, String timestamps)
      throws InterruptedException {
    Properties p = db.credentials();
    p.setProperty("retry", "false");
    p.setProperty("timestamps", timestamps);
    LongAdder attempts = new LongAdder();
    LongAdder failures = new LongAdder();
    LongAdder deadlocks = new LongAdder();
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
              if ("40001".equals(e.getSQLState())) {
                failures.increment();
              } else if ("40P01".equals(e.getSQLState())) {
                deadlocks.increment();
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
    return new long[] {attempts.sum(), failures.sum(), deadlocks.sum()};
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
      boolean debitFirst = from < to; // id order: no lock-order deadlocks
      move.setInt(1, debitFirst ? -amount : amount);
      move.setInt(2, debitFirst ? from : to);
      move.executeUpdate();
      move.setInt(1, debitFirst ? amount : -amount);
      move.setInt(2, debitFirst ? to : from);
      move.executeUpdate();
    }
    c.commit();
  }
}
