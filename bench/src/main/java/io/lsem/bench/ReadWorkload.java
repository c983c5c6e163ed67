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
 * read is recorded for the replay check) and off, taking turns read by read on one thread
 * against the embedded server (an end-to-end workload run, not JMH: the sides are measured in the
 * same run, interleaved, in rotating order). Each read is one transaction (autocommit off): execute the prepared
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
        Reader[] sides = {new Reader(withRetry), new Reader(without), new Reader(plain)};
        for (int i = 0; i < reads / 4; i++) { // warm-up
          for (Reader side : sides) {
            side.timedRead();
          }
        }
        long[][] nanos = new long[3][reads * rounds];
        double[] ratios = new double[rounds];
        for (int round = 0; round < rounds; round++) {
          long roundOn = 0;
          long roundOff = 0;
          for (int i = 0; i < reads; i++) {
            // The three sides take turns read by read, the order rotating, so that the machine's
            // drift and noise fall on all of them alike.
            for (int k = 0; k < 3; k++) {
              int side = (i + k) % 3;
              nanos[side][round * reads + i] = sides[side].timedRead();
            }
            roundOn += nanos[0][round * reads + i];
            roundOff += nanos[1][round * reads + i];
          }
          ratios[round] = (double) roundOn / roundOff;
          System.out.printf(Locale.ROOT, "round %d: retry on %.1f us/read, off %.1f us/read, ratio on/off %.3f%n",
              round + 1, roundOn / 1e3 / reads, roundOff / 1e3 / reads, ratios[round]);
        }
        long onNanos = java.util.Arrays.stream(nanos[0]).sum();
        long offNanos = java.util.Arrays.stream(nanos[1]).sum();
        long plainNanos = java.util.Arrays.stream(nanos[2]).sum();
        int n = reads * rounds;
        java.util.Arrays.sort(ratios);
        double ratio = (double) onNanos / offNanos;
        System.out.printf(Locale.ROOT, "1000 rows x 4 columns: retry on %.1f us, off %.1f us, plain pgjdbc %.1f us per"
            + " read (medians %.1f, %.1f, %.1f); on - off = %.1f ns per value read%n", onNanos / 1e3 / n,
            offNanos / 1e3 / n, plainNanos / 1e3 / n, median(nanos[0]) / 1e3, median(nanos[1]) / 1e3,
            median(nanos[2]) / 1e3, (onNanos - offNanos) / (double) n / 4000);
        System.out.printf(Locale.ROOT, "ratio on/off %.3f (per round: min %.3f, median %.3f, max %.3f)"
            + " (target <= 1.10: %s)%n", ratio, ratios[0], ratios[rounds / 2], ratios[rounds - 1],
            ratio <= 1.10 ? "met" : "NOT met");
      }
    } finally {
      db.drop();
    }
  }

  private static long median(long[] values) {
    long[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** One side: a connection (autocommit off) and its prepared query. */
  private static final class Reader {
    private final Connection connection;
    private final PreparedStatement query;
    private long sum;

    Reader(Connection connection) throws SQLException {
      this.connection = connection;
      connection.setAutoCommit(false);
      this.query = connection.prepareStatement("SELECT id, qty, name, price FROM item ORDER BY id");
    }

    /** One read of the whole table in its own transaction; returns the nanoseconds taken. */
    long timedRead() throws SQLException {
      long start = System.nanoTime();
      try (ResultSet rs = query.executeQuery()) {
        while (rs.next()) {
          sum += rs.getInt(1) + rs.getLong(2) + rs.getString(3).length() + (long) rs.getDouble(4);
        }
      }
      connection.commit();
      long took = System.nanoTime() - start;
      if (sum == 42) {
        System.out.println(); // keeps the reads from being optimised away
      }
      return took;
    }
  }
}
