package io.lsem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import io.lsem.jdbc.LsemXADataSource;
import io.lsem.jdbc.cli.Lsem;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.PostgresServer;
import io.lsem.testkit.TestDatabase;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Transfers between two PostgreSQL servers under Narayana, the JBoss transaction manager, through
 * {@link LsemXADataSource}, as an application runs them: 8 threads, SERIALIZABLE, no retry code.
 * Conflicts inside a branch are replayed by the driver; a conflict found at PREPARE rolls the
 * global transaction back. Afterwards the money across both servers is unchanged, every committed
 * transfer is applied once on each side, nothing is left prepared, and {@code lsem verify} over
 * both databases finds every global transaction's branches with one logical id and one commit
 * timestamp.
 */
@ExtendWith(PostgresExtension.class)
class XaTransfersNarayanaTest {
  private static final int ACCOUNTS = 10;
  private static final long BALANCE = 1_000;
  private static final int THREADS = 8;
  private static final int TRANSFERS = 40;
  private static PostgresServer otherServer;
  private static TestDatabase here;
  private static TestDatabase there;
  private static TransactionManager tm;

  @BeforeAll
  static void setUp(TestDatabase db) throws Exception {
    Path store = Files.createTempDirectory("lsem-narayana-");
    for (String name : new String[] {null, "communicationStore", "stateStore"}) {
      BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, name).setObjectStoreDir(store.toString());
    }
    tm = com.arjuna.ats.jta.TransactionManager.transactionManager();
    otherServer = PostgresServer.startPrivate();
    here = db;
    there = otherServer.createDatabase("xa_there");
    for (TestDatabase d : List.of(here, there)) {
      try (Connection c = d.plain(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE account(id int PRIMARY KEY, balance bigint NOT NULL)");
        s.execute("CREATE TABLE transfer(id text PRIMARY KEY, account int NOT NULL, delta bigint NOT NULL)");
        s.execute("INSERT INTO account SELECT g, " + BALANCE + " FROM generate_series(1, " + ACCOUNTS + ") g");
      }
    }
  }

  @AfterAll
  static void tearDown() {
    if (otherServer != null) {
      otherServer.stop();
    }
  }

  private static io.lsem.jdbc.xa.LsemXAConnection open(TestDatabase db) throws SQLException {
    LsemXADataSource ds = new LsemXADataSource();
    ds.setUrl(db.lsemUrl());
    ds.setUser(db.user());
    ds.setPassword(db.password());
    ds.setProperty("timestamps", "on");
    return (io.lsem.jdbc.xa.LsemXAConnection) ds.getXAConnection();
  }

  private static void apply(XAConnection xa, String id, int account, long delta) throws SQLException {
    try (Connection c = xa.getConnection()) {
      c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
      try (PreparedStatement update = c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?");
           PreparedStatement log = c.prepareStatement("INSERT INTO transfer VALUES (?, ?, ?)")) {
        update.setLong(1, delta);
        update.setInt(2, account);
        update.executeUpdate();
        log.setString(1, id);
        log.setInt(2, account);
        log.setLong(3, delta);
        log.executeUpdate();
      }
    }
  }

  @Test
  void transfersAcrossTwoServersAreAllOrNothing() throws Exception {
    AtomicLong committed = new AtomicLong();
    AtomicLong rolledBack = new AtomicLong();
    List<Throwable> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      threads.add(new Thread(() -> {
        try (io.lsem.jdbc.xa.LsemXAConnection a = open(here); io.lsem.jdbc.xa.LsemXAConnection b = open(there)) {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          for (int i = 0; i < TRANSFERS; i++) {
            String id = thread + "-" + i;
            long amount = 1 + random.nextInt(20);
            tm.begin();
            Transaction tx = tm.getTransaction();
            try {
              XAResource ra = a.getXAResource();
              XAResource rb = b.getXAResource();
              tx.enlistResource(ra);
              tx.enlistResource(rb);
              apply(a, id, 1 + random.nextInt(ACCOUNTS), -amount);
              apply(b, id, 1 + random.nextInt(ACCOUNTS), amount);
              tx.delistResource(ra, XAResource.TMSUCCESS);
              tx.delistResource(rb, XAResource.TMSUCCESS);
              tm.commit();
              committed.incrementAndGet();
            } catch (RollbackException e) {
              rolledBack.incrementAndGet(); // a conflict at PREPARE: the global transaction rolled back
            } catch (Exception e) {
              unexpected.add(e);
              if (tm.getTransaction() != null) {
                tm.rollback();
              }
            }
          }
        } catch (Exception e) {
          unexpected.add(e);
        }
      }, "xa-transfer-" + t));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    assertTrue(unexpected.isEmpty(), "unexpected failures: " + unexpected);
    assertEquals(THREADS * TRANSFERS, committed.get() + rolledBack.get());
    assertTrue(committed.get() > 0);

    assertEquals(2 * ACCOUNTS * BALANCE, sum(here) + sum(there), "money appeared or vanished");
    assertEquals(ids(here), ids(there), "every committed transfer is applied once on each side");
    assertEquals(committed.get(), ids(here).size());
    for (TestDatabase d : List.of(here, there)) {
      assertEquals(0, count(d, "SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()"));
      assertEquals(committed.get(), count(d, "SELECT count(*) FROM lsem.commit_log WHERE xa_gtrid IS NOT NULL"),
          "one ledger row per committed branch");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = Lsem.run(new String[] {"verify", "--url", here.plainUrl(), "--url", there.plainUrl(),
        "--user", here.user()}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    String report = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, exit, report);
    assertTrue(report.contains("ok        every global transaction"), report);
    System.out.println("XA transfers: " + committed.get() + " committed, " + rolledBack.get()
        + " rolled back at PREPARE\n" + report);
  }

  private static List<String> ids(TestDatabase db) throws SQLException {
    return Query.column(db, "SELECT id FROM transfer ORDER BY id");
  }

  private static long count(TestDatabase db, String sql) throws SQLException {
    return Query.number(db, sql);
  }

  private static long sum(TestDatabase db) throws SQLException {
    return count(db, "SELECT sum(balance) FROM account");
  }

}
