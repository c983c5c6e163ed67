package io.lsem.bench;

import io.lsem.jdbc.LsemConnection;
import io.lsem.testkit.PostgresServer;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * An end-to-end, TPC-B-like workload (pgbench's default scenario) that compares plain pgjdbc
 * ({@code jdbc:postgresql:}) with the LSEM driver ({@code jdbc:lsem:postgresql:}) in one run
 * against the same database: first an unmeasured warm-up of each, then measured rounds in which
 * both drivers run in turn, the order alternating from round to round so that drift and noise
 * affect both alike. Prints transactions per second per run, per driver overall, and the ratio
 * lsem/plain. The server is the test kit's: embedded PostgreSQL, or the one named by
 * {@code LSEM_TEST_PG_URL}. Options: see {@link TpcbOptions}.
 *
 * <p>With {@code --compare timestamps} (or {@code retry}, or {@code NAME=ON/OFF}) both sides are the
 * LSEM driver, one with the feature on ("on") and one with it off ("off"), and the ratio is on/off.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.lsem.bench.TpcbWorkload --threads 8 --seconds 10 --rounds 3
 * java -cp bench/target/benchmarks.jar io.lsem.bench.TpcbWorkload --compare timestamps
 * java -cp bench/target/benchmarks.jar io.lsem.bench.TpcbWorkload --compare retry</pre>
 */
public final class TpcbWorkload {
  /** Ratio lsem/plain the driver aims for. */
  static final double TARGET_RATIO = 0.98;
  /** Ratio with timestamps and the ledger on / off the driver aims for (issue 5). */
  static final double TIMESTAMPS_TARGET_RATIO = 0.95;
  /** Ratio with transparent retry on / off the driver aims for (issue 7). */
  static final double RETRY_TARGET_RATIO = 0.97;
  /** Issue 17: the breakdown exported to Micrometer against not measured at all. */
  static final double TELEMETRY_TARGET_RATIO = 0.97;

  private TpcbWorkload() {
  }

  public static void main(String[] args) throws Exception {
    TpcbOptions options;
    try {
      options = TpcbOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println("usage: TpcbWorkload " + TpcbOptions.usage());
      System.exit(64);
      return;
    }
    System.exit(run(options) ? 0 : 1);
  }

  /** Runs the whole comparison; returns false if the final consistency check failed. */
  static boolean run(TpcbOptions o) throws Exception {
    System.out.printf(Locale.ROOT, "TPC-B-like workload: threads=%d seconds=%d rounds=%d warmup=%ds scale=%d"
        + " (branches=%d tellers=%d accounts=%d), one connection per thread, autocommit off, no pool%n",
        o.threads(), o.seconds(), o.rounds(), o.warmupSeconds(), o.scale(), o.branches(), o.tellers(), o.accounts());
    if (o.scale() < o.threads()) {
      System.out.println("note: scale < threads: clients will often queue on the same branch row");
    }
    System.out.printf("JVM: %s %s, %d available processors%n", System.getProperty("java.vm.name"),
        Runtime.version(), Runtime.getRuntime().availableProcessors());

    // transactionTelemetry=micrometer records into the global registry: give it a real one to record in
    io.micrometer.core.instrument.Metrics.addRegistry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    PostgresServer server = PostgresServer.shared();
    TestDatabase db = server.createDatabase("tpcb");
    io.lsem.testkit.EtcdCluster etcd = o.etcd() ? io.lsem.testkit.EtcdCluster.start(3) : null;
    try {
      // --compare timestamps|retry|NAME=ON/OFF: the driver with a feature on ("on") against the same
      // driver with it off ("off"); otherwise the LSEM driver ("lsem") against plain pgjdbc ("plain").
      // -Dlsem.baseline=retry=false (older form) makes the baseline the driver with those properties.
      String common = join(o.with(), System.getProperty("lsem.properties", ""));
      if (etcd != null) { // the coordinator URL encoded: its commas must not split the property list
        common = join(common, "timestampOracle=etcd,coordinator="
            + java.net.URLEncoder.encode(etcd.coordinator("/tpcb"), java.nio.charset.StandardCharsets.UTF_8));
      }
      String legacyBaseline = System.getProperty("lsem.baseline", "");
      DriverTarget base;
      DriverTarget cand;
      if (o.compare() != null) {
        base = new DriverTarget("off", lsemUrl(db, join(common, o.compare().offProperty())), db.credentials());
        cand = new DriverTarget("on", lsemUrl(db, join(common, o.compare().onProperty())), db.credentials());
      } else if (!legacyBaseline.isBlank()) {
        base = new DriverTarget("plain", lsemUrl(db, join(common, legacyBaseline)), db.credentials());
        cand = new DriverTarget("lsem", lsemUrl(db, common), db.credentials());
      } else if (o.agent()) {
        // the plain URL, which the agent routes through LSEM with the same properties, against the swapped URL
        Properties routed = db.credentials();
        for (String pair : common.split("[,&]")) {
          int eq = pair.indexOf('=');
          if (eq > 0) {
            routed.setProperty(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1),
                java.nio.charset.StandardCharsets.UTF_8));
          }
        }
        base = new DriverTarget("swap", lsemUrl(db, common), db.credentials());
        cand = new DriverTarget("agent", db.plainUrl(), routed);
      } else {
        base = new DriverTarget("plain", db.plainUrl(), db.credentials());
        cand = new DriverTarget("lsem", lsemUrl(db, common), db.credentials());
      }
      DriverTarget plain = base;
      DriverTarget lsem = cand;
      TpcbSchema schema = new TpcbSchema(new DriverTarget("admin", db.plainUrl(), db.credentials()), o);
      System.out.println("server: " + schema.describeServer() + (server.isEmbedded() ? ", embedded" : ", existing")
          + ", database " + db.name());
      if (o.agent()) {
        try (Connection routed = lsem.connect()) {
          if (!routed.isWrapperFor(LsemConnection.class)) {
            throw new IllegalStateException("--agent: the plain URL was not routed through LSEM JDBC; start this JVM with"
                + " -javaagent:agent/target/lsem-jdbc-agent.jar");
          }
        }
        System.out.println("baseline \"swap\": the swapped URL; measured \"agent\": the plain URL routed by -javaagent");
      } else if (o.compare() == null && legacyBaseline.isBlank()) {
        checkDrivers(plain, lsem);
      } else {
        System.out.println("baseline \"" + base.label() + "\": the LSEM driver " + query(base)
            + "; measured \"" + cand.label() + "\": the LSEM driver " + query(cand));
      }

      long t0 = System.nanoTime();
      schema.create();
      System.out.printf(Locale.ROOT, "loaded in %.1f s%n", (System.nanoTime() - t0) / 1e9);

      List<RunResult> all = new ArrayList<>();
      if (o.warmupSeconds() > 0) {
        for (DriverTarget t : List.of(plain, lsem)) {
          schema.beforeRun();
          RunResult r = runSide(t, t == lsem && o.compare() != null && o.compare().isJfr(), o,
              o.warmupSeconds(), "warm-up " + t.label());
          print("warm-up", r);
          all.add(r);
        }
      }
      List<RunResult> measured = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      for (int round = 1; round <= o.rounds(); round++) {
        List<DriverTarget> order = round % 2 == 1 ? List.of(plain, lsem) : List.of(lsem, plain);
        RunResult[] byLabel = new RunResult[2];
        for (DriverTarget t : order) {
          schema.beforeRun();
          RunResult r = runSide(t, t == lsem && o.compare() != null && o.compare().isJfr(), o, o.seconds(),
              "round " + round + " " + t.label());
          print("round " + round, r);
          byLabel[t == plain ? 0 : 1] = r;
          measured.add(r);
          all.add(r);
        }
        double ratio = byLabel[1].tps() / byLabel[0].tps();
        ratios.add(ratio);
        System.out.printf(Locale.ROOT, "round %d ratio %s/%s: %.3f%n", round, lsem.label(), plain.label(), ratio);
      }
      double target = o.compare() == null ? TARGET_RATIO
          : o.compare().property().equals("timestamps") ? TIMESTAMPS_TARGET_RATIO
          : o.compare().property().equals("retry") ? RETRY_TARGET_RATIO
          : o.compare().property().equals("transactionTelemetry") ? TELEMETRY_TARGET_RATIO : TARGET_RATIO;
      summarize(measured, ratios, plain.label(), lsem.label(), target);
      if (o.offered() > 0) {
        double capacity = measured.stream().filter(r -> r.label().equals(plain.label())).mapToDouble(RunResult::tps)
            .average().orElse(0);
        double rate = o.offered() * capacity;
        RunResult[] fixed = new RunResult[2];
        for (DriverTarget t : List.of(plain, lsem)) {
          schema.beforeRun();
          RunResult r = TpcbRun.run(t, o, o.seconds(), "offered " + t.label(), rate);
          fixed[t == plain ? 0 : 1] = r;
          all.add(r);
          System.out.printf(Locale.ROOT, "offered %.0f tps (%.0f%% of %s's %.0f): %-5s %.0f tps, p50 %.2f ms, p99 %.2f ms%n",
              rate, 100 * o.offered(), plain.label(), capacity, t.label(), r.tps(), r.latencyMillisAt(0.5),
              r.latencyMillisAt(0.99));
        }
        System.out.printf(Locale.ROOT, "offered load latency ratio %s/%s: p50 %.3f, p99 %.3f%n", lsem.label(),
            plain.label(), fixed[1].latencyMillisAt(0.5) / fixed[0].latencyMillisAt(0.5),
            fixed[1].latencyMillisAt(0.99) / fixed[0].latencyMillisAt(0.99));
      }
      long committed = all.stream().mapToLong(RunResult::committed).sum();
      long unknown = all.stream().mapToLong(RunResult::unknownOutcomes).sum();
      if (o.compare() != null && o.compare().property().equals("timestamps")) {
        long onCommits = all.stream().filter(r -> r.label().equals(lsem.label())).mapToLong(RunResult::committed).sum();
        System.out.println("ledger: " + schema.ledgerRows() + " rows in lsem.commit_log; " + onCommits
            + " commits acknowledged with timestamps on (each writes one row)");
      }
      return schema.verify(committed, unknown);
    } finally {
      if (etcd != null) {
        etcd.close();
      }
      if (o.keep()) {
        System.out.println("kept database " + db.name());
      } else {
        try {
          db.drop();
        } catch (RuntimeException e) {
          System.out.println("! could not drop database " + db.name() + ": " + ErrorLog.describe(e));
        }
      }
    }
  }

  /** One measured side of a round; inside a flight recording of the transaction event if {@code recorded}. */
  private static RunResult runSide(DriverTarget t, boolean recorded, TpcbOptions o, int seconds, String phase)
      throws Exception {
    if (!recorded) {
      return TpcbRun.run(t, o, seconds, phase);
    }
    try (jdk.jfr.Recording recording = new jdk.jfr.Recording()) {
      recording.enable("io.lsem.jdbc.Transaction");
      recording.setToDisk(false);
      recording.start();
      return TpcbRun.run(t, o, seconds, phase);
    }
  }

  /** Makes sure the comparison compares what it claims: pgjdbc alone versus the LSEM wrapper. */
  private static void checkDrivers(DriverTarget plain, DriverTarget lsem) throws SQLException {
    try (Connection p = plain.connect(); Connection l = lsem.connect()) {
      if (p.isWrapperFor(LsemConnection.class) || !l.isWrapperFor(LsemConnection.class)) {
        throw new IllegalStateException("expected plain pgjdbc and an LSEM connection, got "
            + p.getClass().getName() + " and " + l.getClass().getName());
      }
      System.out.println("drivers: plain=" + p.getClass().getName() + ", lsem=" + l.getClass().getName()
          + " over " + l.unwrap(org.postgresql.jdbc.PgConnection.class).getClass().getName());
    }
  }

  private static void print(String phase, RunResult r) {
    System.out.printf(Locale.ROOT, "%-8s %-5s %9.1f tps  (%d txns in %d s, mean latency %.2f ms,"
        + " %d errors)%n         client per txn: CPU %.1f us of which user %.1f; syscalls %s%n", phase, r.label(),
        r.tps(), r.counted(), r.seconds(), r.meanLatencyMillis(), r.errors(), r.cpuMicrosPerTxn(),
        r.userMicrosPerTxn(), r.syscallsPerTxn());
  }

  private static void summarize(List<RunResult> measured, List<Double> roundRatios, String baseLabel,
      String label, double target) {
    double plain = overallTps(measured, baseLabel);
    double lsem = overallTps(measured, label);
    double[] plainCpu = cpuPerTxn(measured, baseLabel);
    double[] lsemCpu = cpuPerTxn(measured, label);
    long plainErrors = measured.stream().filter(r -> r.label().equals(baseLabel)).mapToLong(RunResult::errors).sum();
    long lsemErrors = measured.stream().filter(r -> r.label().equals(label)).mapToLong(RunResult::errors).sum();
    double ratio = lsem / plain;
    System.out.printf(Locale.ROOT, "overall  %-5s %9.1f tps  (client CPU %.1f us/txn, user %.1f; %d errors)%n",
        baseLabel, plain, plainCpu[0], plainCpu[1], plainErrors);
    System.out.printf(Locale.ROOT, "overall  %-5s %9.1f tps  (client CPU %.1f us/txn, user %.1f; %d errors)%n",
        label, lsem, lsemCpu[0], lsemCpu[1], lsemErrors);
    System.out.printf(Locale.ROOT, "client CPU added by %s: %+.1f us/txn (%+.1f%%), user %+.1f us/txn%n", label,
        lsemCpu[0] - plainCpu[0], 100 * (lsemCpu[0] / plainCpu[0] - 1), lsemCpu[1] - plainCpu[1]);
    System.out.printf(Locale.ROOT, "ratio %s/%s: %.3f (target >= %.2f: %s)%n", label, baseLabel, ratio, target,
        ratio >= target ? "met" : "NOT met");
    List<Double> sorted = new ArrayList<>(roundRatios);
    sorted.sort(null);
    int n = sorted.size();
    double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    System.out.printf(Locale.ROOT, "per-round ratios: min %.3f, median %.3f, max %.3f%n",
        sorted.get(0), median, sorted.get(n - 1));
  }

  /** {@code a,b} joined as one property list ({@code ,} or {@code &} separated), ignoring blanks. */
  private static String join(String a, String b) {
    return a.isBlank() ? b : b.isBlank() ? a : a + "," + b;
  }

  /** The LSEM URL of {@code db} with {@code props} ({@code a=1,b=2}) as its query. */
  private static String lsemUrl(TestDatabase db, String props) {
    return db.lsemUrl() + (props.isBlank() ? "" : "?" + props.replace(',', '&'));
  }

  private static String query(DriverTarget t) {
    int q = t.url().indexOf('?');
    return q < 0 ? "(defaults)" : "with " + t.url().substring(q + 1);
  }

  /** Client CPU (user + system, user) in microseconds per acknowledged commit over {@code label}'s runs. */
  private static double[] cpuPerTxn(List<RunResult> runs, String label) {
    long cpu = 0;
    long user = 0;
    long commits = 0;
    for (RunResult r : runs) {
      if (r.label().equals(label)) {
        cpu += r.cpuNanos();
        user += r.userNanos();
        commits += r.committed();
      }
    }
    return commits == 0 ? new double[] {0, 0} : new double[] {cpu / 1e3 / commits, user / 1e3 / commits};
  }

  private static double overallTps(List<RunResult> runs, String label) {
    long txns = 0;
    long seconds = 0;
    for (RunResult r : runs) {
      if (r.label().equals(label)) {
        txns += r.counted();
        seconds += r.seconds();
      }
    }
    return seconds == 0 ? 0 : txns / (double) seconds;
  }
}
