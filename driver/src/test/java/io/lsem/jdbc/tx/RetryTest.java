package io.lsem.jdbc.tx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.RetryStats;
import io.lsem.jdbc.error.DeadlockDetectedException;
import io.lsem.jdbc.error.ReplayMismatchException;
import io.lsem.jdbc.error.SerializationFailureException;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.io.ByteArrayInputStream;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.util.PGobject;

/**
 * Transparent retry against a real server. Failures come from real conflicts between two
 * sessions, or from {@code fail_times(k)}, which raises SQLSTATE 40001 (or 40P01) on its first
 * {@code k} calls: it counts with a sequence, which a rollback does not undo, so the failure is
 * exactly as the server would raise it and repeats a known number of times. Each test covers
 * one behaviour the issue names, including every defect listed for the CockroachDB wrapper.
 */
@ExtendWith(PostgresExtension.class)
class RetryTest {

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("CREATE SEQUENCE fail_seq");
      s.execute("CREATE FUNCTION fail_times(k int, code text DEFAULT '40001') RETURNS int LANGUAGE plpgsql AS $$"
          + " BEGIN IF nextval('fail_seq') <= k THEN RAISE EXCEPTION 'injected failure' USING ERRCODE = code; END IF;"
          + " RETURN 1; END $$");
      s.execute("CREATE SEQUENCE second_seq");
      s.execute("CREATE FUNCTION fail_on_second_call() RETURNS int LANGUAGE plpgsql AS $$"
          + " BEGIN IF nextval('second_seq') = 2 THEN RAISE EXCEPTION 'injected during replay'"
          + " USING ERRCODE = '40001'; END IF; RETURN 7; END $$");
      s.execute("CREATE TABLE item(id int PRIMARY KEY, v int, version int, note text)");
      s.execute("CREATE TABLE log(id serial PRIMARY KEY, what text)");
      s.execute("CREATE TABLE blobs(id int PRIMARY KEY, data bytea)");
      s.execute("CREATE TABLE typed(id int PRIMARY KEY, s smallint, d date, ts timestamptz, a int[], j jsonb, n text)");
      s.execute("CREATE SEQUENCE id_seq");
      s.execute("CREATE TABLE auto(id bigserial PRIMARY KEY, what text)");
      s.execute("CREATE FUNCTION add_one(INOUT x int, OUT doubled int) LANGUAGE plpgsql AS"
          + " $$ BEGIN x := x + 1; doubled := x * 2; END $$");
    }
  }

  @BeforeEach
  void reset(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("SELECT setval('fail_seq', 1, false), setval('second_seq', 1, false)");
      s.execute("TRUNCATE item, log, blobs, typed, auto");
      s.execute("INSERT INTO item SELECT g, g * 10, 0, 'n' || g FROM generate_series(1, 5) g");
    }
  }

  /**
   * A serialization failure raised by COMMIT itself (SSI's pivot check): the server has already
   * rolled back; the driver must replay the transaction and commit it, never report success for
   * a transaction that is gone.
   */
  @Test
  void serializationFailureAtCommitIsReplayedNotLost(TestDatabase db) throws SQLException {
    try (Connection setup = db.plain(); Statement s = setup.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS ssi_a(id int PRIMARY KEY, v int)");
      s.execute("CREATE TABLE IF NOT EXISTS ssi_b(id int PRIMARY KEY, v int)");
      s.execute("TRUNCATE ssi_a, ssi_b");
      s.execute("INSERT INTO ssi_a VALUES (1, 0)");
      s.execute("INSERT INTO ssi_b VALUES (1, 0)");
    }
    try (Connection t1 = db.plain(); Connection t2 = lsem(db)) {
      for (Connection c : new Connection[] {t1, t2}) {
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
      }
      exec(t1, "SELECT v FROM ssi_a WHERE id = 1");
      try (Statement s = t2.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM ssi_b WHERE id = 1")) {
        rs.next();
        assertEquals(1, rs.getInt(1));
      }
      exec(t1, "UPDATE ssi_b SET v = v + 1 WHERE id = 1");
      exec(t2, "UPDATE ssi_a SET v = v + 1 WHERE id = 1");
      t1.commit();
      t2.commit(); // fails with 40001 on the server; replayed (the count it read is unchanged), committed
      assertTrue(stats(t2).replays() > 0, "the driver replayed");
    }
    assertEquals(1, count(db, "SELECT v FROM ssi_a WHERE id = 1"), "t2's update is there");
    assertEquals(1, count(db, "SELECT v FROM ssi_b WHERE id = 1"), "t1's update is there");
  }

  private static Connection lsem(TestDatabase db, String... properties) throws SQLException {
    Properties p = new Properties();
    for (int i = 0; i < properties.length; i += 2) {
      p.setProperty(properties[i], properties[i + 1]);
    }
    p.putIfAbsent("retryBackoffBase", "1ms");
    return db.lsem(p);
  }

  private static RetryStats stats(Connection c) throws SQLException {
    return c.unwrap(LsemConnection.class).retryStats();
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** The next {@code fail_times(k)} counts from 1 again (setval: no lock against open transactions). */
  private static void restartFailures(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("SELECT setval('fail_seq', 1, false)");
    }
  }

  private static int count(TestDatabase db, String sql) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void oneStatementReusedForReadUpdateReadReplaysInGlobalOrder(TestDatabase db) throws SQLException {
    try (Connection c = lsem(db)) {
      c.setAutoCommit(false);
      try (PreparedStatement read = c.prepareStatement("SELECT v FROM item WHERE id = ?");
           PreparedStatement bump = c.prepareStatement("UPDATE item SET v = v + 1 WHERE id = ?")) {
        read.setInt(1, 1);
        int before = value(read);
        bump.setInt(1, 1);
        assertEquals(1, bump.executeUpdate());
        int after = value(read);
        assertEquals(before + 1, after);
        exec(c, "SELECT fail_times(1)");
      }
      c.commit();
      assertEquals(1, stats(c).replays());
      assertEquals(1, stats(c).recovered());
    }
    assertEquals(11, count(db, "SELECT v FROM item WHERE id = 1"), "the update was applied exactly once");
  }

  private static int value(PreparedStatement read) throws SQLException {
    try (ResultSet rs = read.executeQuery()) {
      assertTrue(rs.next());
      return rs.getInt(1);
    }
  }

  @Test
  void updateCountThatWouldChangeOnReplayIsAMismatch(TestDatabase db) throws SQLException {
    try (Connection app = lsem(db); Connection other = db.plain()) {
      app.setAutoCommit(false);
      exec(app, "INSERT INTO log(what) VALUES ('must not be committed')");
      try (PreparedStatement ps = app.prepareStatement(
          "UPDATE item SET v = v + 1, version = version + 1 WHERE id = ? AND version = ?")) {
        ps.setInt(1, 2);
        ps.setInt(2, 0);
        assertEquals(1, ps.executeUpdate());
      }
      // Another session changes the version of item 2 as soon as this transaction's lock is gone:
      // the injected failure rolls back, and the other session's update commits before the replay
      // because it is waiting on the row lock and the backoff gives it time to finish.
      java.util.concurrent.CompletableFuture<Void> bump = java.util.concurrent.CompletableFuture.runAsync(() -> {
        try (Statement s = other.createStatement()) {
          s.execute("UPDATE item SET version = version + 1 WHERE id = 2");
        } catch (SQLException ex) {
          throw new RuntimeException(ex);
        }
      });
      db.awaitSession(other.unwrap(PGConnection.class).getBackendPID(), "wait_event_type = 'Lock'");
      // The other session is queued behind this transaction's row lock: the rollback before the
      // replay lets it commit first, and the replayed update then waits for it and finds version 1.
      ReplayMismatchException e = assertThrows(ReplayMismatchException.class, () -> exec(app, "SELECT fail_times(1)"));
      assertEquals("40001", e.getSQLState());
      assertInstanceOf(SerializationFailureException.class, e);
      assertTrue(e.getMessage().contains("executeUpdate()"), e.getMessage());
      assertTrue(e.getMessage().contains("UPDATE item SET v = v + 1"), e.getMessage());
      assertEquals(1L, e.originalResult());
      assertEquals(0, ((Number) e.replayedResult()).intValue());
      assertEquals(1, stats(app).mismatches());
      bump.join();
      app.rollback();
    }
    assertEquals(0, count(db, "SELECT count(*) FROM log"), "nothing of the transaction was committed");
    assertEquals(1, count(db, "SELECT version FROM item WHERE id = 2"), "only the other session's update");
  }

  @Test
  void conflictDuringReplayCountsAsAnotherAttempt(TestDatabase db) throws SQLException {
    try (Connection c = lsem(db)) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT fail_on_second_call()")) {
        rs.next();
        assertEquals(7, rs.getInt(1));
      }
      exec(c, "UPDATE item SET v = 0 WHERE id = 1");
      exec(c, "SELECT fail_times(1)");
      c.commit();
      RetryStats st = stats(c);
      assertEquals(2, st.replays(), "the first replay failed on fail_on_second_call, the second one succeeded");
      assertEquals(1, st.recovered());
    }
    assertEquals(0, count(db, "SELECT v FROM item WHERE id = 1"));
  }

  @Test
  void autocommitStatementsAreRetried(TestDatabase db) throws SQLException {
    try (Connection c = lsem(db); Statement s = c.createStatement()) {
      assertTrue(c.getAutoCommit());
      try (ResultSet rs = s.executeQuery("SELECT fail_times(2)")) {
        rs.next();
        assertEquals(1, rs.getInt(1));
      }
      assertEquals(2, stats(c).replays());
      assertEquals(1, stats(c).recovered());
      assertEquals(1, s.executeUpdate("UPDATE item SET note = 'x' WHERE id = 1 AND fail_times(4) = 1"));
    }
  }

  @Test
  void dataWrittenBeforeASavepointRolledBackToSurvivesAReplay(TestDatabase db) throws SQLException {
    try (Connection c = lsem(db)) {
      c.setAutoCommit(false);
      exec(c, "INSERT INTO log(what) VALUES ('before')");
      Savepoint sp = c.setSavepoint();
      exec(c, "INSERT INTO log(what) VALUES ('undone')");
      c.rollback(sp);
      exec(c, "INSERT INTO log(what) VALUES ('after')");
      Savepoint named = c.setSavepoint("Named");
      exec(c, "INSERT INTO log(what) VALUES ('released')");
      c.releaseSavepoint(named);
      exec(c, "SELECT fail_times(1)");
      c.commit();
      assertEquals(1, stats(c).replays());
    }
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT string_agg(what, ',' ORDER BY what) FROM log")) {
      rs.next();
      assertEquals("after,before,released", rs.getString(1));
    }
  }

  @Test
  void valuesOfEveryCommonTypeCompareOnReplay(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO typed VALUES (1, 7, '2026-11-24', '2026-11-24 12:00:00+00', '{1,2,3}',"
          + " '{\"k\": [1, 2]}', NULL)");
    }
    try (Connection c = lsem(db)) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM typed")) {
        rs.next();
        assertEquals((short) 7, rs.getShort("s"));
        assertEquals(LocalDate.of(2026, 11, 24), rs.getObject("d", LocalDate.class));
        assertEquals(OffsetDateTime.parse("2026-11-24T12:00:00Z").toInstant(),
            rs.getObject("ts", OffsetDateTime.class).toInstant());
        assertArrayEquals(new Integer[] {1, 2, 3}, (Integer[]) rs.getArray("a").getArray());
        assertEquals("jsonb", ((PGobject) rs.getObject("j")).getType());
        assertNull(rs.getString("n"));
        assertTrue(rs.wasNull());
        assertFalse(rs.next());
      }
      exec(c, "SELECT fail_times(1)");
      c.commit();
      assertEquals(1, stats(c).recovered());
      assertEquals(0, stats(c).mismatches());
    }
  }

  @Test
  void streamParametersAreSentAgainOnReplay(TestDatabase db) throws SQLException {
    byte[] data = new byte[100_000];
    Arrays.fill(data, (byte) 42);
    data[0] = 1;
    try (Connection c = lsem(db)) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO blobs VALUES (?, ?)")) {
        ps.setInt(1, 1);
        ps.setBinaryStream(2, new ByteArrayInputStream(data));
        ps.executeUpdate();
      }
      exec(c, "SELECT fail_times(1)");
      c.commit();
      assertEquals(1, stats(c).recovered());
    }
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT data FROM blobs WHERE id = 1")) {
      rs.next();
      assertArrayEquals(data, rs.getBytes(1), "the replay sent the whole stream again");
    }
  }

  @Test
  void deadlockErrorsAreRetriedToo(TestDatabase db) throws SQLException {
    try (Connection c = lsem(db)) {
      c.setAutoCommit(false);
      exec(c, "UPDATE item SET v = v + 1 WHERE id = 5");
      exec(c, "SELECT fail_times(1, '40P01')");
      c.commit();
      assertEquals(1, stats(c).recovered());
    }
    assertEquals(51, count(db, "SELECT v FROM item WHERE id = 5"));
  }

  @Test
  void valuesAreComparedTypedWithSeparatorsAndNulls(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("UPDATE item SET note = 'ab' WHERE id = 1");
      s.execute("UPDATE item SET note = 'c' WHERE id = 2");
      s.execute("UPDATE item SET note = NULL WHERE id = 3");
    }
    try (Connection app = lsem(db); Connection other = db.plain()) {
      app.setAutoCommit(false);
      try (Statement s = app.createStatement();
           ResultSet rs = s.executeQuery("SELECT note FROM item WHERE id IN (1, 2) ORDER BY id")) {
        rs.next();
        assertEquals("ab", rs.getString(1));
        rs.next();
        assertEquals("c", rs.getString(1));
      }
      exec(other, "UPDATE item SET note = 'a' WHERE id = 1");
      exec(other, "UPDATE item SET note = 'bc' WHERE id = 2");
      ReplayMismatchException e = assertThrows(ReplayMismatchException.class, () -> exec(app, "SELECT fail_times(1)"));
      assertTrue(e.getMessage().contains("getString(int)"), e.getMessage());
      assertEquals("ab", e.originalResult());
      assertEquals("a", e.replayedResult());
      app.rollback();

      try (Statement s = app.createStatement();
           ResultSet rs = s.executeQuery("SELECT note FROM item WHERE id = 3")) {
        rs.next();
        assertNull(rs.getString(1));
      }
      exec(other, "UPDATE item SET note = '' WHERE id = 3");
      e = assertThrows(ReplayMismatchException.class, () -> exec(app, "SELECT fail_times(2)"));
      assertNull(e.originalResult());
      assertEquals("", e.replayedResult());
      app.rollback();
    }
  }

  @Test
  void sequenceValuesNeedNotMatchButIdentityKeysDo(TestDatabase db) throws SQLException {
    try (Connection c = lsem(db)) {
      c.setAutoCommit(false);
      long id;
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select nextval('id_seq')")) {
        rs.next();
        id = rs.getLong(1);
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO item VALUES (?, 0, 0, 'seq')")) {
        ps.setLong(1, 100 + id);
        ps.executeUpdate();
      }
      exec(c, "SELECT fail_times(1)");
      c.commit();
      assertEquals(1, stats(c).recovered(), "the replayed nextval differs and that is allowed");
      assertEquals(1, count(db, "SELECT count(*) FROM item WHERE id = " + (100 + id)), "the held value stayed valid");

      try (PreparedStatement ps = c.prepareStatement("INSERT INTO auto(what) VALUES ('x')",
          Statement.RETURN_GENERATED_KEYS)) {
        ps.executeUpdate();
        try (ResultSet keys = ps.getGeneratedKeys()) {
          keys.next();
          keys.getLong(1);
        }
      }
      restartFailures(db);
      ReplayMismatchException e = assertThrows(ReplayMismatchException.class, () -> exec(c, "SELECT fail_times(1)"));
      assertTrue(e.getMessage().contains("getLong(int)"), e.getMessage());
      c.rollback();
    }
  }

  @Test
  void notReplayableTransactionsSurfaceTheTypedError(TestDatabase db) throws Exception {
    try (Connection c = lsem(db, "retryMaxRecordedBytes", "2048")) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT g FROM generate_series(1, 1000) g")) {
        while (rs.next()) {
          rs.getInt(1);
        }
      }
      SerializationFailureException e = assertThrows(SerializationFailureException.class,
          () -> exec(c, "SELECT fail_times(1)"));
      assertFalse(e instanceof ReplayMismatchException);
      assertEquals(1, stats(c).notReplayable());
      c.rollback();

      restartFailures(db);
      exec(c, "SELECT 1");
      c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY log(what) FROM STDIN",
          new ByteArrayInputStream("copied\n".getBytes()));
      assertThrows(SerializationFailureException.class, () -> exec(c, "SELECT fail_times(1)"));
      assertEquals(2, stats(c).notReplayable());
      c.rollback();

      restartFailures(db);
      exec(c, "SELECT 1");
      c.unwrap(LsemConnection.class).disableRetryForTransaction();
      assertThrows(SerializationFailureException.class, () -> exec(c, "SELECT fail_times(1)"));
      c.rollback();
      restartFailures(db);
      exec(c, "SELECT fail_times(1)");
      c.commit();
      assertEquals(1, stats(c).recovered(), "the next transaction retries again");
    }
    restartFailures(db);
    try (Connection c = lsem(db, "retry", "false")) {
      assertThrows(SerializationFailureException.class, () -> exec(c, "SELECT fail_times(1)"));
      c.unwrap(LsemConnection.class).setRetryEnabled(true);
      restartFailures(db);
      exec(c, "SELECT fail_times(1)");
      assertEquals(1, stats(c).recovered());
    }
  }

  @Test
  void attemptsAreBoundedAndAnInterruptEndsTheBackoff(TestDatabase db) throws SQLException {
    try (Connection c = lsem(db, "retryMaxAttempts", "3")) {
      SerializationFailureException e = assertThrows(SerializationFailureException.class,
          () -> exec(c, "SELECT fail_times(100)"));
      assertEquals(1, stats(c).exhausted());
      assertEquals(2, stats(c).replays());
      assertTrue(Arrays.stream(e.getSuppressed()).anyMatch(s -> s.getMessage().contains("gave up after 3 runs")));
    }
    try (Connection c = lsem(db, "retryBackoffBase", "10s", "retryBackoffCap", "10s")) {
      Thread.currentThread().interrupt();
      long start = System.nanoTime();
      SerializationFailureException e = assertThrows(SerializationFailureException.class,
          () -> exec(c, "SELECT fail_times(1000)"));
      assertTrue(Thread.interrupted(), "the interrupt is kept");
      assertTrue(System.nanoTime() - start < java.util.concurrent.TimeUnit.SECONDS.toNanos(5),
          "the interrupt ended the 10 s backoff at once");
      assertEquals("40001", e.getSQLState());
      assertEquals(0, stats(c).replays());
    }
  }

  /** No backoff outlasts the budget: 10 s waits are cut to what is left of a 200 ms budget, then it gives up. */
  @Test
  void noBackoffWaitsPastTheRetryBudget(TestDatabase db) throws SQLException {
    try (Connection c = lsem(db, "retryBackoffBase", "10s", "retryBackoffCap", "10s", "retryBudget", "200ms")) {
      SerializationFailureException e = assertThrows(SerializationFailureException.class,
          () -> exec(c, "SELECT fail_times(1000)"));
      assertEquals(1, stats(c).exhausted(), "the budget, not the attempts, ended it");
      assertTrue(stats(c).replays() >= 1, "it replayed within the budget");
      assertTrue(stats(c).backoffNanos() < java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1_000),
          "the waits were cut to the 200 ms budget: " + stats(c).backoffNanos() + " ns");
      assertTrue(Arrays.stream(e.getSuppressed()).anyMatch(s -> s.getMessage().contains("transparent retry gave up")));
    }
  }

  @Test
  void openResultSetsAndStatementsKeepWorkingAfterAReplay(TestDatabase db) throws SQLException {
    try (Connection c = lsem(db)) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("SELECT id, note FROM item ORDER BY id")) {
        ps.setFetchSize(2);
        ResultSet rs = ps.executeQuery();
        assertTrue(rs.next());
        assertEquals(1, rs.getInt(1));
        assertTrue(rs.next());
        assertEquals("n2", rs.getString(2));
        exec(c, "SELECT fail_times(1)");
        assertEquals(1, stats(c).recovered());
        assertTrue(rs.next(), "the same result set object goes on, from the replayed result");
        assertEquals(3, rs.getInt(1));
        assertEquals(4, rs.next() ? rs.getInt(1) : -1);
        assertEquals(5, rs.next() ? rs.getInt(1) : -1);
        assertFalse(rs.next());
        assertTrue(rs.getStatement() == ps);
      }
      c.commit();
    }
  }

  @Test
  void batchesAndOutParametersReplay(TestDatabase db) throws SQLException {
    try (Connection c = lsem(db)) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO log(what) VALUES (?)")) {
        for (String w : new String[] {"b1", "b2", "b3"}) {
          ps.setString(1, w);
          ps.addBatch();
        }
        assertArrayEquals(new int[] {1, 1, 1}, ps.executeBatch());
        ps.setString(1, "queued");
        ps.addBatch();
        exec(c, "SELECT fail_times(1)");
        assertArrayEquals(new int[] {1}, ps.executeBatch(), "the queued batch survived the replay");
      }
      try (CallableStatement cs = c.prepareCall("{call add_one(?, ?)}")) {
        cs.setInt(1, 20);
        cs.registerOutParameter(1, Types.INTEGER);
        cs.registerOutParameter(2, Types.INTEGER);
        cs.execute();
        assertEquals(21, cs.getInt(1));
        assertEquals(42, cs.getInt(2));
      }
      restartFailures(db);
      exec(c, "SELECT fail_times(1)");
      c.commit();
      assertEquals(2, stats(c).recovered());
    }
    assertEquals(4, count(db, "SELECT count(*) FROM log"), "every batched row exactly once");
  }
}
