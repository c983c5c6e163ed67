package io.lsem.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lsem.jdbc.pool.LsemDataSource;
import io.lsem.testkit.PostgresServer;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * The TPC-B-like transaction with a pool in front, as a web application runs it: every
 * transaction borrows a connection, prepares its five statements, runs them, commits and gives
 * the connection back. Compares the driver's own pool ({@code LsemDataSource} over
 * {@code jdbc:lsem:}) with HikariCP over plain pgjdbc, both sized to the thread count with
 * autocommit off, alternating in rounds on the embedded server. Target: lsem/hikari ≥ 0.98.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.lsem.bench.PooledTpcbWorkload --threads 8 --seconds 10 --rounds 3</pre>
 *
 * (The options are {@link TpcbOptions}'; {@code -Dlsem.properties=name=value,...} adds driver properties to
 * the LSEM side, e.g. {@code timestamps=off}.)
 */
public final class PooledTpcbWorkload {
  private static final double TARGET_RATIO = 0.98;

  private PooledTpcbWorkload() {}

  public static void main(String[] args) throws Exception {
    TpcbOptions o = TpcbOptions.parse(args);
    PostgresServer server = PostgresServer.shared();
    TestDatabase db = server.createDatabase("tpcbpool");
    try {
      DriverTarget admin = new DriverTarget("plain", db.plainUrl(), db.credentials());
      TpcbSchema schema = new TpcbSchema(admin, o);
      schema.create();
      System.out.printf(Locale.ROOT, "pooled TPC-B-like: threads=%d seconds=%d rounds=%d scale=%d; server %s%n",
          o.threads(), o.seconds(), o.rounds(), o.scale(), schema.describeServer());
      HikariConfig hc = new HikariConfig();
      hc.setJdbcUrl(db.plainUrl());
      hc.setUsername(db.user());
      hc.setPassword(db.password());
      hc.setAutoCommit(false);
      hc.setMaximumPoolSize(o.threads());
      hc.setMinimumIdle(o.threads());
      LsemDataSource lsem = new LsemDataSource(db.lsemUrl());
      lsem.setUser(db.user());
      lsem.setPassword(db.password());
      lsem.setProperty("poolAutoCommit", "false");
      lsem.setProperty("poolMaxSize", String.valueOf(o.threads()));
      lsem.setProperty("poolMinIdle", String.valueOf(o.threads()));
      for (String kv : System.getProperty("lsem.properties", "").split(",")) { // e.g. -Dlsem.properties=retry=false
        if (!kv.isBlank()) {
          lsem.setProperty(kv.substring(0, kv.indexOf('=')).trim(), kv.substring(kv.indexOf('=') + 1).trim());
        }
      }
      long committed = 0;
      try (HikariDataSource hikari = new HikariDataSource(hc); lsem) {
        run(hikari, o, o.warmupSeconds());
        run(lsem, o, o.warmupSeconds());
        double hikariTotal = 0;
        double lsemTotal = 0;
        for (int round = 1; round <= o.rounds(); round++) {
          schema.beforeRun();
          boolean hikariFirst = round % 2 == 1;
          double first = run(hikariFirst ? hikari : lsem, o, o.seconds());
          double second = run(hikariFirst ? lsem : hikari, o, o.seconds());
          double h = hikariFirst ? first : second;
          double l = hikariFirst ? second : first;
          hikariTotal += h;
          lsemTotal += l;
          System.out.printf(Locale.ROOT, "round %d: hikari+pgjdbc %.1f tps, lsem pool %.1f tps, ratio %.3f%n", round,
              h, l, l / h);
        }
        double ratio = lsemTotal / hikariTotal;
        System.out.printf(Locale.ROOT, "overall ratio lsem/hikari: %.3f (target >= %.2f: %s)%n", ratio, TARGET_RATIO,
            ratio >= TARGET_RATIO ? "met" : "NOT met");
        System.out.println("lsem pool: " + lsem.stats());
      }
    } finally {
      db.drop();
    }
  }

  /** Runs {@code threads} borrowers for {@code seconds}; returns committed transactions per second. */
  private static double run(DataSource source, TpcbOptions o, int seconds) throws InterruptedException {
    if (seconds <= 0) {
      return 0;
    }
    LongAdder commits = new LongAdder();
    LongAdder errors = new LongAdder();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < o.threads(); t++) {
      Thread thread = new Thread(() -> {
        while (System.nanoTime() < deadline) {
          try (Connection c = source.getConnection()) {
            transaction(c, o);
            c.commit();
            commits.increment();
          } catch (SQLException e) {
            errors.increment();
          }
        }
      }, "pooled-tpcb-" + t);
      threads.add(thread);
      thread.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    if (errors.sum() > 0) {
      System.out.println("  " + errors.sum() + " failed transactions");
    }
    return commits.sum() / (double) seconds;
  }

  private static void transaction(Connection c, TpcbOptions o) throws SQLException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int aid = random.nextInt(o.accounts()) + 1;
    int bid = random.nextInt(o.branches()) + 1;
    int tid = random.nextInt(o.tellers()) + 1;
    int delta = random.nextInt(-5000, 5001);
    try (PreparedStatement ua = c.prepareStatement("UPDATE accounts SET abalance = abalance + ? WHERE aid = ?");
         PreparedStatement sb = c.prepareStatement("SELECT abalance FROM accounts WHERE aid = ?");
         PreparedStatement ut = c.prepareStatement("UPDATE tellers SET tbalance = tbalance + ? WHERE tid = ?");
         PreparedStatement ub = c.prepareStatement("UPDATE branches SET bbalance = bbalance + ? WHERE bid = ?");
         PreparedStatement ih = c.prepareStatement(
             "INSERT INTO history (tid, bid, aid, delta, mtime) VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)")) {
      ua.setInt(1, delta);
      ua.setInt(2, aid);
      ua.executeUpdate();
      sb.setInt(1, aid);
      try (ResultSet rs = sb.executeQuery()) {
        rs.next();
      }
      ut.setInt(1, delta);
      ut.setInt(2, tid);
      ut.executeUpdate();
      ub.setInt(1, delta);
      ub.setInt(2, bid);
      ub.executeUpdate();
      ih.setInt(1, tid);
      ih.setInt(2, bid);
      ih.setInt(3, aid);
      ih.setInt(4, delta);
      ih.executeUpdate();
    }
  }
}
