package io.lsem.jdbc.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.RetryStats;
import io.lsem.jdbc.error.DeadlockDetectedException;
import io.lsem.jdbc.error.SerializationFailureException;
import io.lsem.jdbc.ledger.Ledger;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 12, item 2: a call whose own SQL ended a transaction (COMMIT, COMMIT AND CHAIN, ROLLBACK,
 * a procedure that commits) and then failed with a serialization failure or a deadlock is never
 * made again — its committed part would be applied twice. The application gets the server's error,
 * typed; exactly one row of each reproduction is in the table. {@code fail_once()} raises the error
 * on its first call only (a sequence counts, which no rollback undoes), as a real conflict would.
 * A failure before the boundary is still replayed (the control case).
 */
@ExtendWith(PostgresExtension.class)
class BoundaryInsideCallTest {

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute(Ledger.script()); // installed explicitly: timestamps=on below must not install it
      s.execute("CREATE TABLE dup(id serial PRIMARY KEY, note text NOT NULL)");
      s.execute("CREATE SEQUENCE fail_seq");
      s.execute("CREATE TABLE fail_code(code text NOT NULL)");
      s.execute("CREATE FUNCTION fail_once() RETURNS int LANGUAGE plpgsql AS $$ BEGIN"
          + " IF nextval('fail_seq') = 1 THEN RAISE EXCEPTION 'injected conflict'"
          + " USING ERRCODE = (SELECT code FROM fail_code); END IF; RETURN 1; END $$");
      s.execute("CREATE TABLE acct(id int PRIMARY KEY, v int NOT NULL)");
      s.execute("INSERT INTO acct VALUES (1, 0)");
      s.execute("CREATE PROCEDURE p_commit(n text) LANGUAGE plpgsql AS $$ BEGIN"
          + " INSERT INTO dup(note) VALUES (n); COMMIT; PERFORM fail_once(); END $$");
    }
  }

  @BeforeEach
  void reset(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE dup, fail_code");
      s.execute("UPDATE acct SET v = 0");
      s.execute("INSERT INTO fail_code VALUES ('40001')");
      s.execute("SELECT setval('fail_seq', 1, false)");
    }
  }

  /** The reproductions of the issue, each ended through {@code commit()} or through SQL text. */
  @ParameterizedTest(name = "{0} {1} mode={2} timestamps={3} end={4}")
  @CsvSource({
      "d1, off, extended, on, api", "d1, off, extended, off, sql", "d1, off, simple, on, sql",
      "d1, off, simple, off, api",
      "d2, on, extended, on, api", "d2, on, extended, off, sql", "d2, on, simple, on, sql", "d2, on, simple, off, api",
      "d3, on, extended, on, api", "d3, on, extended, off, sql", "d3, on, simple, on, sql", "d3, on, simple, off, api",
      "d5, off, extended, on, api", "d5, off, extended, off, sql", "d5, off, simple, on, sql",
      "d5, off, simple, off, api",
      "d7, on, extended, on, api", "d7, on, extended, off, sql", "d7, on, simple, on, sql", "d7, on, simple, off, api",
      "d8, off, extended, on, api", "d8, off, simple, off, sql"})
  void committedPartIsNeverRunAgain(String note, String autoCommit, String mode, String timestamps, String end,
      TestDatabase db) throws SQLException {
    try (Connection c = lsem(db, mode, timestamps)) {
      c.setAutoCommit(autoCommit.equals("on"));
      String sql = reproduction(note);
      SQLException e = assertThrows(SQLException.class, () -> {
        try (Statement s = c.createStatement()) {
          s.execute(sql);
        }
      });
      assertInstanceOf(SerializationFailureException.class, e, e.toString());
      end(c, end);
      RetryStats stats = c.unwrap(LsemConnection.class).retryStats();
      assertEquals(0, stats.recovered(), "no recovery is reported");
    }
    assertEquals(1, rows(db, note), "exactly one row of " + note);
  }

  /** A deadlock (40P01) takes the same path. */
  @ParameterizedTest(name = "mode={0}")
  @CsvSource({"extended", "simple"})
  void deadlockAfterTheBoundaryIsNotRunAgain(String mode, TestDatabase db) throws SQLException {
    try (Connection setup = db.plain(); Statement s = setup.createStatement()) {
      s.execute("UPDATE fail_code SET code = '40P01'");
    }
    try (Connection c = lsem(db, mode, "on"); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      SQLException e = assertThrows(SQLException.class, () -> s.execute(reproduction("d1")));
      assertInstanceOf(DeadlockDetectedException.class, e, e.toString());
      c.commit();
    }
    assertEquals(1, rows(db, "d1"));
  }

  /**
   * A real conflict, not an injected one: after the call's COMMIT AND CHAIN, the chained
   * REPEATABLE READ transaction takes its snapshot, then waits on a row another session updates
   * and commits — 40001 "could not serialize access due to concurrent update". The committed
   * INSERT stays there once.
   */
  @ParameterizedTest(name = "mode={0} timestamps={1}")
  @CsvSource({"extended, on", "simple, off"})
  void realConflictAfterTheBoundaryIsNotRunAgain(String mode, String timestamps, TestDatabase db) throws Exception {
    try (Connection other = db.plain(); Statement o = other.createStatement();
         Connection c = lsem(db, mode, timestamps); Statement s = c.createStatement()) {
      other.setAutoCommit(false);
      o.executeUpdate("UPDATE acct SET v = v + 1 WHERE id = 1"); // holds the row lock
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      int pid = c.unwrap(org.postgresql.PGConnection.class).getBackendPID();
      java.util.concurrent.CompletableFuture<SQLException> call = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> {
            try {
              s.execute("INSERT INTO dup(note) VALUES ('r1'); COMMIT AND CHAIN;"
                  + " SELECT count(*) FROM acct; UPDATE acct SET v = v + 10 WHERE id = 1");
              return null;
            } catch (SQLException e) {
              return e;
            }
          });
      db.awaitSession(pid, "wait_event_type = 'Lock'");
      other.commit();
      SQLException e = call.get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertInstanceOf(SerializationFailureException.class, e, String.valueOf(e));
      c.rollback();
      assertEquals(0, c.unwrap(LsemConnection.class).retryStats().recovered());
    }
    assertEquals(1, rows(db, "r1"), "the INSERT committed inside the call, once");
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT v FROM acct WHERE id = 1")) {
      rs.next();
      assertEquals(1, rs.getInt(1), "only the other session's update");
    }
  }

  /**
   * The connection is lost after the call's COMMIT ran (the backend terminates itself right after
   * it): the call is not made again on the new connection — not even when the ledger says the
   * transaction committed — and the application gets 08007; the connection works again.
   */
  @ParameterizedTest(name = "autocommit={0} mode={1} timestamps={2}")
  @CsvSource({"off, extended, on", "off, simple, off", "on, extended, off", "on, simple, on"})
  void connectionLostAfterTheBoundaryIsNotRunAgain(String autoCommit, String mode, String timestamps, TestDatabase db)
      throws SQLException {
    String sql = (autoCommit.equals("on") ? "BEGIN; " : "")
        + "INSERT INTO dup(note) VALUES ('L1'); COMMIT; SELECT pg_terminate_backend(pg_backend_pid())";
    Properties p = new Properties();
    p.setProperty("failoverTimeout", "10s");
    try (Connection c = lsem(db, mode, timestamps, p); Statement s = c.createStatement()) {
      c.setAutoCommit(autoCommit.equals("on"));
      SQLException e = assertThrows(SQLException.class, () -> s.execute(sql));
      assertInstanceOf(io.lsem.jdbc.error.TransactionOutcomeUnknownException.class, e, e.toString());
      assertEquals("08007", e.getSQLState(), e.toString());
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM dup WHERE note = 'L1'")) {
        rs.next();
        assertEquals(1, rs.getInt(1), "the connection works again and sees the row once");
      }
    }
    assertEquals(1, rows(db, "L1"));
  }

  /**
   * The connection is lost at the first statement of a call whose later statements would end the
   * transaction (found by BoundaryPropertyTest: the tracker took pgjdbc's state of the dead
   * connection for the server's, ended the recorded transaction, and the call was made again
   * without the recorded INSERT, then again after every loss, for ever). The call reaches the
   * application typed after one loss; the recorded INSERT is neither committed nor replayed alone.
   */
  @ParameterizedTest(name = "mode={0} end={1}")
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // the defect looped for ever
  @CsvSource({"simple, ROLLBACK AND CHAIN", "simple, COMMIT", "extended, ROLLBACK AND CHAIN", "extended, COMMIT"})
  void connectionLostBeforeTheBoundaryEndsTheCallTyped(String mode, String end, TestDatabase db) throws SQLException {
    Properties p = new Properties();
    p.setProperty("failoverTimeout", "10s");
    try (Connection c = lsem(db, mode, "off", p); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("INSERT INTO dup(note) VALUES ('before')");
      SQLException e = assertThrows(SQLException.class,
          () -> s.execute("SELECT pg_terminate_backend(pg_backend_pid()); SELECT 1; " + end));
      assertTrue(e.getSQLState().startsWith("08") || e.getSQLState().startsWith("57"), e.toString());
      c.commit(); // the lost transaction is gone; nothing of it may appear now
      RetryStats stats = c.unwrap(LsemConnection.class).retryStats();
      assertEquals(0, stats.replays(), "nothing replayed: " + stats);
      assertEquals(0, stats.recovered(), "given up, not recovered: " + stats);
    }
    assertEquals(0, rows(db, "before"), "the recorded INSERT died with its connection and was not replayed alone");
  }

  /** The control: the failure comes before the call's COMMIT, so nothing of it committed and it is replayed. */
  @ParameterizedTest(name = "mode={0} timestamps={1}")
  @CsvSource({"extended, on", "extended, off", "simple, on", "simple, off"})
  void failureBeforeTheBoundaryIsReplayed(String mode, String timestamps, TestDatabase db) throws SQLException {
    try (Connection c = lsem(db, mode, timestamps); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("INSERT INTO dup(note) VALUES ('c0')");
      s.execute("INSERT INTO dup(note) VALUES ('c1'); SELECT fail_once(); COMMIT");
      assertTrue(c.unwrap(LsemConnection.class).retryStats().recovered() > 0, "the driver recovered");
    }
    assertEquals(1, rows(db, "c0"), "the earlier statement, replayed once");
    assertEquals(1, rows(db, "c1"), "the failed call, made again once");
  }

  private static String reproduction(String note) {
    switch (note) {
      case "d1": return "INSERT INTO dup(note) VALUES ('d1'); COMMIT; SELECT fail_once()";
      case "d2": return "BEGIN; INSERT INTO dup(note) VALUES ('d2'); COMMIT; SELECT fail_once()";
      case "d3": return "CALL p_commit('d3')";
      case "d5": return "INSERT INTO dup(note) VALUES ('d5'); COMMIT AND CHAIN; SELECT fail_once()";
      // autocommit, no BEGIN: the COMMIT ends the implicit block the INSERT ran in
      case "d7": return "INSERT INTO dup(note) VALUES ('d7'); COMMIT; SELECT fail_once()";
      // the application's own ROLLBACK inside the call, then a new transaction that fails
      case "d8": return "ROLLBACK; INSERT INTO dup(note) VALUES ('d8'); COMMIT; SELECT fail_once()";
      default: throw new IllegalArgumentException(note);
    }
  }

  /** Ends whatever the failed call left open, through the API or through SQL text. */
  private static void end(Connection c, String how) throws SQLException {
    if (c.getAutoCommit()) {
      return;
    }
    try {
      if (how.equals("api")) {
        c.commit();
      } else {
        try (Statement s = c.createStatement()) {
          s.execute("COMMIT");
        }
      }
    } catch (SQLException failedTransaction) {
      // d5: the chained transaction failed; its COMMIT reports the rollback, as with pgjdbc
      c.rollback();
    }
  }

  private static Connection lsem(TestDatabase db, String mode, String timestamps) throws SQLException {
    return lsem(db, mode, timestamps, new Properties());
  }

  private static Connection lsem(TestDatabase db, String mode, String timestamps, Properties p) throws SQLException {
    p.setProperty("preferQueryMode", mode);
    p.setProperty("timestamps", timestamps);
    p.setProperty("retryBackoffBase", "1ms");
    return db.lsem(p);
  }

  private static int rows(TestDatabase db, String note) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM dup WHERE note = '" + note + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
