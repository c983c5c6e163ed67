package io.lsem.bench.tpcc;

import io.lsem.testkit.PostgresServer;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * The TPC-C-like workload (issue 12), plain pgjdbc against the LSEM driver on the embedded server,
 * sides alternating by round, fresh data for each run, the consistency conditions checked after
 * every run. No application retry loop on either side: plain pgjdbc gives up on every conflict,
 * the driver retries what it can prove safe.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.lsem.bench.tpcc.TpccWorkload [--warehouses 2] [--threads 8]
 *     [--seconds 20] [--rounds 2] [--with NAME=V,...]</pre>
 *
 * Exit status 1 when any run leaves the database inconsistent.
 */
public final class TpccWorkload {
  private TpccWorkload() {}

  public static void main(String[] args) throws Exception {
    int warehouses = 2;
    int threads = 8;
    int seconds = 20;
    int rounds = 2;
    String with = "";
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--warehouses": warehouses = Integer.parseInt(value); i++; break;
        case "--threads": threads = Integer.parseInt(value); i++; break;
        case "--seconds": seconds = Integer.parseInt(value); i++; break;
        case "--rounds": rounds = Integer.parseInt(value); i++; break;
        case "--with": with = value; i++; break;
        default: throw new IllegalArgumentException("unknown option '" + args[i] + "'; expected [--warehouses N]"
            + " [--threads N] [--seconds N] [--rounds N] [--with NAME=V,...]");
      }
    }
    TestDatabase db = PostgresServer.shared().createDatabase("tpcc");
    boolean consistent = true;
    try {
      System.out.printf(Locale.ROOT, "TPC-C-like mix (45%% New-Order, 43%% Payment, 12%% Delivery), SERIALIZABLE,"
          + " %d warehouses, %d terminals, %d s per run, %d rounds; no application retry loop%n", warehouses, threads,
          seconds, rounds);
      for (int round = 1; round <= rounds; round++) {
        for (boolean lsem : round % 2 == 1 ? new boolean[] {false, true} : new boolean[] {true, false}) {
          try (Connection admin = db.plain()) {
            TpccSchema.create(admin, warehouses);
          }
          Properties p = db.credentials();
          if (lsem && !with.isEmpty()) {
            for (String kv : with.split(",")) {
              String[] parts = kv.split("=", 2);
              p.setProperty(parts[0], parts[1]);
            }
          }
          TpccRun.Result r = TpccRun.run(lsem ? db.lsemUrl() : db.plainUrl(), p, warehouses, threads, 0, seconds,
              round);
          List<String> violations;
          try (Connection admin = db.plain()) {
            violations = TpccConsistency.check(admin, r.committed()[TpccRun.NEW_ORDER], r.unknown()[TpccRun.NEW_ORDER],
                r.committed()[TpccRun.PAYMENT], r.unknown()[TpccRun.PAYMENT]);
          }
          consistent &= violations.isEmpty();
          System.out.printf(Locale.ROOT, "round %d %-6s %7.1f tps committed (new-order %d, payment %d, delivery %d),"
              + " gave up %d (%s), unknown %d; latency p50 %.1f p99 %.1f p99.9 %.1f max %.1f ms; replays %d;"
              + " consistency %s%n", round, lsem ? "lsem" : "plain", r.tps(), r.committed()[0], r.committed()[1],
              r.committed()[2], r.failedTotal(), r.failures(), Arrays.stream(r.unknown()).sum(),
              r.latencyMillis(0.5), r.latencyMillis(0.99), r.latencyMillis(0.999), r.latencyMillis(1.0), r.replays(),
              violations.isEmpty() ? "OK" : "VIOLATED " + violations);
        }
      }
    } finally {
      db.drop();
    }
    System.exit(consistent ? 0 : 1);
  }
}
