package io.lsem.bench;

import io.lsem.testkit.EtcdCluster;
import io.lsem.testkit.PostgresServer;
import io.lsem.testkit.TestDatabase;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Short transactions, the shape that shows a per-transaction cost most (issue 15): BenchBase's
 * SmallBank — 1,000 customers with a savings and a checking balance, 16 threads, SERIALIZABLE,
 * BenchBase's mix (Amalgamate 15 %, Balance 15 %, DepositChecking 15 %, SendPayment 25 %,
 * TransactSavings 15 %, WriteCheck 15 %), two to four statements each. Goodput (committed
 * transactions per second) of each side, in interleaved rounds on the embedded server:
 *
 * <p>Every side runs the same application code: the usual hand-written loop that rolls back and
 * runs the transaction again on 40001/40P01 (BenchBase does the same). Through {@code jdbc:lsem:}
 * most conflicts never reach it (the driver replays them); what does is a replay that read other
 * values than the first run ({@code ReplayMismatchException}, SQLSTATE 40001), which a SmallBank
 * transaction often does, since it decides from the balances it reads.
 *
 * <ul>
 *   <li>{@code plain}: pgjdbc (the baseline);
 *   <li>{@code off}: {@code jdbc:lsem:} with {@code timestamps=off} (transparent retry, no ledger);
 *   <li>{@code on}: {@code jdbc:lsem:} with its defaults (timestamps and ledger on: database clock);
 *   <li>{@code etcd} (with {@code --etcd}): timestamps from the etcd oracle on a 3-member cluster.
 * </ul>
 *
 * <p>After every run it checks the money: the sum of all balances must equal the opening sum plus
 * what the acknowledged transactions deposited and minus what they withdrew, as the application
 * computed from what it read.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.lsem.bench.SmallBankWorkload [--threads 16] [--seconds 8] [--rounds 3] [--etcd]</pre>
 */
public final class SmallBankWorkload {
  static final int CUSTOMERS = 1_000;
  static final long OPENING = 10_000;

  private SmallBankWorkload() {}

  public static void main(String[] args) throws Exception {
    if (!run(args)) {
      System.exit(1);
    }
  }

