package io.lsem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.TransactionStatus;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import jakarta.persistence.OptimisticLockException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.StaleObjectStateException;
import org.hibernate.Transaction;
import org.hibernate.cfg.Configuration;
import org.hibernate.dialect.PostgreSQLDialect;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hibernate ORM 6.6 with the standard {@link PostgreSQLDialect} over the LSEM driver, for every
 * way a subclass lets Hibernate obtain connections: CRUD with a sequence id and a version column,
 * JPQL, a rolled-back transaction, and an optimistic-lock conflict between two sessions. Each
 * scenario is also checked with plain pgjdbc, so it holds in the database, not only in
 * Hibernate's view.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HibernateScenarios {
  private SessionFactory sessions;
  private TestDatabase db;

  /** Adds to {@code config} how Hibernate gets connections; the dialect and mapping are set already. */
  abstract void configureConnections(Configuration config, TestDatabase db);

  /** Releases what {@link #configureConnections} created, after the session factory is closed. */
  void closeConnections() {
  }

  @BeforeAll
  void buildSessionFactory(TestDatabase db) {
    this.db = db;
    Configuration config = new Configuration()
        .addAnnotatedClass(Account.class)
        .setProperty("hibernate.dialect", PostgreSQLDialect.class.getName())
        .setProperty("hibernate.hbm2ddl.auto", "create-drop");
    configureConnections(config, db);
    sessions = config.buildSessionFactory();
  }

  @AfterAll
  void close() {
    try {
      if (sessions != null) {
        sessions.close();
      }
    } finally {
      closeConnections();
    }
  }

  @BeforeEach
  void emptyTable() {
    sessions.inTransaction(s -> s.createMutationQuery("delete from Account").executeUpdate());
  }

  @Test
  void hibernateConnectionsAreLsemConnections() {
    try (Session s = sessions.openSession()) {
      s.doWork(c -> {
        assertTrue(c.isWrapperFor(LsemConnection.class), "Hibernate's connection is not from the LSEM driver: " + c);
        assertEquals(TransactionStatus.State.IDLE, c.unwrap(LsemConnection.class).transactionStatus().state());
      });
    }
  }

  @Test
  void persistFindUpdateQueryDelete() throws SQLException {
    Account alice = new Account("alice", 100);
    sessions.inTransaction(s -> s.persist(alice));
    long id = alice.getId();
    assertEquals(sequenceLastValue(), id, "the id must come from account_seq");
    assertEquals(0, alice.getVersion());

    try (Session s = sessions.openSession()) {
      Account found = s.find(Account.class, id);
      assertNotNull(found);
      assertEquals("alice", found.getOwner());
      assertEquals(100, found.getBalance());
      assertEquals(0, found.getVersion());
    }

    sessions.inTransaction(s -> s.find(Account.class, id).setBalance(150));
    assertEquals(List.of(150L, 1L), balanceAndVersionInDatabase(id), "update with version increment");

    sessions.inTransaction(s -> s.persist(new Account("bob", 10)));
    List<Account> rich = sessions.fromSession(s -> s
        .createSelectionQuery("from Account a where a.balance > :min order by a.owner", Account.class)
        .setParameter("min", 50L)
        .getResultList());
    assertEquals(1, rich.size());
    assertEquals(id, rich.get(0).getId());
    assertEquals(150, rich.get(0).getBalance());
    assertEquals(1, rich.get(0).getVersion());

    sessions.inTransaction(s -> s.remove(s.find(Account.class, id)));
    assertNull(sessions.fromSession(s -> s.find(Account.class, id)));
    assertEquals(List.of(), balanceAndVersionInDatabase(id));
    assertEquals(1, countInDatabase(), "bob is still there");
  }

  @Test
  void rolledBackTransactionLeavesNothing() throws SQLException {
    try (Session s = sessions.openSession()) {
      Transaction tx = s.beginTransaction();
      s.persist(new Account("carol", 1));
      s.persist(new Account("dave", 2));
      s.flush(); // the INSERTs reach the server inside the transaction
      long inTransaction = s.doReturningWork(c -> {
        assertEquals(TransactionStatus.State.ACTIVE, c.unwrap(LsemConnection.class).transactionStatus().state());
        return count(c);
      });
      assertEquals(2, inTransaction);
      tx.rollback();
      s.doWork(c -> assertEquals(TransactionStatus.State.IDLE,
          c.unwrap(LsemConnection.class).transactionStatus().state()));
    }
    long counted = sessions.fromSession(s -> s.createSelectionQuery("select count(a) from Account a", Long.class)
        .getSingleResult());
    assertEquals(0, counted);
    assertEquals(0, countInDatabase());
  }

  @Test
  void concurrentUpdateFromTwoSessionsIsAnOptimisticLockFailure() throws SQLException {
    Account account = new Account("erin", 100);
    sessions.inTransaction(s -> s.persist(account));
    long id = account.getId();

    try (Session first = sessions.openSession(); Session second = sessions.openSession()) {
      Transaction firstTx = first.beginTransaction();
      Transaction secondTx = second.beginTransaction();
      Account seenByFirst = first.find(Account.class, id);
      Account seenBySecond = second.find(Account.class, id);
      assertEquals(0, seenByFirst.getVersion());
      assertEquals(0, seenBySecond.getVersion());

      seenByFirst.setBalance(110);
      firstTx.commit();

      seenBySecond.setBalance(90);
      RuntimeException failure = assertThrows(RuntimeException.class, secondTx::commit);
      assertInstanceOf(OptimisticLockException.class, failure);
      assertInstanceOf(StaleObjectStateException.class, failure.getCause());
      if (secondTx.isActive()) {
        secondTx.rollback();
      }
      second.doWork(c -> assertEquals(TransactionStatus.State.IDLE,
          c.unwrap(LsemConnection.class).transactionStatus().state()));
    }
    assertEquals(List.of(110L, 1L), balanceAndVersionInDatabase(id), "the first writer's update stands alone");
  }

  /**
   * Four threads move money between four hot accounts at SERIALIZABLE, each transfer also
   * opening an account (a sequence id). Serialization failures whose replay saw the same data are
   * absorbed by the driver; a conflict that changed what Hibernate had read ends as Hibernate's
   * optimistic or lock failure, or — when the driver finds it at COMMIT, which Hibernate wraps as a
   * {@code TransactionException} whatever the cause — with the typed {@code ReplayMismatchException}
   * as the cause. No raw serialization failure and nothing else reaches the application and no update is lost: each
   * committed transfer bumped both versions once.
   */
  @Test
  void contentionAtSerializableEndsInCommitsOrOptimisticAndLockFailures() throws Exception {
    List<Long> hot = new java.util.ArrayList<>();
    sessions.inTransaction(s -> {
      for (int i = 0; i < 4; i++) {
        Account a = new Account("hot" + i, 1_000);
        s.persist(a);
        hot.add(a.getId());
      }
    });
    java.util.concurrent.atomic.AtomicInteger committed = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger conflicts = new java.util.concurrent.atomic.AtomicInteger();
    List<Throwable> unexpected = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Thread> threads = new java.util.ArrayList<>();
    for (int t = 0; t < 4; t++) { // Hibernate's own pool has 4 connections and refuses a fifth borrower
      Thread thread = new Thread(() -> {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int i = 0; i < 50; i++) {
          int from = random.nextInt(4);
          int to = (from + 1 + random.nextInt(3)) % 4;
          try (Session s = sessions.openSession()) {
            Transaction tx = s.beginTransaction();
            try {
              s.createNativeMutationQuery("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE").executeUpdate();
              Account a = s.find(Account.class, hot.get(from));
              Account b = s.find(Account.class, hot.get(to));
              a.setBalance(a.getBalance() - 1);
              b.setBalance(b.getBalance() + 1);
              s.persist(new Account("opened", 0));
              tx.commit();
              committed.incrementAndGet();
            } catch (OptimisticLockException | jakarta.persistence.PessimisticLockException
                | org.hibernate.exception.LockAcquisitionException e) {
              conflicts.incrementAndGet();
              if (tx.isActive()) {
                tx.rollback();
              }
            } catch (org.hibernate.TransactionException e) {
              // Hibernate wraps whatever fails at commit; a conflict must show as the typed mismatch
              if (!(e.getCause() instanceof io.lsem.jdbc.error.ReplayMismatchException)) {
                throw e;
              }
              conflicts.incrementAndGet();
            }
          } catch (Throwable e) {
            unexpected.add(e);
          }
        }
      }, "hibernate-transfer-" + t);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    List<String> chains = new java.util.ArrayList<>();
    for (Throwable e : unexpected) {
      StringBuilder chain = new StringBuilder();
      for (Throwable x = e; x != null; x = x.getCause()) {
        chain.append(x).append(" <- ");
      }
      chains.add(chain.toString());
    }
    assertEquals(List.of(), chains, "only commits, optimistic and lock failures reach the application");
    assertEquals(200, committed.get() + conflicts.get());
    try (Connection c = db.plain(); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("select sum(balance), sum(version) from account where owner like 'hot%'")) {
        rs.next();
        assertEquals(4_000, rs.getLong(1), "money is neither made nor lost");
        assertEquals(2L * committed.get(), rs.getLong(2), "every committed transfer bumped two versions once");
      }
      try (ResultSet rs = st.executeQuery("select count(*) from account where owner = 'opened'")) {
        rs.next();
        assertEquals(committed.get(), rs.getInt(1), "one account opened per committed transfer");
      }
    }
    System.out.printf("hibernate contention: %d committed, %d optimistic/lock failures%n", committed.get(),
        conflicts.get());
  }

  private long sequenceLastValue() throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("select last_value from account_seq")) {
      assertTrue(rs.next());
      return rs.getLong(1);
    }
  }

  private List<Long> balanceAndVersionInDatabase(long id) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("select balance, version from account where id = " + id)) {
      return rs.next() ? List.of(rs.getLong(1), rs.getLong(2)) : List.of();
    }
  }

  private long countInDatabase() throws SQLException {
    try (Connection c = db.plain()) {
      return count(c);
    }
  }

  private static long count(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*) from account")) {
      assertTrue(rs.next());
      return rs.getLong(1);
    }
  }
}
