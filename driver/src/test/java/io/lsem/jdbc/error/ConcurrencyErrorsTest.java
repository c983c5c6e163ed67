package io.lsem.jdbc.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

/**
 * Errors that need two sessions or time: real write skew at SERIALIZABLE, a real deadlock, lock
 * and statement timeouts, the JDBC query timeout, {@code Statement.cancel()} and a terminated
 * backend. Waits are on server conditions (a session seen waiting for a lock or running a
 * query), never sleeps.
 */
@ExtendWith(PostgresExtension.class)
class ConcurrencyErrorsTest {

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE doctor(id int PRIMARY KEY, on_call boolean)");
      s.execute("INSERT INTO doctor VALUES (1, true), (2, true)");
      s.execute("CREATE TABLE account(id int PRIMARY KEY, balance int)");
      s.execute("INSERT INTO account VALUES (1, 100), (2, 100)");
    }
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** A connection without transparent retry: these tests observe the errors themselves. */
  static Connection noRetry(TestDatabase db) throws SQLException {
    java.util.Properties p = new java.util.Properties();
    p.setProperty("retry", "false");
    return db.lsem(p);
  }

  private static int pid(Connection c) throws SQLException {
    return c.unwrap(PGConnection.class).getBackendPID();
  }

  @Test
  void writeSkewAtSerializableIsASerializationFailure(TestDatabase db) throws SQLException {
    try (Connection a = noRetry(db); Connection b = noRetry(db)) {
      for (Connection c : new Connection[] {a, b}) {
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
        exec(c, "SELECT count(*) FROM doctor WHERE on_call");
      }
      exec(a, "UPDATE doctor SET on_call = false WHERE id = 1");
      exec(b, "UPDATE doctor SET on_call = false WHERE id = 2");
      a.commit();
      SerializationFailureException e = assertThrows(SerializationFailureException.class, b::commit);
      assertEquals("40001", e.getSQLState());
      assertInstanceOf(SQLTransactionRollbackException.class, e);
      assertTrue(e.isRetryable());
      b.rollback();
      a.setAutoCommit(true);
      exec(a, "UPDATE doctor SET on_call = true");
    }
  }

  @Test
  void opposingLockOrdersEndInADeadlock(TestDatabase db) throws Exception {
    try (Connection a = noRetry(db); Connection b = noRetry(db)) {
      for (Connection c : new Connection[] {a, b}) {
        c.setAutoCommit(false);
        exec(c, "SET LOCAL deadlock_timeout = '100ms'");
      }
      exec(a, "UPDATE account SET balance = balance - 1 WHERE id = 1");
      exec(b, "UPDATE account SET balance = balance - 1 WHERE id = 2");
      CompletableFuture<Void> aWaits = CompletableFuture.runAsync(() -> {
        try {
          exec(a, "UPDATE account SET balance = balance + 1 WHERE id = 2");
        } catch (SQLException e) {
          throw new RuntimeException(e);
        }
      });
      db.awaitSession(pid(a), "wait_event_type = 'Lock'");
      SQLException onB = null;
      try {
        exec(b, "UPDATE account SET balance = balance + 1 WHERE id = 1");
      } catch (SQLException e) {
        onB = e;
      }
      SQLException onA = null;
      try {
        aWaits.get(20, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        onA = (SQLException) e.getCause().getCause();
      }
      SQLException victim = onA != null ? onA : onB;
      assertTrue(onA == null ^ onB == null, "exactly one transaction is the victim");
      assertInstanceOf(DeadlockDetectedException.class, victim);
      assertEquals("40P01", victim.getSQLState());
      assertTrue(((PostgresError) victim).isRetryable());
      a.rollback();
      b.rollback();
    }
  }

  @Test
  void lockTimeoutAndNowaitAreLockNotAvailable(TestDatabase db) throws SQLException {
    try (Connection holder = db.lsem(); Connection waiter = db.lsem()) {
      holder.setAutoCommit(false);
      exec(holder, "SELECT * FROM account WHERE id = 1 FOR UPDATE");
      waiter.setAutoCommit(false);
      LockNotAvailableException nowait = assertThrows(LockNotAvailableException.class,
          () -> exec(waiter, "SELECT * FROM account WHERE id = 1 FOR UPDATE NOWAIT"));
      assertEquals("55P03", nowait.getSQLState());
      waiter.rollback();
      exec(waiter, "SET LOCAL lock_timeout = '50ms'");
      LockNotAvailableException timeout = assertThrows(LockNotAvailableException.class,
          () -> exec(waiter, "UPDATE account SET balance = 0 WHERE id = 1"));
      assertInstanceOf(SQLTransientException.class, timeout);
      assertFalse(SQLTimeoutException.class.isInstance(timeout));
      assertTrue(timeout.isRetryable());
      waiter.rollback();
      holder.rollback();
    }
  }

  @Test
  void statementTimeoutIsATimeoutButNotAnSqlTimeoutException(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem()) {
      c.setAutoCommit(false);
      exec(c, "SET LOCAL statement_timeout = '50ms'");
      StatementTimeoutException e = assertThrows(StatementTimeoutException.class, () -> exec(c, "SELECT pg_sleep(5)"));
      assertEquals("57014", e.getSQLState());
      assertEquals(QueryCanceledException.Reason.STATEMENT_TIMEOUT, e.reason());
      assertTrue(e.isTimeout());
      assertFalse(SQLTimeoutException.class.isInstance(e), "pools must not discard the healthy connection");
      c.rollback();
      exec(c, "SELECT 1");
    }
  }

  @Test
  void jdbcQueryTimeoutIsReportedAsSuch(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(); Statement s = c.createStatement()) {
      s.setQueryTimeout(1);
      StatementTimeoutException e = assertThrows(StatementTimeoutException.class, () -> s.execute("SELECT pg_sleep(10)"));
      assertEquals(QueryCanceledException.Reason.QUERY_TIMEOUT, e.reason());
      s.setQueryTimeout(0);
      s.execute("SELECT 1");
    }
  }

  @Test
  void cancelFromAnotherThreadIsACancelRequest(TestDatabase db) throws Exception {
    try (Connection c = db.lsem(); Statement s = c.createStatement()) {
      CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
        try {
          s.execute("SELECT pg_sleep(30)");
        } catch (SQLException e) {
          throw new RuntimeException(e);
        }
      });
      db.awaitSession(pid(c), "state = 'active' AND query LIKE 'SELECT pg_sleep%'");
      s.cancel();
      ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(20, TimeUnit.SECONDS));
      QueryCanceledException canceled = assertInstanceOf(QueryCanceledException.class, e.getCause().getCause());
      assertEquals(QueryCanceledException.class, canceled.getClass());
      assertEquals(QueryCanceledException.Reason.CANCEL_REQUEST, canceled.reason());
      assertFalse(canceled.isTimeout());
      s.execute("SELECT 1");
    }
  }

  @Test
  void terminatedBackendIsAConnectionFailure(TestDatabase db) throws Exception {
    Properties noFailover = new Properties();
    noFailover.setProperty("failover", "false"); // with failover the read would simply run again
    try (Connection c = db.lsem(noFailover); Statement s = c.createStatement()) {
      int pid = pid(c);
      CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
        try {
          s.execute("SELECT pg_sleep(30)");
        } catch (SQLException e) {
          throw new RuntimeException(e);
        }
      });
      db.awaitSession(pid, "state = 'active' AND query LIKE 'SELECT pg_sleep%'");
      try (Connection admin = db.plain(); Statement a = admin.createStatement()) {
        a.execute("SELECT pg_terminate_backend(" + pid + ")");
      }
      ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(20, TimeUnit.SECONDS));
      SQLException failure = (SQLException) e.getCause().getCause();
      assertInstanceOf(SQLTransientConnectionException.class, failure);
      assertInstanceOf(PostgresError.class, failure);
      assertTrue(failure.getSQLState().equals("57P01") || failure.getSQLState().startsWith("08"), failure.getSQLState());
      assertTrue(((PostgresError) failure).isRetryable());
    }
  }
}
