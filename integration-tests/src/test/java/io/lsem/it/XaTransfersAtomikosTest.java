package io.lsem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.atomikos.icatch.jta.UserTransactionManager;
import com.atomikos.jdbc.AtomikosDataSourceBean;
import io.lsem.jdbc.LsemXADataSource;
import io.lsem.jdbc.cli.Lsem;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.PostgresServer;
import io.lsem.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transfers between two PostgreSQL servers under Atomikos, as applications use it: an
 * {@code AtomikosDataSourceBean} around each {@link LsemXADataSource}, connections taken inside a
 * JTA transaction (Atomikos enlists them), 4 threads, no retry code. Money unchanged, every
 * committed transfer on both sides once, nothing prepared, {@code lsem verify} across both clean.
 */
@ExtendWith(PostgresExtension.class)
class XaTransfersAtomikosTest {

  @Test
  void transfersUnderAtomikos(TestDatabase here, @TempDir Path logs) throws Exception {
    System.setProperty("com.atomikos.icatch.log_base_dir", logs.toString());
    System.setProperty("com.atomikos.icatch.registered", "true");
    PostgresServer otherServer = PostgresServer.startPrivate();
    UserTransactionManager tm = new UserTransactionManager();
    List<AtomikosDataSourceBean> beans = new ArrayList<>();
    try {
      TestDatabase there = otherServer.createDatabase("xa_atomikos");
      for (TestDatabase d : List.of(here, there)) {
        try (Connection c = d.plain(); Statement s = c.createStatement()) {
          s.execute("CREATE TABLE account(id int PRIMARY KEY, balance bigint NOT NULL)");
          s.execute("CREATE TABLE transfer(id text PRIMARY KEY, account int NOT NULL, delta bigint NOT NULL)");
          s.execute("INSERT INTO account SELECT g, 100 FROM generate_series(1, 10) g");
        }
      }
      tm.init();
      AtomikosDataSourceBean a = bean(here, "lsem-a");
      AtomikosDataSourceBean b = bean(there, "lsem-b");
      beans.add(a);
      beans.add(b);
      AtomicLong committed = new AtomicLong();
      AtomicLong rolledBack = new AtomicLong();
      List<Throwable> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        threads.add(new Thread(() -> {
          for (int i = 0; i < 30; i++) {
            String id = thread + "-" + i;
            try {
              tm.begin();
              ThreadLocalRandom random = ThreadLocalRandom.current();
              apply(a, id, 1 + random.nextInt(10), -3);
              apply(b, id, 1 + random.nextInt(10), 3);
              tm.commit();
              committed.incrementAndGet();
            } catch (jakarta.transaction.RollbackException e) {
              rolledBack.incrementAndGet();
            } catch (Exception e) {
              unexpected.add(e);
              try {
                tm.rollback();
              } catch (Exception ignored) {
                // already ended
              }
            }
          }
        }, "atomikos-" + t));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      assertTrue(unexpected.isEmpty(), "unexpected failures: " + unexpected);
      assertTrue(committed.get() > 0);
      assertEquals(2000, sum(here) + sum(there), "money appeared or vanished");
      assertEquals(ids(here), ids(there), "every committed transfer on both sides");
      assertEquals(committed.get(), ids(here).size());
      for (TestDatabase d : List.of(here, there)) {
        assertEquals(0, count(d, "SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()"));
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int exit = Lsem.run(new String[] {"verify", "--url", here.plainUrl(), "--url", there.plainUrl(),
          "--user", here.user()}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
      assertEquals(0, exit, out.toString(StandardCharsets.UTF_8));
      System.out.println("Atomikos transfers: " + committed.get() + " committed, " + rolledBack.get() + " rolled back");
    } finally {
      beans.forEach(AtomikosDataSourceBean::close);
      tm.close();
      otherServer.stop();
    }
  }

  /**
   * Spring's JTA setup, as Spring Boot's Atomikos or Narayana starters build it: a
   * {@code JtaTransactionManager} over the transaction manager and a {@code JdbcTemplate} per
   * database. A transaction template commits both databases' work or neither, and a duplicate key
   * in the second database rolls the first back, reaching the application as Spring's
   * {@code DuplicateKeyException}.
   */
  @Test
  void springJtaTransactionManager(TestDatabase here, @TempDir Path logs) throws Exception {
    System.setProperty("com.atomikos.icatch.log_base_dir", logs.toString());
    PostgresServer otherServer = PostgresServer.startPrivate();
    UserTransactionManager tm = new UserTransactionManager();
    List<AtomikosDataSourceBean> beans = new ArrayList<>();
    try {
      TestDatabase there = otherServer.createDatabase("xa_spring");
      for (TestDatabase d : List.of(here, there)) {
        try (Connection c = d.plain(); Statement s = c.createStatement()) {
          s.execute("CREATE TABLE IF NOT EXISTS note(id int PRIMARY KEY)");
        }
      }
      tm.init();
      AtomikosDataSourceBean a = bean(here, "spring-a");
      AtomikosDataSourceBean b = bean(there, "spring-b");
      beans.add(a);
      beans.add(b);
      org.springframework.transaction.jta.JtaTransactionManager jta =
          new org.springframework.transaction.jta.JtaTransactionManager(new com.atomikos.icatch.jta.UserTransactionImp(), tm);
      org.springframework.transaction.support.TransactionTemplate tx =
          new org.springframework.transaction.support.TransactionTemplate(jta);
      org.springframework.jdbc.core.JdbcTemplate ja = new org.springframework.jdbc.core.JdbcTemplate(a);
      org.springframework.jdbc.core.JdbcTemplate jb = new org.springframework.jdbc.core.JdbcTemplate(b);
      tx.executeWithoutResult(status -> {
        ja.update("INSERT INTO note VALUES (1)");
        jb.update("INSERT INTO note VALUES (1)");
      });
      org.junit.jupiter.api.Assertions.assertThrows(org.springframework.dao.DuplicateKeyException.class,
          () -> tx.executeWithoutResult(status -> {
            ja.update("INSERT INTO note VALUES (2)");
            jb.update("INSERT INTO note VALUES (1)"); // already there
          }));
      assertEquals(List.of("1"), Query.column(here, "SELECT id FROM note ORDER BY id"), "the first database's insert was rolled back with the second's");
      assertEquals(List.of("1"), Query.column(there, "SELECT id FROM note ORDER BY id"));
      for (TestDatabase d : List.of(here, there)) {
        assertEquals(0, count(d, "SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()"));
      }
    } finally {
      beans.forEach(AtomikosDataSourceBean::close);
      tm.close();
      otherServer.stop();
    }
  }

  private static AtomikosDataSourceBean bean(TestDatabase d, String name) throws SQLException {
    LsemXADataSource xa = new LsemXADataSource();
    xa.setUrl(d.lsemUrl());
    xa.setUser(d.user());
    xa.setPassword(d.password());
    xa.setProperty("timestamps", "on");
    AtomikosDataSourceBean bean = new AtomikosDataSourceBean();
    bean.setUniqueResourceName(name + "-" + System.nanoTime());
    bean.setXaDataSource(xa);
    bean.setMaxPoolSize(8);
    return bean;
  }

  private static void apply(AtomikosDataSourceBean ds, String id, int account, long delta) throws SQLException {
    try (Connection c = ds.getConnection();
         PreparedStatement update = c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?");
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
