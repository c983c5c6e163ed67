package io.lsem.jdbc.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.error.SerializationFailureException;
import io.lsem.jdbc.pool.LsemDataSource;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12, item 5: session state that a replay cannot reproduce makes the transaction not
 * replayable as soon as the driver sees it; a later 40001 ({@code fail_once()} raises it on its first
 * call only) reaches the application typed instead of replaying. Transaction-scoped state
 * ({@code pg_advisory_xact_lock}, {@code nextval}, {@code NOTIFY}) is replayed as before.
 */
@ExtendWith(PostgresExtension.class)
class SessionStateTest {

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("CREATE SEQUENCE fail_seq");
      s.execute("CREATE SEQUENCE app_seq");
      s.execute("CREATE TABLE runs(note text)");
      s.execute("CREATE FUNCTION fail_once() RETURNS int LANGUAGE plpgsql AS $$ BEGIN"
          + " IF nextval('fail_seq') = 1 THEN RAISE EXCEPTION 'injected conflict' USING ERRCODE = '40001'; END IF;"
          + " RETURN 1; END $$");
    }
  }

  @BeforeEach
  void reset(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("SELECT setval('fail_seq', 1, false)");
      s.execute("TRUNCATE runs");
    }
  }

  /** Advisory locks on key {@code key} held by any session, seen from another session. */
  private static int advisoryLocks(TestDatabase db, int key) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = " + key + " AND granted")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static boolean bool(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /** The reproduction: lock, 40001, unlock; no lock is left (a replay would have taken it twice). */
  @Test
  void anAdvisoryLockIsNotTakenTwice(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.executeQuery("SELECT pg_advisory_lock(77)").close();
      SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT fail_once()"));
      assertInstanceOf(SerializationFailureException.class, e, e.toString());
      c.rollback();
      assertTrue(bool(s, "SELECT pg_advisory_unlock(77)"), "the lock was held");
      c.commit();
      assertEquals(0, advisoryLocks(db, 77), "held once, released once");
    }
  }

  @Test
  void aPooledConnectionGivesBackNoAdvisoryLock(TestDatabase db) throws SQLException {
    try (LsemDataSource ds = new LsemDataSource(db.lsemUrl())) {
      ds.setUser(db.user());
      ds.setPassword(db.password());
      ds.setProperty("poolMaxSize", "1");
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        c.setAutoCommit(false);
        s.executeQuery("SELECT pg_advisory_lock(78)").close();
        assertThrows(SerializationFailureException.class, () -> s.executeQuery("SELECT fail_once()"));
        c.rollback();
        s.executeQuery("SELECT pg_advisory_unlock(78)").close();
        c.commit();
      }
      assertEquals(0, advisoryLocks(db, 78), "nothing held after the give-back");
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        assertTrue(bool(s, "SELECT pg_try_advisory_lock(78)"), "the next borrower gets the lock");
        s.executeQuery("SELECT pg_advisory_unlock(78)").close();
      }
    }
  }

  @Test
  void anAutocommitCallWithAnAdvisoryLockIsNotRunAgain(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(); Statement s = c.createStatement()) {
      assertThrows(SerializationFailureException.class,
          () -> s.executeQuery("SELECT pg_advisory_lock(79), fail_once()"));
      // a session-level lock survives the abort of the transaction that took it: held once, not twice
      assertEquals(1, advisoryLocks(db, 79), "the lock is held");
      assertTrue(bool(s, "SELECT pg_advisory_unlock(79)"));
      assertEquals(0, advisoryLocks(db, 79), "held once, released once");
    }
  }

  /** One test per family: each of these, then a 40001, ends typed; nothing was replayed. */
  @ParameterizedTest
  @ValueSource(strings = {"SELECT setval('app_seq', 100)", "PREPARE p_state AS SELECT 1",
      "SET application_name = 'inside'", "SELECT set_config('work_mem', '8MB', false)",
      "SELECT pg_advisory_unlock_all()", "SET ROLE NONE", "SET SESSION AUTHORIZATION DEFAULT",
      "SELECT pg_cancel_backend(0)"})
  void stateARollbackDoesNotUndoIsNotReplayed(String sql, TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("INSERT INTO runs VALUES ('before')");
      s.execute(sql);
      SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT fail_once()"));
      assertInstanceOf(SerializationFailureException.class, e, sql + ": " + e);
      c.rollback();
    }
  }

  /** The texts of a {@code Statement} batch are scanned too. */
  @Test
  void aBatchEntryThatPreparesIsNotReplayed(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.addBatch("INSERT INTO runs VALUES ('batch')");
      s.addBatch("PREPARE p_batch AS SELECT 1");
      s.executeBatch();
      SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT fail_once()"));
      assertInstanceOf(SerializationFailureException.class, e, e.toString());
      c.rollback();
    }
  }

  /** Transaction-scoped state: rolled back with the transaction, so the replay reproduces it exactly. */
  @ParameterizedTest
  @ValueSource(strings = {"SELECT pg_advisory_xact_lock(80)", "SELECT nextval('app_seq')",
      "SELECT pg_notify('ch', 'x')", "SET LOCAL work_mem = '8MB'", "CREATE TEMP TABLE tx_temp(a int) ON COMMIT DROP",
      "LISTEN ch"})
  void transactionScopedStateIsReplayed(String sql, TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("INSERT INTO runs VALUES ('once')");
      s.execute(sql);
      s.executeQuery("SELECT fail_once()").close();
      c.commit();
    }
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM runs")) {
      rs.next();
      assertEquals(1, rs.getInt(1), "replayed: the row once");
    }
  }

  /** A NOTIFY is sent at COMMIT only: after a replay the listener gets it exactly once. */
  @Test
  void aNotificationIsDeliveredOnceAfterAReplay(TestDatabase db) throws SQLException {
    try (Connection listener = db.plain(); Statement ls = listener.createStatement()) {
      ls.execute("LISTEN replayed");
      try (Connection c = db.lsem(); Statement s = c.createStatement()) {
        c.setAutoCommit(false);
        s.executeQuery("SELECT pg_notify('replayed', 'n1')").close();
        s.executeQuery("SELECT fail_once()").close();
        c.commit();
        assertEquals(1, c.unwrap(io.lsem.jdbc.LsemConnection.class).retryStats().replays(), "it was replayed");
      }
      ls.executeQuery("SELECT 1").close(); // notifications arrive with the next reply
      org.postgresql.PGNotification[] got = listener.unwrap(org.postgresql.PGConnection.class).getNotifications();
      assertEquals(1, got == null ? 0 : got.length, "exactly one notification");
    }
  }
}
