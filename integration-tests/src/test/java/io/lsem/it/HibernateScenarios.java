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
