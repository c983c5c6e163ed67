package io.lsem.jdbc.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.RetryStats;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Plain JDBC code with no retry logic of its own, under real contention: money transfers at
 * SERIALIZABLE over four hot accounts from 16 threads, and transactions locking rows in opposite
 * orders at READ COMMITTED. No exception may reach the application, retries must actually have
 * happened, and every transfer (a client-generated id in a log) must be applied exactly once.
 */
@ExtendWith(PostgresExtension.class)
class RetryUnderContentionTest {
  private static final int ACCOUNTS = 4;
  private static final long INITIAL = 1_000_000;

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("ALTER DATABASE " + db.name() + " SET deadlock_timeout = '20ms'");
      s.execute("CREATE TABLE account(id int PRIMARY KEY, balance bigint NOT NULL)");
      s.execute("CREATE TABLE transfer(id uuid PRIMARY KEY, src int, dst int, amount bigint)");
      s.execute("CREATE TABLE counter(id int PRIMARY KEY, n bigint NOT NULL)");
      s.execute("INSERT INTO account SELECT g, " + INITIAL + " FROM generate_series(1, " + ACCOUNTS + ") g");
      s.execute("INSERT INTO counter VALUES (1, 0), (2, 0)");
    }
  }

  /** What an application would write: one transfer, no retry loop. */
  private static void transfer(Connection c, UUID id, int src, int dst, long amount) throws SQLException {
    try (PreparedStatement debit = c.prepareStatement(
             "UPDATE account SET balance = balance - ? WHERE id = ? AND balance >= ?");
         PreparedStatement credit = c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?");
         PreparedStatement log = c.prepareStatement("INSERT INTO transfer VALUES (?, ?, ?, ?)")) {
      debit.setLong(1, amount);
      debit.setInt(2, src);
      debit.setLong(3, amount);
      if (debit.executeUpdate() != 1) {
        throw new IllegalStateException("insufficient funds cannot happen here");
      }
      credit.setLong(1, amount);
      credit.setInt(2, dst);
      credit.executeUpdate();
      log.setObject(1, id);
      log.setInt(2, src);
      log.setInt(3, dst);
      log.setLong(4, amount);
      log.executeUpdate();
    }
    c.commit();
  }

  @Test
  void moneyTransfersAtSerializableNeverFailAndApplyExactlyOnce(TestDatabase db) throws Exception {
    int threads = 16;
    int perThread = 40;
    List<Throwable> seenByApplication = new CopyOnWriteArrayList<>();
    Set<UUID> committed = ConcurrentHashMap.newKeySet();
    AtomicLong replays = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w = new Thread(() -> {
        try (Connection c = db.lsem()) {
          c.setAutoCommit(false);
          c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
          ThreadLocalRandom random = ThreadLocalRandom.current();
          for (int i = 0; i < perThread; i++) {
            int src = 1 + random.nextInt(ACCOUNTS);
            int dst = 1 + (src + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
            UUID id = UUID.randomUUID();
            transfer(c, id, src, dst, 1 + random.nextInt(100));
            committed.add(id);
          }
          replays.addAndGet(c.unwrap(LsemConnection.class).retryStats().replays());
        } catch (Throwable e) {
          seenByApplication.add(e);
        }
      });
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join();
    }
    assertEquals(List.of(), seenByApplication, "no exception reaches the application");
    assertTrue(replays.get() > 0, "conflicts happened and were retried");
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT sum(balance), (SELECT count(*) FROM transfer) FROM account")) {
        rs.next();
        assertEquals(ACCOUNTS * INITIAL, rs.getLong(1), "the total is unchanged");
        assertEquals(threads * perThread, rs.getInt(2));
      }
      Set<UUID> logged = ConcurrentHashMap.newKeySet();
      try (ResultSet rs = s.executeQuery("SELECT id FROM transfer")) {
        while (rs.next()) {
          logged.add((UUID) rs.getObject(1));
        }
      }
      assertEquals(committed, logged, "every committed transfer is logged exactly once, nothing else");
      try (ResultSet rs = s.executeQuery("SELECT a.id, a.balance, " + INITIAL
          + " - coalesce((SELECT sum(amount) FROM transfer WHERE src = a.id), 0)"
          + " + coalesce((SELECT sum(amount) FROM transfer WHERE dst = a.id), 0) FROM account a")) {
        while (rs.next()) {
          assertEquals(rs.getLong(3), rs.getLong(2), "account " + rs.getInt(1) + " holds exactly its logged transfers");
        }
      }
    }
  }

  @Test
  void opposingLockOrdersAtReadCommittedAllFinish(TestDatabase db) throws Exception {
    int threads = 8;
    int perThread = 30;
    List<Throwable> seenByApplication = new CopyOnWriteArrayList<>();
    List<RetryStats> stats = new CopyOnWriteArrayList<>();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int first = t % 2 == 0 ? 1 : 2;
      int second = 3 - first;
      Thread w = new Thread(() -> {
        try (Connection c = db.lsem();
             PreparedStatement bump = c.prepareStatement("UPDATE counter SET n = n + 1 WHERE id = ?")) {
          c.setAutoCommit(false);
          for (int i = 0; i < perThread; i++) {
            bump.setInt(1, first);
            bump.executeUpdate();
            bump.setInt(1, second);
            bump.executeUpdate();
            c.commit();
          }
          stats.add(c.unwrap(LsemConnection.class).retryStats());
        } catch (Throwable e) {
          seenByApplication.add(e);
        }
      });
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join();
    }
    assertEquals(List.of(), seenByApplication, "every transaction finished");
    assertTrue(stats.stream().mapToLong(RetryStats::recovered).sum() > 0, "deadlocks happened and were retried");
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT n FROM counter ORDER BY id")) {
      for (int id = 1; id <= 2; id++) {
        rs.next();
        assertEquals(threads * perThread, rs.getLong(1), "counter " + id + " was bumped exactly once per transaction");
      }
    }
  }
}