  /** Runs the comparison; false if the money did not add up after some run. */
  static boolean run(String[] args) throws Exception {
    int threads = 16;
    int seconds = 8;
    int rounds = 3;
    boolean etcd = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--etcd" -> etcd = true;
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; usage: SmallBankWorkload [--threads 16] [--seconds 8] [--rounds 3] [--etcd]");
      }
    }
    System.setProperty("org.slf4j.simpleLogger.log.io.lsem.jdbc.tx.RetryController", "error");
    TestDatabase db = PostgresServer.shared().createDatabase("smallbank");
    EtcdCluster cluster = etcd ? EtcdCluster.start(3) : null;
    try {
      createSchema(db);
      Map<String, DriverTarget> sides = new LinkedHashMap<>();
      sides.put("plain", new DriverTarget("plain", db.plainUrl(), db.credentials()));
      sides.put("off", new DriverTarget("off", db.lsemUrl() + "?timestamps=off", db.credentials()));
      sides.put("on", new DriverTarget("on", db.lsemUrl(), db.credentials()));
      if (cluster != null) {
        sides.put("etcd", new DriverTarget("etcd", db.lsemUrl() + "?timestampOracle=etcd&coordinator="
            + URLEncoder.encode(cluster.coordinator("/smallbank"), StandardCharsets.UTF_8), db.credentials()));
      }
      System.out.printf(Locale.ROOT, "SmallBank: %d customers, %d threads, SERIALIZABLE, %d s x %d rounds%n",
          CUSTOMERS, threads, seconds, rounds);
      for (DriverTarget side : sides.values()) {
        run(db, side, threads, 1); // warm-up, unmeasured
      }
      Map<String, long[]> totals = new LinkedHashMap<>();
      boolean consistent = true;
      for (int round = 1; round <= rounds; round++) {
        List<String> order = new ArrayList<>(sides.keySet());
        if (round % 2 == 0) {
          java.util.Collections.reverse(order);
        }
        for (String name : order) {
          Result r = run(db, sides.get(name), threads, seconds);
          consistent &= r.consistent();
          long[] t = totals.computeIfAbsent(name, k -> new long[3]);
          t[0] += r.commits();
          t[1] += r.retries();
          t[2] += seconds;
          System.out.printf(Locale.ROOT, "round %d %-6s %8.1f commits/s, %d runs again (application loop + driver replays), money %s%n", round, name,
              r.commits() / (double) seconds, r.retries(), r.consistent() ? "ok" : "WRONG");
        }
      }
      double plain = totals.get("plain")[0] / (double) totals.get("plain")[2];
      for (Map.Entry<String, long[]> e : totals.entrySet()) {
        double tps = e.getValue()[0] / (double) e.getValue()[2];
        System.out.printf(Locale.ROOT, "%-6s %8.1f commits/s  ratio to plain %.3f%n", e.getKey(), tps, tps / plain);
      }
      System.out.println("consistency: " + (consistent ? "OK" : "VIOLATED"));
      return consistent;
    } finally {
      if (cluster != null) {
        cluster.close();
      }
      db.drop();
    }
  }

  private record Result(long commits, long retries, boolean consistent) {}

  static void createSchema(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE accounts(custid int PRIMARY KEY, name text NOT NULL)");
      s.execute("CREATE TABLE savings(custid int PRIMARY KEY REFERENCES accounts, bal bigint NOT NULL)");
      s.execute("CREATE TABLE checking(custid int PRIMARY KEY REFERENCES accounts, bal bigint NOT NULL)");
      s.execute("INSERT INTO accounts SELECT g, 'customer ' || g FROM generate_series(1, " + CUSTOMERS + ") g");
      s.execute("INSERT INTO savings SELECT g, " + OPENING + " FROM generate_series(1, " + CUSTOMERS + ") g");
      s.execute("INSERT INTO checking SELECT g, " + OPENING + " FROM generate_series(1, " + CUSTOMERS + ") g");
    }
  }

  private static long totalMoney(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT (SELECT sum(bal) FROM savings) + (SELECT sum(bal) FROM checking)")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Result run(TestDatabase db, DriverTarget side, int threads, int seconds) throws Exception {
    long before = totalMoney(db);
    AtomicLong commits = new AtomicLong();
    AtomicLong retries = new AtomicLong();
    AtomicLong delta = new AtomicLong();
    List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    boolean plainDriver = side.label().equals("plain");
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w = new Thread(() -> {
        try (Connection c = side.connect()) {
          c.setAutoCommit(false);
          c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
          Procedures p = new Procedures(c);
          while (System.nanoTime() < end) {
            int kind = ThreadLocalRandom.current().nextInt(100);
            int a = 1 + ThreadLocalRandom.current().nextInt(CUSTOMERS);
            int b = 1 + (a + ThreadLocalRandom.current().nextInt(CUSTOMERS - 1)) % CUSTOMERS;
            long amount = 1 + ThreadLocalRandom.current().nextInt(100);
            for (;;) {
              try {
                long moved = p.run(kind, a, b, amount);
                c.commit();
                if (System.nanoTime() < end) {
                  commits.incrementAndGet();
                }
                delta.addAndGet(moved);
                break;
              } catch (SQLException e) {
                c.rollback();
                String state = e.getSQLState();
                if ("40001".equals(state) || "40P01".equals(state)) {
                  retries.incrementAndGet();
                  continue;
                }
                throw e;
              }
            }
          }
          if (!plainDriver) {
            retries.addAndGet(c.unwrap(io.lsem.jdbc.LsemConnection.class).retryStats().replays());
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      });
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join();
    }
    if (!errors.isEmpty()) {
      throw new IllegalStateException(side.label() + ": " + errors.size() + " errors reached the application, first: "
          + errors.get(0), errors.get(0));
    }
    return new Result(commits.get(), retries.get(), totalMoney(db) == before + delta.get());
  }

  /** The six SmallBank transactions on one connection; each returns the money it added (negative: took out). */
  private static final class Procedures {
    private final PreparedStatement customer;
    private final PreparedStatement savings;
    private final PreparedStatement checking;
    private final PreparedStatement addSavings;
    private final PreparedStatement addChecking;
    private final PreparedStatement setSavings;
    private final PreparedStatement setChecking;

    Procedures(Connection c) throws SQLException {
      customer = c.prepareStatement("SELECT custid FROM accounts WHERE custid = ?");
      savings = c.prepareStatement("SELECT bal FROM savings WHERE custid = ?");
      checking = c.prepareStatement("SELECT bal FROM checking WHERE custid = ?");
      addSavings = c.prepareStatement("UPDATE savings SET bal = bal + ? WHERE custid = ?");
      addChecking = c.prepareStatement("UPDATE checking SET bal = bal + ? WHERE custid = ?");
      setSavings = c.prepareStatement("UPDATE savings SET bal = ? WHERE custid = ?");
      setChecking = c.prepareStatement("UPDATE checking SET bal = ? WHERE custid = ?");
    }

    long run(int kind, int a, int b, long amount) throws SQLException {
      if (kind < 15) { // Amalgamate: move everything a has into b's checking
        exists(a);
        exists(b);
        long total = read(savings, a) + read(checking, a);
        update(setSavings, 0, a);
        update(setChecking, 0, a);
        update(addChecking, total, b);
        return 0;
      } else if (kind < 30) { // Balance
        exists(a);
        read(savings, a);
        read(checking, a);
        return 0;
      } else if (kind < 45) { // DepositChecking
        exists(a);
        update(addChecking, amount, a);
        return amount;
      } else if (kind < 70) { // SendPayment: a's checking to b's checking, if a has enough
        exists(a);
        exists(b);
        if (read(checking, a) < amount) {
          return 0;
        }
        update(addChecking, -amount, a);
        update(addChecking, amount, b);
        return 0;
      } else if (kind < 85) { // TransactSavings
        exists(a);
        update(addSavings, amount, a);
        return amount;
      } else { // WriteCheck: a penalty of 1 when the two balances cannot cover it
        exists(a);
        long total = read(savings, a) + read(checking, a);
        long taken = total < amount ? amount + 1 : amount;
        update(addChecking, -taken, a);
        return -taken;
      }
    }

    private void exists(int id) throws SQLException {
      customer.setInt(1, id);
      try (ResultSet rs = customer.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("no customer " + id, "02000");
        }
      }
    }

    private static long read(PreparedStatement ps, int id) throws SQLException {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }

    private static void update(PreparedStatement ps, long value, int id) throws SQLException {
      ps.setLong(1, value);
      ps.setInt(2, id);
      ps.executeUpdate();
    }
  }
}
