package io.lsem.bench;

import io.lsem.jdbc.clock.HybridLogicalClock;
import io.lsem.jdbc.clock.TimestampOracle;
import io.lsem.jdbc.value.CoordinatorAddress;
import io.lsem.jdbc.clock.etcd.EtcdTimestampOracle;
import io.lsem.testkit.EtcdCluster;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a timestamp costs from the etcd oracle (issue 15) against the in-JVM clock: timestamps per
 * second and the latency of one {@code next()} with 1, 16 and 256 threads, on a real etcd cluster of 1
 * and of 3 members on 127.0.0.1.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.lsem.bench.EtcdOracleWorkload [seconds per case, default 3]</pre>
 */
public final class EtcdOracleWorkload {
  private EtcdOracleWorkload() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    report("in-JVM hybrid logical clock", new HybridLogicalClock(500), seconds);
    for (int members : new int[] {1, 3}) {
      try (EtcdCluster etcd = EtcdCluster.start(members)) {
        TimestampOracle oracle = new EtcdTimestampOracle(CoordinatorAddress.parse(etcd.coordinator("/bench")),
            Duration.ofSeconds(5), 500);
        report("etcd, " + members + " member" + (members > 1 ? "s" : ""), oracle, seconds);
      }
    }
  }

  private static void report(String label, TimestampOracle oracle, int seconds) throws InterruptedException {
    for (int threads : new int[] {1, 16, 256}) {
      AtomicLong count = new AtomicLong();
      long[][] samples = new long[threads][];
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      Thread[] workers = new Thread[threads];
      for (int t = 0; t < threads; t++) {
        int index = t;
        workers[t] = new Thread(() -> {
          long[] lat = new long[1 << 16];
          int n = 0;
          while (System.nanoTime() < end) {
            long s = System.nanoTime();
            oracle.next();
            if (n < lat.length) {
              lat[n++] = System.nanoTime() - s;
            }
            count.incrementAndGet();
          }
          samples[index] = Arrays.copyOf(lat, n);
        });
        workers[t].start();
      }
      for (Thread w : workers) {
        w.join();
      }
      long[] all = Arrays.stream(samples).flatMapToLong(Arrays::stream).sorted().toArray();
      System.out.printf(Locale.ROOT, "%-30s %d thread(s): %,12.0f timestamps/s; latency p50 %.3f ms, p99 %.3f ms%n",
          label, threads, count.get() / (double) seconds, all[all.length / 2] / 1e6,
          all[(int) (all.length * 0.99)] / 1e6);
    }
  }
}
