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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Money transfers at SERIALIZABLE over a few hot accounts, many threads (issue 7): transparent
 * retry — plain JDBC code with no retry logic through {@code jdbc:lsem:} — against an
 * application-level retry loop — the same code in a loop that rolls back and retries on
 * 40001/40P01, through {@code jdbc:lsem:} with {@code retry=false} (or plain pgjdbc with
 * {@code --loop plain}) — with the same backoff on both sides: before the n-th retry a random
 * wait in [0, min(cap, base·2^(n-1))] (exponential with full jitter), the same base and cap (the
 * driver gets them as {@code retryBackoffBase}/{@code retryBackoffCap}) and the same limit of
 * runs per transfer ({@code retryMaxAttempts}) and time from the first failure ({@code retryBudget});
 * the defaults are the driver's. {@code --loop-attempts} gives the application loop a limit of its
 * own (3, say, as hand-written loops often have). The two alternate in rounds on the embedded
 * server. Latency per committed transfer (retries included) is reported as p50, p99, p99.9, max.
 *
 * <p>A transfer counts if its commit was acknowledged inside the window; no transfer starts after
 * it. Reports committed transfers per second per side and round, the ratio transparent / loop
 * (target ≥ 0.95), the median, 90th percentile and worst runs per committed transfer (transparent:
 * 1 + the replays {@link LsemConnection#retryStats()} counted during it), the time spent backing
 * off (driver counter vs the loop's own sleeps), and errors that reached the application. At the
 * end it checks that the balances' total is unchanged and that the transfer log holds exactly one
 * row per acknowledged transfer.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.lsem.bench.HotAccountsWorkload [--threads 16] [--seconds 8]
 *     [--rounds 3] [--accounts 4] [--base-ms 5] [--cap-ms 100] [--max-attempts 30] [--budget-ms 2000] [--loop-attempts N] [--loop lsem|plain] [--deadlocks]</pre>
 *
 * <p>The two balance updates run in account-id order, so the conflicts are serialization failures
 * (40001); {@code --deadlocks} updates the debited account first, so opposite transfers deadlock
 * too (40P01, each found only after the server's 1 s {@code deadlock_timeout}, which then
 * dominates the figures).
 *
 * <p>(The older positional form {@code HotAccountsWorkload 16 10 3 4} still works.)
 */
public final class HotAccountsWorkload {
  /** Ratio transparent / application loop the driver aims for. */
  static final double TARGET_RATIO = 0.95;

  private HotAccountsWorkload() {}

  private record Options(int threads, int seconds, int rounds, int accounts, long baseMillis, long capMillis,
      int maxAttempts, long budgetMillis, int loopAttempts, boolean loopOnPlain, boolean deadlocks) {}

  /** One side's results of one round. */
  private record Result(int seconds, long counted, long committed, int[] runs, long[] micros, long backoffNanos,
      long failures) {
    double tps() {
      return counted / (double) seconds;
    }
  }

  public static void main(String[] args) throws Exception {
    // retry=false on the app-loop side: the driver warns once per failed transaction that it did
    // not retry; the loop handles that on purpose, so keep the output readable
    System.setProperty("org.slf4j.simpleLogger.log.io.lsem.jdbc.tx.RetryController", "error");
    Options o;
    try {
      o = parse(args);
    } catch (RuntimeException e) {
      System.err.println(e.getMessage());
      System.err.println("usage: HotAccountsWorkload [--threads 16] [--seconds 8] [--rounds 3] [--accounts 4]"
          + " [--base-ms 5] [--cap-ms 100] [--max-attempts 30] [--budget-ms 2000] [--loop-attempts N] [--loop lsem|plain] [--deadlocks]");
      System.exit(64);
      return;
    }
    System.exit(run(o) ? 0 : 1);
  }

  private static Options parse(String[] args) {
    int threads = 16;
    int seconds = 8;
    int rounds = 3;
    int accounts = 4;
    long base = 5;
    // the driver's defaults, given to both sides unless overridden
    long cap = 100;
    int maxAttempts = 30;
    long budget = 2000;
    int loopAttempts = -1; // the application loop's own limit of runs; default: maxAttempts
    boolean plain = false;
    boolean deadlocks = false;
    if (args.length > 0 && !args[0].startsWith("--")) { // positional: threads seconds rounds accounts
      int[] v = {threads, seconds, rounds, accounts};
      for (int i = 0; i < Math.min(4, args.length); i++) {
        v[i] = Integer.parseInt(args[i]);
      }
      return new Options(v[0], v[1], v[2], v[3], base, cap, maxAttempts, budget, maxAttempts, false, false);
    }
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--threads": threads = Integer.parseInt(value); i++; break;
        case "--seconds": seconds = Integer.parseInt(value); i++; break;
        case "--rounds": rounds = Integer.parseInt(value); i++; break;
        case "--accounts": accounts = Integer.parseInt(value); i++; break;
        case "--base-ms": base = Long.parseLong(value); i++; break;
        case "--cap-ms": cap = Long.parseLong(value); i++; break;
        case "--max-attempts": maxAttempts = Integer.parseInt(value); i++; break;
        case "--budget-ms": budget = Long.parseLong(value); i++; break;
        case "--loop-attempts": loopAttempts = Integer.parseInt(value); i++; break;
        case "--loop": plain = "plain".equals(value); i++; break;
        case "--deadlocks": deadlocks = true; break;
        default: throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (accounts < 2 || threads < 1 || seconds < 1 || rounds < 1 || maxAttempts < 1) {
      throw new IllegalArgumentException("need accounts >= 2 and positive threads, seconds, rounds, max attempts");
    }
    return new Options(threads, seconds, rounds, accounts, base, cap, maxAttempts, budget,
        loopAttempts < 0 ? maxAttempts : loopAttempts, plain, deadlocks);
  }

  static boolean run(Options o) throws Exception {
    TestDatabase db = PostgresServer.shared().createDatabase("hot");
    try {
      try (Connection c = db.plain(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE account(id int PRIMARY KEY, balance bigint NOT NULL)");
        s.execute("INSERT INTO account SELECT g, 1000000 FROM generate_series(1, " + o.accounts() + ") g");
        s.execute("CREATE TABLE transfer(id bigserial PRIMARY KEY, from_id int, to_id int, amount int)");
      }
      System.out.printf(Locale.ROOT, "hot accounts: %d threads, %d accounts, SERIALIZABLE, %d s x %d rounds;"
          + " backoff full jitter base %d ms cap %d ms, at most %d runs (app loop: %d) and %d ms from the first failure"
          + " per transfer%n", o.threads(), o.accounts(),
          o.seconds(), o.rounds(), o.baseMillis(), o.capMillis(), o.maxAttempts(), o.loopAttempts(), o.budgetMillis());
      System.out.println(o.deadlocks() ? "debit first: opposite transfers deadlock (40P01 after deadlock_timeout)"
          : "balance rows updated in id order: conflicts are serialization failures, no deadlocks");
      System.out.println("transparent: jdbc:lsem: (retry=true); app loop: "
          + (o.loopOnPlain() ? "plain pgjdbc" : "jdbc:lsem: with retry=false") + "; other driver settings default");
      List<Result> warmup = List.of(run(db, o, true, 1), run(db, o, false, 1)); // unmeasured, both sides
      List<Result> transparent = new ArrayList<>();
      List<Result> loop = new ArrayList<>();
      for (int round = 1; round <= o.rounds(); round++) {
        Result[] pair = new Result[2];
        for (boolean t : round % 2 == 1 ? new boolean[] {true, false} : new boolean[] {false, true}) {
          Result r = run(db, o, t, o.seconds());
          pair[t ? 0 : 1] = r;
          (t ? transparent : loop).add(r);
          System.out.printf(Locale.ROOT, "round %d %-11s %8.1f transfers/s (%d in %d s), %d errors reached the"
              + " application, %.1f s backing off%n", round, t ? "transparent" : "app loop", r.tps(), r.counted(),
              r.seconds(), r.failures(), r.backoffNanos() / 1e9);
        }
        System.out.printf(Locale.ROOT, "round %d ratio transparent/app loop: %.3f%n", round,
            pair[0].tps() / pair[1].tps());
      }
      double tpsT = transparent.stream().mapToLong(Result::counted).sum()
          / (double) transparent.stream().mapToInt(Result::seconds).sum();
      double tpsL = loop.stream().mapToLong(Result::counted).sum()
          / (double) loop.stream().mapToInt(Result::seconds).sum();
      System.out.printf(Locale.ROOT, "overall transparent %.1f transfers/s, app loop %.1f transfers/s%n", tpsT, tpsL);
      describe("transparent", transparent);
      describe("app loop", loop);
      double ratio = tpsT / tpsL;
      System.out.printf(Locale.ROOT, "ratio transparent/app loop: %.3f (target >= %.2f: %s)%n", ratio, TARGET_RATIO,
          ratio >= TARGET_RATIO ? "met" : "NOT met");
      List<Result> every = new ArrayList<>(warmup);
      every.addAll(transparent);
      every.addAll(loop);
      return check(db, o, every);
    } finally {
      db.drop();
    }
  }

  /**
   * The balances' total must be unchanged, and the transfer log must hold one row per
   * acknowledged transfer (more only if a failed commit's outcome was unknown and it did commit).
   */
  private static boolean check(TestDatabase db, Options o, List<Result> runs) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT (SELECT sum(balance) FROM account), (SELECT count(*) FROM transfer)")) {
      rs.next();
      long acknowledged = runs.stream().mapToLong(Result::committed).sum();
      long failed = runs.stream().mapToLong(Result::failures).sum();
      long rows = rs.getLong(2);
      boolean total = rs.getLong(1) == 1_000_000L * o.accounts();
      boolean once = rows >= acknowledged && rows <= acknowledged + failed;
      System.out.printf(Locale.ROOT, "check: total balance unchanged: %s; transfer log rows %d, transfers acknowledged"
          + " %d (warm-up included) -> %s%n", total ? "yes" : "NO", rows, acknowledged,
          once ? "each applied exactly once" : "MISMATCH");
      return total && once;
    }
  }

  private static void describe(String label, List<Result> rounds) {
    int[] all = rounds.stream().flatMapToInt(r -> Arrays.stream(r.runs())).sorted().toArray();
    long backoff = rounds.stream().mapToLong(Result::backoffNanos).sum();
    long failures = rounds.stream().mapToLong(Result::failures).sum();
    if (all.length == 0) {
      System.out.println(label + ": no transfer committed");
      return;
    }
    long retried = Arrays.stream(all).filter(x -> x > 1).count();
    long[] us = rounds.stream().flatMapToLong(r -> Arrays.stream(r.micros())).sorted().toArray();
    System.out.printf(Locale.ROOT, "%-11s latency per committed transfer, retries included: p50 %.1f ms, p99 %.1f ms,"
        + " p99.9 %.1f ms, max %.1f ms%n", label, us[us.length / 2] / 1e3, us[(int) (us.length * 0.99)] / 1e3,
        us[(int) (us.length * 0.999)] / 1e3, us[us.length - 1] / 1e3);
    System.out.printf(Locale.ROOT, "%-11s runs per committed transfer: median %d, p90 %d, worst %d, mean %.2f;"
        + " %d transfers, %.1f %% needed a retry; backing off %.1f s in all (%.1f ms per transfer);"
        + " %d errors reached the application%n", label, all[all.length / 2], all[(int) (all.length * 0.9)],
        all[all.length - 1], Arrays.stream(all).average().orElse(0), all.length, 100.0 * retried / all.length,
        backoff / 1e9, backoff / 1e6 / all.length, failures);
  }

  private static Result run(TestDatabase db, Options o, boolean transparent, int seconds) throws Exception {
    Properties p = db.credentials();
    String url = db.lsemUrl();
    if (transparent) {
      p.setProperty("retryBackoffBase", o.baseMillis() + "ms");
      p.setProperty("retryBackoffCap", o.capMillis() + "ms");
      p.setProperty("retryMaxAttempts", Integer.toString(o.maxAttempts()));
      p.setProperty("retryBudget", o.budgetMillis() + "ms");
    } else if (o.loopOnPlain()) {
      url = db.plainUrl();
    } else {
      p.setProperty("retry", "false");
    }
    long baseNanos = TimeUnit.MILLISECONDS.toNanos(o.baseMillis());
    long capNanos = TimeUnit.MILLISECONDS.toNanos(o.capMillis());
    long budgetNanos = TimeUnit.MILLISECONDS.toNanos(o.budgetMillis());
    AtomicLong counted = new AtomicLong();
    AtomicLong committed = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    AtomicLong backoff = new AtomicLong();
    int[][] runsPerThread = new int[o.threads()][];
    long[][] microsPerThread = new long[o.threads()][];
    CountDownLatch ready = new CountDownLatch(o.threads());
    CountDownLatch start = new CountDownLatch(1);
    long[] deadline = new long[1];
    List<Thread> workers = new ArrayList<>();
    final String connectUrl = url;
    for (int t = 0; t < o.threads(); t++) {
      final int index = t;
      Thread w = new Thread(() -> {
        int[] runs = new int[1024];
        long[] micros = new long[1024];
        int n = 0;
        try (Connection c = DriverManager.getConnection(connectUrl, p)) {
          c.setAutoCommit(false);
          c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
          LsemConnection lsem = c.isWrapperFor(LsemConnection.class) ? c.unwrap(LsemConnection.class) : null;
          ready.countDown();
          start.await();
          long end = deadline[0];
          while (System.nanoTime() - end < 0) {
            long began = System.nanoTime(); // the transfer as the application waits for it, retries included
            int attempts;
            if (transparent) {
              RetryStats before = lsem.retryStats();
              try {
                transfer(c, o.accounts(), o.deadlocks());
              } catch (SQLException e) {
                failures.incrementAndGet();
                c.rollback();
                continue;
              } finally {
                backoff.addAndGet(lsem.retryStats().backoffNanos() - before.backoffNanos());
              }
              attempts = 1 + (int) (lsem.retryStats().replays() - before.replays());
            } else {
              attempts = 0;
              long firstFailure = 0;
              boolean done = false;
              while (!done) {
                attempts++;
                try {
                  transfer(c, o.accounts(), o.deadlocks());
                  done = true;
                } catch (SQLException e) {
                  c.rollback();
                  String state = e.getSQLState();
                  boolean retryable = "40001".equals(state) || "40P01".equals(state);
                  long now = System.nanoTime();
                  firstFailure = attempts == 1 ? now : firstFailure;
                  long left = budgetNanos - (now - firstFailure);
                  if (!retryable || attempts >= o.loopAttempts() || left < 0) {
                    failures.incrementAndGet();
                    break;
                  }
                  // the application's own backoff: full jitter, the driver's formula and budget
                  long bound = Math.min(capNanos, baseNanos << Math.min(attempts - 1, 30));
                  long wait = Math.min(left, ThreadLocalRandom.current().nextLong(bound + 1));
                  long t0 = System.nanoTime();
                  TimeUnit.NANOSECONDS.sleep(wait);
                  backoff.addAndGet(System.nanoTime() - t0);
                }
              }
              if (!done) {
                continue;
              }
            }
            committed.incrementAndGet();
            if (System.nanoTime() - end < 0) {
              counted.incrementAndGet();
              if (n == runs.length) {
                runs = Arrays.copyOf(runs, n * 2);
                micros = Arrays.copyOf(micros, n * 2);
              }
              micros[n] = (System.nanoTime() - began) / 1_000;
              runs[n++] = attempts;
            }
          }
        } catch (SQLException | InterruptedException | RuntimeException e) {
          failures.incrementAndGet();
          System.out.println("  ! worker " + index + ": " + ErrorLog.describe(e));
          ready.countDown();
        } finally {
          runsPerThread[index] = Arrays.copyOf(runs, n);
          microsPerThread[index] = Arrays.copyOf(micros, n);
        }
      }, (transparent ? "transparent-" : "loop-") + t);
      workers.add(w);
      w.start();
    }
    ready.await(60, TimeUnit.SECONDS);
    deadline[0] = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    start.countDown(); // publishes deadline[0] to the workers
    for (Thread w : workers) {
      w.join();
    }
    int[] runs = Arrays.stream(runsPerThread).flatMapToInt(Arrays::stream).toArray();
    long[] micros = Arrays.stream(microsPerThread).flatMapToLong(Arrays::stream).toArray();
    return new Result(seconds, counted.get(), committed.get(), runs, micros, backoff.get(), failures.get());
  }

  /**
   * Write-only transfer code: debit, credit, log; no reads the application acts on. The two
   * account rows are updated in id order (as careful applications do), unless {@code deadlocks}:
   * then debit first, so two opposite transfers deadlock and each deadlock costs the server's
   * {@code deadlock_timeout} (1 s) before one of them gets 40P01.
   */
  private static void transfer(Connection c, int accounts, boolean deadlocks) throws SQLException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int from = 1 + random.nextInt(accounts);
    int to = 1 + (from + random.nextInt(accounts - 1)) % accounts;
    int amount = 1 + random.nextInt(100);
    try (PreparedStatement move = c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?");
         PreparedStatement log = c.prepareStatement("INSERT INTO transfer(from_id, to_id, amount) VALUES (?, ?, ?)")) {
      boolean debitFirst = deadlocks || from < to;
      move.setInt(1, debitFirst ? -amount : amount);
      move.setInt(2, debitFirst ? from : to);
      move.executeUpdate();
      move.setInt(1, debitFirst ? amount : -amount);
      move.setInt(2, debitFirst ? to : from);
      move.executeUpdate();
      log.setInt(1, from);
      log.setInt(2, to);
      log.setInt(3, amount);
      log.executeUpdate();
    }
    c.commit();
  }
}
