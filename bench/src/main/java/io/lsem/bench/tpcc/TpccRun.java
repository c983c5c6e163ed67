package io.lsem.bench.tpcc;

import io.lsem.jdbc.LsemConnection;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One run of the TPC-C-like mix (45 % New-Order, 43 % Payment, 12 % Delivery) by {@code threads}
 * terminals, each on its own connection and home warehouse, for a fixed number of transactions per
 * terminal or for a time; what each transaction's outcome was, the latency of the committed ones,
 * and the driver's retry counters when the connections are the LSEM driver's.
 */
public final class TpccRun {
  /** The counts and latencies of a run. */
  public record Result(double seconds, long[] committed, long[] failed, long[] unknown, long[] latencyMicros,
      Map<String, Long> failures, long replays, long recovered) {
    public long committedTotal() {
      return Arrays.stream(committed).sum();
    }

    public long failedTotal() {
      return Arrays.stream(failed).sum();
    }

    public double tps() {
      return committedTotal() / seconds;
    }

    /** The latency percentile {@code p} (0–1) of committed transactions, in milliseconds. */
    public double latencyMillis(double p) {
      if (latencyMicros.length == 0) {
        return 0;
      }
      return latencyMicros[Math.min(latencyMicros.length - 1, (int) (latencyMicros.length * p))] / 1e3;
    }
  }

  static final int NEW_ORDER = 0;
  static final int PAYMENT = 1;
  static final int DELIVERY = 2;

  private TpccRun() {}

  /**
   * Runs the mix; {@code perTerminal > 0} makes each terminal run that many transactions, otherwise
   * it runs for {@code seconds}.
   */
  public static Result run(String url, Properties props, int warehouses, int threads, int perTerminal, int seconds,
      long seed) throws Exception {
    long[][] committed = new long[threads][3];
    long[][] failed = new long[threads][3];
    long[][] unknown = new long[threads][3];
    long[][] micros = new long[threads][];
    long[] replays = new long[threads];
    long[] recovered = new long[threads];
    List<Map<String, Long>> failures = new ArrayList<>();
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch start = new CountDownLatch(1);
    long[] deadline = new long[1];
    List<Thread> workers = new ArrayList<>();
    List<Throwable> crashed = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int t = 0; t < threads; t++) {
      int index = t;
      Map<String, Long> mine = new TreeMap<>();
      failures.add(mine);
      Thread w = new Thread(() -> {
        long[] lat = new long[1024];
        int n = 0;
        try (TpccTerminal terminal = new TpccTerminal(DriverManager.getConnection(url, props), warehouses,
            1 + index % warehouses, seed * 1_000 + index)) {
          java.util.SplittableRandom mix = new java.util.SplittableRandom(seed * 7_919 + index);
          ready.countDown();
          start.await();
          for (int i = 0; perTerminal > 0 ? i < perTerminal : System.nanoTime() - deadline[0] < 0; i++) {
            int pick = mix.nextInt(100);
            int type = pick < 45 ? NEW_ORDER : pick < 88 ? PAYMENT : DELIVERY;
            long began = System.nanoTime();
            TpccTerminal.Outcome outcome = type == NEW_ORDER ? terminal.newOrder()
                : type == PAYMENT ? terminal.payment() : terminal.delivery();
            switch (outcome) {
              case COMMITTED:
                committed[index][type]++;
                if (n == lat.length) {
                  lat = Arrays.copyOf(lat, n * 2);
                }
                lat[n++] = (System.nanoTime() - began) / 1_000;
                break;
              case UNKNOWN:
                unknown[index][type]++;
                break;
              default:
                failed[index][type]++;
                SQLException e = terminal.lastError();
                String key = e.getClass().getSimpleName() + " " + e.getSQLState();
                mine.merge(key, 1L, Long::sum);
            }
          }
          Connection c = terminal.connection();
          if (c.isWrapperFor(LsemConnection.class)) {
            replays[index] = c.unwrap(LsemConnection.class).retryStats().replays();
            recovered[index] = c.unwrap(LsemConnection.class).retryStats().recovered();
          }
        } catch (Throwable e) {
          crashed.add(e);
          ready.countDown();
        } finally {
          micros[index] = Arrays.copyOf(lat, n);
        }
      }, "tpcc-" + t);
      workers.add(w);
      w.start();
    }
    ready.await(60, TimeUnit.SECONDS);
    long began = System.nanoTime();
    deadline[0] = began + TimeUnit.SECONDS.toNanos(seconds);
    start.countDown();
    for (Thread w : workers) {
      w.join();
    }
    double elapsed = (System.nanoTime() - began) / 1e9;
    if (!crashed.isEmpty()) {
      throw new IllegalStateException("a terminal failed outside a transaction: " + crashed.get(0), crashed.get(0));
    }
    Map<String, Long> allFailures = new TreeMap<>();
    failures.forEach(m -> m.forEach((k, v) -> allFailures.merge(k, v, Long::sum)));
    long[] lat = Arrays.stream(micros).flatMapToLong(Arrays::stream).sorted().toArray();
    return new Result(elapsed, sum(committed), sum(failed), sum(unknown), lat, allFailures,
        Arrays.stream(replays).sum(), Arrays.stream(recovered).sum());
  }

  private static long[] sum(long[][] perThread) {
    long[] total = new long[3];
    for (long[] row : perThread) {
      for (int i = 0; i < 3; i++) {
        total[i] += row[i];
      }
    }
    return total;
  }
}
