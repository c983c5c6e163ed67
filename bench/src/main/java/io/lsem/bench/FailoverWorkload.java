package io.lsem.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.core.BaseConnection;

/**
 * Money transfers through the driver against a cluster someone else runs (Patroni, say), with a
 * fault injected by a shell command mid-run: then it checks that no exception reached the
 * application, that every transfer the application saw committed is stored exactly once, and
 * that the total is unchanged, and prints the time from the fault to the first commit on another
 * server. Exit status 0 when all holds. Used by {@code bench/patroni/failover.sh}.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.lsem.bench.FailoverWorkload URL USER SECONDS FAULT_AFTER_SECONDS 'shell command'</pre>
 */
public final class FailoverWorkload {
  private static final int ACCOUNTS = 20;
  private static final int THREADS = 4;

  private FailoverWorkload() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    Properties p = new Properties();
    p.setProperty("user", args[1]);
    p.setProperty("connectTimeout", "2");
    p.setProperty("failoverTimeout", "60s");
    int seconds = Integer.parseInt(args[2]);
    int faultAfter = Integer.parseInt(args[3]);
    String fault = args[4];
    try (Connection c = DriverManager.getConnection(url, p); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS fw_account, fw_transfer");
      s.execute("CREATE TABLE fw_account(id int PRIMARY KEY, balance bigint NOT NULL)");
      s.execute("CREATE TABLE fw_transfer(id uuid NOT NULL, amount int)");
      s.execute("INSERT INTO fw_account SELECT g, 1000 FROM generate_series(1, " + ACCOUNTS + ") g");
    }
    Set<UUID> committed = ConcurrentHashMap.newKeySet();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    AtomicLong faultAt = new AtomicLong(Long.MAX_VALUE);
    AtomicLong firstAfter = new AtomicLong(Long.MAX_VALUE);
    int[] portBefore = {0};
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Thread w = new Thread(() -> {
        try (Connection c = DriverManager.getConnection(url, p)) {
          c.setAutoCommit(false);
          while (System.nanoTime() < deadline) {
            long started = System.nanoTime();
            committed.add(transfer(c));
            int port = c.unwrap(BaseConnection.class).getQueryExecutor().getHostSpec().getPort();
            if (started > faultAt.get() && port != portBefore[0]) {
              firstAfter.accumulateAndGet(System.nanoTime(), Math::min);
            }
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      });
      workers.add(w);
      w.start();
    }
    TimeUnit.SECONDS.sleep(faultAfter); // the workload's warm-up before the fault, not a synchronization
    try (Connection c = DriverManager.getConnection(url, p)) {
      portBefore[0] = c.unwrap(BaseConnection.class).getQueryExecutor().getHostSpec().getPort();
    }
    faultAt.set(System.nanoTime());
    Process fault0 = new ProcessBuilder("sh", "-c", fault).inheritIO().start();
    fault0.waitFor();
    for (Thread w : workers) {
      w.join();
    }
    boolean ok = errors.isEmpty();
    System.out.println("transfers committed: " + committed.size() + "; exceptions reaching the application: "
        + errors.size() + (errors.isEmpty() ? "" : " " + errors));
    try (Connection c = DriverManager.getConnection(url, p); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT sum(balance) FROM fw_account")) {
        rs.next();
        boolean total = rs.getLong(1) == 1000L * ACCOUNTS;
        System.out.println("total unchanged: " + total);
        ok &= total;
      }
      Set<UUID> stored = ConcurrentHashMap.newKeySet();
      long rows = 0;
      try (ResultSet rs = s.executeQuery("SELECT id FROM fw_transfer")) {
        while (rs.next()) {
          stored.add((UUID) rs.getObject(1));
          rows++;
        }
      }
      boolean exact = stored.equals(committed) && rows == stored.size();
      System.out.println("every committed transfer stored exactly once, nothing else: " + exact + " (" + rows + " rows)");
      ok &= exact;
    }
    if (firstAfter.get() != Long.MAX_VALUE) {
      System.out.println("first commit on another server " + TimeUnit.NANOSECONDS.toMillis(firstAfter.get() - faultAt.get())
          + " ms after the fault began");
    }
    System.exit(ok ? 0 : 1);
  }

  private static UUID transfer(Connection c) throws SQLException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int from = 1 + random.nextInt(ACCOUNTS);
    int to = 1 + (from + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
    int amount = 1 + random.nextInt(50);
    UUID id = UUID.randomUUID();
    try (PreparedStatement move = c.prepareStatement("UPDATE fw_account SET balance = balance + ? WHERE id = ?");
         PreparedStatement log = c.prepareStatement("INSERT INTO fw_transfer VALUES (?, ?)")) {
      move.setInt(1, -amount);
      move.setInt(2, from);
      move.executeUpdate();
      move.setInt(1, amount);
      move.setInt(2, to);
      move.executeUpdate();
      log.setObject(1, id);
      log.setInt(2, amount);
      log.executeUpdate();
    }
    c.commit();
    return id;
  }
}
