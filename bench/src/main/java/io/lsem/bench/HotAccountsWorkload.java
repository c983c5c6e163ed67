package io.lsem.bench;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.RetryStats;
import io.lsem.testkit.PostgresServer;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Money transfers at SERIALIZABLE over a few hot accounts, many threads: transparent retry (plain
 * JDBC code with no retry logic, through {@code jdbc:lsem:}) against an application-level retry
 * loop (the same code wrapped in a loop that rolls back and retries on 40001/40P01, through
 * {@code jdbc:lsem:} with {@code retry=false}) with the same backoff — exponential with full
 * jitter, base 5 ms, cap 1 s, the driver's defaults — alternating in rounds on the embedded
 * server. Reports committed transfers per second, the ratio (target ≥ 0.95), the median and
 * worst runs per transfer, and the time spent backing off; checks that the total is unchanged.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.lsem.bench.HotAccountsWorkload [threads=16] [seconds=10] [rounds=3] [accounts=4]</pre>
 */
public final class HotAccountsWorkload {
  private static final long BASE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final long CAP_NANOS = TimeUnit.SECONDS.toNanos(1);

  private HotAccountsWorkload() {}

  /** One side's results of one round. */
  private record Result(double tps, long transfers, long[] attempts, long backoffNanos, long failures) {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 16;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int accounts = args.length > 3 ? Integer.parseInt(args[3]) : 4;
    TestDatabase db = PostgresServer.shared().createDatabase("hot");
    try {
      try (Connection c = db.plain(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE account(id int PRIMARY KEY, balance bigint NOT NULL)");
        s.execute("INSERT INTO account SELECT g, 1000000 FROM generate_series(1, " + accounts + ") g");
        s.execute("CREATE TABLE transfer(id bigserial PRIMARY KEY, from_id int, to_id int, amount int)");
      }
      System.out.printf(Locale.ROOT, "hot accounts: %d threads, %d accounts, SERIALIZABLE, %d s x %d rounds%n",
          threads, accounts, seconds, rounds);
      double transparentTotal = 0;
      double loopTotal = 0;
      List<long[]> transparentAttempts = new ArrayList<>();
      List<long[]> loopAttempts = new ArrayList<>();
      long transparentBackoff = 0;
      long loopBackoff = 0;
      for (int round = 1; round <= rounds; round++) {
        for (boolean transparent : round % 2 == 1 ? new boolean[] {true, false} : new boolean[] {false, true}) {
          Result r = run(db, threads, seconds, accounts, transparent);
          System.out.printf(Locale.ROOT, "round %d %-12s %8.1f transfers/s, %d failures reached the application%n",
              round, transparent ? "transparent" : "app loop", r.tps(), r.failures());
          if (transparent) {
            transparentTotal += r.tps();
            transparentAttempts.add(r.attempts());
            transparentBackoff += r.backoffNanos();
          } else {
            loopTotal += r.tps();
            loopAttempts.add(r.attempts());
            loopBackoff += r.backoffNanos();
          }
        }
      }
      double ratio = transparentTotal / loopTotal;
      System.out.printf(Locale.ROOT, "ratio transparent/app loop: %.3f (target >= 0.95: %s)%n", ratio,
          ratio >= 0.95 ? "met" : "NOT met");
      describe("transparent", transparentAttempts, transparentBackoff);
      describe("app loop", loopAttempts, loopBackoff);
      try (Connection c = db.plain(); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT sum(balance) FROM account")) {
        rs.next();
        System.out.println("total unchanged: " + (rs.getLong(1) == 1_000_000L * accounts));
      }
    } finally {
      db.drop();
    }
  }

  private static void describe(String label, List<long[]> rounds, long backoffNanos) {
    long[] all = rounds.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    if (all.length == 0) {
      return;
    }
    System.out.printf(Locale.ROOT, "%-12s runs per transfer: median %d, worst %d; %d transfers; backing off %.1f s in all%n",
        label, all[all.length / 2], all[all.length - 1], all.length, backoffNanos / 1e9);
  }

  private static Result run(TestDatabase db, int threads, int seconds, int accounts, boolean transparent)
      throws Exception {
    Properties p = db.credentials();
    if (!transparent) {
      p.setProperty("retry", "false");
    }
    LongAdder transfers = new LongAdder();
    LongAdder failures = new LongAdder();
    LongAdder backoff = new LongAdder();
    List<long[]> perThread = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long[] attempts = new long[1 << 20];
      int[] count = {0};
      perThread.add(attempts);
      Thread w = new Thread(() -> {
        try (Connection c = DriverManager.getConnection(db.lsemUrl(), p)) {
          c.setAutoCommit(false);
          c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
          LsemConnection lsem = c.unwrap(LsemConnection.class);
          while (System.nanoTime() < deadline) {
            int runs;
            if (transparent) {
              RetryStats before = lsem.retryStats();
              try {
                transfer(c, accounts);
              } catch (SQLException e) {
                failures.increment();
                c.rollback();
                continue;
              }
              RetryStats after = lsem.retryStats();
              runs = 1 + (int) (after.replays() - before.replays());
              backoff.add(after.backoffNanos() - before.backoffNanos());
            } else {
              runs = 0;
              for (;;) {
                runs++;
                try {
                  transfer(c, accounts);
                  break;
                } catch (SQLException e) {
                  c.rollback();
                  String state = e.getSQLState();
                  if (!"40001".equals(state) && !"40P01".equals(state)) {
                    failures.increment();
                    break;
                  }
                  long wait = ThreadLocalRandom.current().nextLong(Math.min(CAP_NANOS, BASE_NANOS << Math.min(runs - 1, 30)) + 1);
                  long start = System.nanoTime();
                  TimeUnit.NANOSECONDS.sleep(wait); // the application's own backoff
                  backoff.add(System.nanoTime() - start);
                }
              }
            }
            transfers.increment();
            if (count[0] < attempts.length) {
              attempts[count[0]++] = runs;
            }
          }
          perThread.set(perThread.indexOf(attempts), Arrays.copyOf(attempts, count[0]));
        } catch (SQLException | InterruptedException e) {
          failures.increment();
        }
      }, (transparent ? "transparent-" : "loop-") + t);
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join();
    }
    long[] attempts = perThread.stream().flatMapToLong(a -> Arrays.stream(a).filter(x -> x > 0)).toArray();
    return new Result(transfers.sum() / (double) seconds, transfers.sum(), attempts, backoff.sum(), failures.sum());
  }

  /** Write-only transfer code: debit, credit, log; no reads the application acts on. */
  private static void transfer(Connection c, int accounts) throws SQLException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int from = 1 + random.nextInt(accounts);
    int to = 1 + (from + random.nextInt(accounts - 1)) % accounts;
    int amount = 1 + random.nextInt(100);
    try (PreparedStatement debit = c.prepareStatement("UPDATE account SET balance = balance - ? WHERE id = ?");
         PreparedStatement credit = c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?");
         PreparedStatement log = c.prepareStatement("INSERT INTO transfer(from_id, to_id, amount) VALUES (?, ?, ?)")) {
      debit.setInt(1, amount);
      debit.setInt(2, from);
      debit.executeUpdate();
      credit.setInt(1, amount);
      credit.setInt(2, to);
      credit.executeUpdate();
      log.setInt(1, from);
      log.setInt(2, to);
      log.setInt(3, amount);
      log.executeUpdate();
    }
    c.commit();
  }
}
