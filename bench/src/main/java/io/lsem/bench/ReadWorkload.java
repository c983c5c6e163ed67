package io.lsem.bench;

import io.lsem.testkit.PostgresServer;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;

/**
 * Reading 1,000 rows × 4 columns inside a transaction, with transparent retry on (every value
 * read is recorded for the replay check) and off, alternating in rounds on one thread against
 * the embedded server (an end-to-end workload run, not JMH: both sides are measured in the same
 * run, in alternating order). Each read is one transaction (autocommit off): execute the prepared
 * {@code SELECT id, qty, name, price FROM item ORDER BY id}, walk the 1,000 rows reading the four
 * columns ({@code getInt}, {@code getLong}, {@code getString}, {@code getDouble}), commit. Reports
 * the time per read for each, plain pgjdbc for reference, and the ratio on/off (target ≤ 1.10),
 * per round and overall.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.lsem.bench.ReadWorkload [reads per round=2000] [rounds=5]</pre>
 */
public final class ReadWorkload {
  private ReadWorkload() {}

  public static void main(String[] args) throws Exception {
    int reads = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    TestDatabase db = PostgresServer.shared().createDatabase("reads");
    try {
      try (Connection c = db.plain(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE item(id int PRIMARY KEY, qty bigint, name text, price double precision)");
        s.execute("INSERT INTO item SELECT g, g * 3, 'item ' || g, g / 7.0 FROM generate_series(1, 1000) g");
      }
      Properties on = db.credentials();
      Properties off = db.credentials();
      off.setProperty("retry", "false");
      System.out.printf(Locale.ROOT, "reading 1000 rows x 4 columns per transaction, one thread, %d reads per side per"
          + " round, %d rounds; lsem with retry=true (default) vs retry=false, plain pgjdbc for reference%n", reads,
          rounds);
      try (Connection withRetry = DriverManager.getConnection(db.lsemUrl(), on);
           Connection without = DriverManager.getConnection(db.lsemUrl(), off);
           Connection plain = db.plain()) {
        read(withRetry, reads / 4); // warm-up
        read(without, reads / 4);
        read(plain, reads / 4);
        long onNanos = 0;
        long offNanos = 0;
        long plainNanos = 0;
        double[] ratios = new double[rounds];
        for (int round = 1; round <= rounds; round++) {
          long roundOn;
          long roundOff;
          if (round % 2 == 1) {
            roundOn = read(withRetry, reads);
            roundOff = read(without, reads);
          } else {
            roundOff = read(without, reads);
            roundOn = read(withRetry, reads);
          }
          long roundPlain = read(plain, reads);
          onNanos += roundOn;
          offNanos += roundOff;
          plainNanos += roundPlain;
          ratios[round - 1] = (double) roundOn / roundOff;
          System.out.printf(Locale.ROOT, "round %d: retry on %.1f us/read, off %.1f us/read (plain pgjdbc %.1f),"
              + " ratio on/off %.3f%n", round, roundOn / 1e3 / reads, roundOff / 1e3 / reads, roundPlain / 1e3 / reads,
              ratios[round - 1]);
        }
        java.util.Arrays.sort(ratios);
        double ratio = (double) onNanos / offNanos;
        System.out.printf(Locale.ROOT, "1000 rows x 4 columns: retry on %.1f us, off %.1f us, plain pgjdbc %.1f us per"
            + " read; on - off = %.1f ns per value read%n", onNanos / 1e3 / reads / rounds,
            offNanos / 1e3 / reads / rounds, plainNanos / 1e3 / reads / rounds,
            (onNanos - offNanos) / (double) reads / rounds / 4000);
        System.out.printf(Locale.ROOT, "ratio on/off %.3f (per round: min %.3f, median %.3f, max %.3f)"
            + " (target <= 1.10: %s)%n", ratio, ratios[0], ratios[rounds / 2], ratios[rounds - 1],
            ratio <= 1.10 ? "met" : "NOT met");
      }
    } finally {
      db.drop();
    }
  }

  /** {@code n} reads of the whole table, each in its own transaction; returns the nanoseconds taken. */
  private static long read(Connection c, int n) throws SQLException {
    c.setAutoCommit(false);
    long sum = 0;
    long start = System.nanoTime();
    try (PreparedStatement ps = c.prepareStatement("SELECT id, qty, name, price FROM item ORDER BY id")) {
      for (int i = 0; i < n; i++) {
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            sum += rs.getInt(1) + rs.getLong(2) + rs.getString(3).length() + (long) rs.getDouble(4);
          }
        }
        c.commit();
      }
    }
    if (sum == 42) {
      System.out.println(); // keeps the reads from being optimised away
    }
    return System.nanoTime() - start;
  }
}
