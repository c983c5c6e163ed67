package io.lsem.jdbc.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lsem.testkit.ReplicationCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.core.BaseConnection;

/**
 * A primary and a synchronous standby (real PostgreSQL 15 servers on 127.0.0.1), the money
 * transfer workload running through the driver with a multi-host URL (half the workers on their
 * own connection, half borrowing from HikariCP for every transfer), and mid-run a
 * {@code kill -9} of the primary and {@code pg_ctl promote} of the standby. No exception reaches
 * the application; every transfer the application saw committed is on the new primary exactly
 * once, none is duplicated, and the total is unchanged. The time from the kill to the first
 * successful transaction on the new primary, and from the end of the promotion, is printed (the figure in the
 * README); it is not asserted, being a measurement.
 */
class PrimaryFailoverTest {
  private static final int ACCOUNTS = 20;
  private static final long OPENING_BALANCE = 1_000;
  private static final int WORKERS = 4;

  private static ReplicationCluster cluster;

  @BeforeAll
  static void start() throws SQLException {
    cluster = ReplicationCluster.start(ReplicationCluster.Options.defaults().standbys(1).synchronous());
    try (Connection c = cluster.primary().connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE account(id int PRIMARY KEY, balance bigint NOT NULL)");
      s.execute("CREATE TABLE transfer(id uuid NOT NULL, from_id int, to_id int, amount bigint)"); // no key: duplicates would show
      s.execute("INSERT INTO account SELECT g, " + OPENING_BALANCE + " FROM generate_series(1, " + ACCOUNTS + ") g");
    }
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Connection lsem() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("failoverTimeout", "30s");
    p.setProperty("retryBackoffBase", "1ms");
    p.setProperty("connectTimeout", "2");
    return DriverManager.getConnection(cluster.multiHostUrl("lsem:", "postgres"), p);
  }

  @Test
  void killingThePrimaryMidRunReachesNoApplication() throws Exception {
    Set<UUID> committed = ConcurrentHashMap.newKeySet();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    AtomicLong firstCommitAfterKill = new AtomicLong(Long.MAX_VALUE);
    AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
    CountDownLatch warmedUp = new CountDownLatch(100);
    CountDownLatch afterFailover = new CountDownLatch(100);
    CountDownLatch stop = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    int newPrimaryPort = cluster.standbys().get(0).port();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(cluster.multiHostUrl("lsem:", "postgres"));
    config.setUsername("postgres");
    config.setAutoCommit(false);
    config.setMaximumPoolSize(4);
    config.addDataSourceProperty("connectTimeout", "2");
    config.addDataSourceProperty("retryBackoffBase", "1ms");
    HikariDataSource pool = new HikariDataSource(config);
    for (int w = 0; w < WORKERS; w++) {
      boolean pooled = w % 2 == 1; // half the workers borrow from HikariCP for every transfer
      Thread t = new Thread(() -> {
        try (Connection own = lsem()) {
          own.setAutoCommit(false);
          while (stop.getCount() > 0) {
            long started = System.nanoTime();
            UUID id;
            int port;
            if (pooled) {
              try (Connection c = pool.getConnection()) {
                id = transfer(c);
                port = servedBy(c);
              }
            } else {
              id = transfer(own);
              port = servedBy(own);
            }
            long now = System.nanoTime();
            committed.add(id);
            warmedUp.countDown();
            if (started > killedAt.get() && port == newPrimaryPort) { // went through the failover
              firstCommitAfterKill.accumulateAndGet(now, Math::min);
              afterFailover.countDown();
            }
          }
        } catch (Throwable e) {
          errors.add(e);
          warmedUp.countDown();
          afterFailover.countDown();
        }
      }, "transfer-" + w);
      t.start();
      workers.add(t);
    }
    try {
      assertTrue(warmedUp.await(60, TimeUnit.SECONDS), "the workload runs");
      ReplicationCluster.Node standby = cluster.standbys().get(0);
      killedAt.set(System.nanoTime());
      cluster.killPrimary();
      Duration promotion = cluster.promote(standby);
      long promotedAt = System.nanoTime();
      assertTrue(afterFailover.await(60, TimeUnit.SECONDS), "the workload goes on after the failover");
      System.out.printf("failover: promotion took %d ms; first commit through the driver %d ms after the kill,"
          + " %d ms after the promotion completed%n", promotion.toMillis(),
          TimeUnit.NANOSECONDS.toMillis(firstCommitAfterKill.get() - killedAt.get()),
          TimeUnit.NANOSECONDS.toMillis(firstCommitAfterKill.get() - promotedAt));
    } finally {
      stop.countDown();
      for (Thread t : workers) {
        t.join(TimeUnit.SECONDS.toMillis(60));
      }
      pool.close();
    }
    assertEquals(List.of(), errors, "no exception reached the application");

    try (Connection c = cluster.primary().connect(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT sum(balance) FROM account")) {
        rs.next();
        assertEquals(ACCOUNTS * OPENING_BALANCE, rs.getLong(1), "money is neither made nor lost");
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM (SELECT id FROM transfer GROUP BY id HAVING count(*) > 1) d")) {
        rs.next();
        assertEquals(0, rs.getInt(1), "no transfer is applied twice");
      }
      Set<UUID> stored = ConcurrentHashMap.newKeySet();
      try (ResultSet rs = s.executeQuery("SELECT id FROM transfer")) {
        while (rs.next()) {
          stored.add((UUID) rs.getObject(1));
        }
      }
      assertEquals(committed, stored, "exactly the transfers the application saw committed are stored");
    }
  }

  /** The port of the server the driver's connection uses now. */
  private static int servedBy(Connection c) throws SQLException {
    return c.unwrap(BaseConnection.class).getQueryExecutor().getHostSpec().getPort();
  }

  /** One transfer in one transaction; returns its id once COMMIT returned. */
  private static UUID transfer(Connection c) throws SQLException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int from = 1 + random.nextInt(ACCOUNTS);
    int to = 1 + (from + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
    long amount = 1 + random.nextInt(50);
    UUID id = UUID.randomUUID();
    try (PreparedStatement debit = c.prepareStatement("UPDATE account SET balance = balance - ? WHERE id = ?");
         PreparedStatement credit = c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?");
         PreparedStatement record = c.prepareStatement("INSERT INTO transfer VALUES (?, ?, ?, ?)")) {
      debit.setLong(1, amount);
      debit.setInt(2, from);
      assertEquals(1, debit.executeUpdate());
      credit.setLong(1, amount);
      credit.setInt(2, to);
      assertEquals(1, credit.executeUpdate());
      record.setObject(1, id);
      record.setInt(2, from);
      record.setInt(3, to);
      record.setLong(4, amount);
      record.executeUpdate();
    }
    c.commit();
    return id;
  }
}
