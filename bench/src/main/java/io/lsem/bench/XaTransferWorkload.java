package io.lsem.bench;

import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import io.lsem.jdbc.LsemXADataSource;
import io.lsem.testkit.ForwardingXAResource;
import io.lsem.testkit.PostgresServer;
import io.lsem.testkit.TestDatabase;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.XAConnection;
import javax.sql.XADataSource;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.postgresql.xa.PGXADataSource;

/**
 * Transfers between two PostgreSQL servers (the embedded one and a second, private one) under
 * Narayana (issue 16): {@code LsemXADataSource} with its defaults (the ledger installed, so every
 * branch records the global id and commit timestamp) against pgjdbc's {@code PGXADataSource}, in
 * alternating rounds: throughput, p50/p99 latency of a global transfer, and the LSEM side's time by
 * step (begin and enlisting, each branch's statements, the PREPAREs, the COMMIT PREPAREDs).
 *
 * <pre>java [-Dlsem.properties=timestamps=off,...] -cp bench/target/benchmarks.jar io.lsem.bench.XaTransferWorkload [threads 8] [seconds 8] [rounds 3]</pre>
 */
public final class XaTransferWorkload {
  private static final int ACCOUNTS = 10_000;

  private XaTransferWorkload() {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    String store = Files.createTempDirectory("lsem-bench-narayana-").toString();
    for (String name : new String[] {null, "communicationStore", "stateStore"}) {
      BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, name).setObjectStoreDir(store);
    }
    TransactionManager tm = com.arjuna.ats.jta.TransactionManager.transactionManager();
    PostgresServer second = PostgresServer.startPrivate("max_prepared_transactions", "100");
    try {
      TestDatabase a = PostgresServer.shared().createDatabase("xa_bench_a");
      TestDatabase b = second.createDatabase("xa_bench_b");
      for (TestDatabase d : List.of(a, b)) {
        try (Connection c = d.plain(); Statement s = c.createStatement()) {
          s.execute("CREATE TABLE account(id int PRIMARY KEY, balance bigint NOT NULL)");
          s.execute("CREATE TABLE transfer(id bigserial PRIMARY KEY, account int NOT NULL, delta bigint NOT NULL)");
          s.execute("INSERT INTO account SELECT g, 1000000 FROM generate_series(1, " + ACCOUNTS + ") g");
        }
      }
      System.out.printf(Locale.ROOT, "XA transfers between two servers under Narayana: %d threads, %d s x %d rounds%n",
          threads, seconds, rounds);
      Side plain = new Side("pgjdbc PGXADataSource", () -> pg(a), () -> pg(b));
      Side lsem = new Side("LsemXADataSource", () -> lsem(a), () -> lsem(b));
      run(tm, plain, threads, 3, true);
      run(tm, lsem, threads, 3, true);
      List<Double> ratios = new ArrayList<>();
      for (int r = 1; r <= rounds; r++) {
        Result p = null;
        Result l = null;
        for (Side side : r % 2 == 1 ? List.of(plain, lsem) : List.of(lsem, plain)) {
          Result res = run(tm, side, threads, seconds, false);
          System.out.println("round " + r + " " + res);
          if (side == plain) {
            p = res;
          } else {
            l = res;
          }
        }
        ratios.add(l.tps / p.tps);
        System.out.printf(Locale.ROOT, "round %d: throughput LSEM/pgjdbc %.3f, p99 latency %.3f%n", r, l.tps / p.tps,
            l.p99 / p.p99);
      }
      System.out.println("per-round throughput ratios " + ratios);
    } finally {
      second.stop();
    }
  }

  private static XADataSource pg(TestDatabase d) {
    PGXADataSource ds = new PGXADataSource();
    ds.setUrl(d.plainUrl());
    ds.setUser(d.user());
    ds.setPassword(d.password());
    return ds;
  }

  private static XADataSource lsem(TestDatabase d) throws SQLException {
    LsemXADataSource ds = new LsemXADataSource();
    ds.setUrl(d.lsemUrl());
    ds.setUser(d.user());
    ds.setPassword(d.password());
    for (String kv : System.getProperty("lsem.properties", "").split(",")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        ds.setProperty(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
      }
    }
    return ds;
  }

  private interface Source {
    XADataSource get() throws SQLException;
  }

  private record Side(String label, Source a, Source b) {}

  /** Per step, nanoseconds summed over all transfers. */
  private static final class Steps {
    final LongAdder begin = new LongAdder();
    final LongAdder branchA = new LongAdder();
    final LongAdder branchB = new LongAdder();
    final LongAdder prepare = new LongAdder();
    final LongAdder commit = new LongAdder();
  }

  private record Result(String label, double tps, double p50, double p99, long rolledBack, Steps steps, long n) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%-22s %8.1f transfers/s  p50 %.2f ms  p99 %.2f ms  (%d rolled back)"
          + "  per transfer: begin+enlist %.3f, branch A %.3f, branch B %.3f, PREPAREs %.3f, COMMITs %.3f ms",
          label, tps, p50, p99, rolledBack, ms(steps.begin, n), ms(steps.branchA, n), ms(steps.branchB, n),
          ms(steps.prepare, n), ms(steps.commit, n));
    }

    private static double ms(LongAdder sum, long n) {
      return n == 0 ? 0 : sum.sum() / 1e6 / n;
    }
  }

  private static Result run(TransactionManager tm, Side side, int threads, int seconds, boolean warmup)
      throws Exception {
    AtomicLong done = new AtomicLong();
    AtomicLong rolledBack = new AtomicLong();
    Steps steps = new Steps();
    long[][] latencies = new long[threads][];
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int index = t;
      workers[t] = new Thread(() -> {
        long[] lat = new long[1 << 18];
        int n = 0;
        XAConnection a = null;
        XAConnection b = null;
        try {
          a = side.a().get().getXAConnection();
          b = side.b().get().getXAConnection();
          ThreadLocalRandom random = ThreadLocalRandom.current();
          while (System.nanoTime() < end) {
            long start = System.nanoTime();
            tm.begin();
            Transaction tx = tm.getTransaction();
            XAResource ra = new Timed(a.getXAResource(), steps);
            XAResource rb = new Timed(b.getXAResource(), steps);
            tx.enlistResource(ra);
            tx.enlistResource(rb);
            long enlisted = System.nanoTime();
            apply(a, 1 + random.nextInt(ACCOUNTS), -5);
            long aDone = System.nanoTime();
            apply(b, 1 + random.nextInt(ACCOUNTS), 5);
            long bDone = System.nanoTime();
            tx.delistResource(ra, XAResource.TMSUCCESS);
            tx.delistResource(rb, XAResource.TMSUCCESS);
            try {
              tm.commit();
              long now = System.nanoTime();
              steps.begin.add(enlisted - start);
              steps.branchA.add(aDone - enlisted);
              steps.branchB.add(bDone - aDone);
              if (n < lat.length) {
                lat[n++] = now - start;
              }
              done.incrementAndGet();
            } catch (RollbackException e) {
              rolledBack.incrementAndGet();
            }
          }
        } catch (Exception e) {
          errors.add(e);
        } finally {
          latencies[index] = Arrays.copyOf(lat, n);
          close(a);
          close(b);
        }
      });
      workers[t].start();
    }
    for (Thread w : workers) {
      w.join();
    }
    if (!errors.isEmpty()) {
      throw new IllegalStateException(side.label() + ": " + errors.get(0), errors.get(0));
    }
    long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
    double p50 = all.length == 0 ? 0 : all[all.length / 2] / 1e6;
    double p99 = all.length == 0 ? 0 : all[(int) (all.length * 0.99)] / 1e6;
    Result r = new Result(side.label(), done.get() / (double) seconds, p50, p99, rolledBack.get(), steps, done.get());
    if (warmup) {
      System.out.println("warm-up " + r);
    }
    return r;
  }

  private static void apply(XAConnection xa, int account, long delta) throws SQLException {
    try (Connection c = xa.getConnection();
         PreparedStatement update = c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?");
         PreparedStatement log = c.prepareStatement("INSERT INTO transfer(account, delta) VALUES (?, ?)")) {
      update.setLong(1, delta);
      update.setInt(2, account);
      update.executeUpdate();
      log.setInt(1, account);
      log.setLong(2, delta);
      log.executeUpdate();
    }
  }

  private static void close(XAConnection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // the run is over
      }
    }
  }

  /** Times the two-phase steps of a resource. */
  private static final class Timed extends ForwardingXAResource {
    private final Steps steps;

    Timed(XAResource delegate, Steps steps) {
      super(delegate);
      this.steps = steps;
    }

    @Override
    public int prepare(Xid xid) throws XAException {
      long s = System.nanoTime();
      try {
        return delegate.prepare(xid);
      } finally {
        steps.prepare.add(System.nanoTime() - s);
      }
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
      long s = System.nanoTime();
      try {
        delegate.commit(xid, onePhase);
      } finally {
        steps.commit.add(System.nanoTime() - s);
      }
    }
  }
}
