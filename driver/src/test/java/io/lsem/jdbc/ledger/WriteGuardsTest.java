package io.lsem.jdbc.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.StderrCapture;
import io.lsem.jdbc.error.GuardRejectedException;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The two guards of issue 17 while timestamps are on: a write in autocommit, and locally made time
 * in a write. Each fires on its mistake, is silent on the correct form (ordinary dates included),
 * {@code reject} sends nothing, and the default only warns (once per SQL text).
 */
@ExtendWith(PostgresExtension.class)
class WriteGuardsTest {

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE guarded(id serial PRIMARY KEY, at timestamptz, ts bigint)");
    }
  }

  @BeforeEach
  void empty(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE guarded");
    }
  }

  private static Connection lsem(TestDatabase db, String... kv) throws SQLException {
    Properties p = new Properties();
    p.setProperty("timestamps", "on");
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return db.lsem(p);
  }

  private static int rows(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM guarded")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void rejectSendsNothingForEitherMistake(TestDatabase db) throws SQLException {
    try (Connection c = lsem(db, "guardAutocommitWrites", "reject", "guardLocalTime", "reject");
         Statement s = c.createStatement()) {
      GuardRejectedException auto = assertThrows(GuardRejectedException.class,
          () -> s.execute("INSERT INTO guarded(ts) VALUES (1)"));
      assertTrue(auto.getMessage().contains("guardAutocommitWrites"), auto.getMessage());
      c.setAutoCommit(false);
      GuardRejectedException bypass = assertThrows(GuardRejectedException.class,
          () -> s.execute("INSERT INTO guarded(ts) VALUES (1); COMMIT; INSERT INTO guarded(ts) VALUES (2)"));
      assertTrue(bypass.getMessage().contains("guardAutocommitWrites"), "a write after COMMIT in the text: " + bypass);
      GuardRejectedException now = assertThrows(GuardRejectedException.class,
          () -> s.execute("INSERT INTO guarded(at) VALUES (now())"));
      assertTrue(now.getMessage().contains("guardLocalTime") && now.getMessage().contains("now"), now.getMessage());
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO guarded(at) VALUES (?)")) {
        ps.setTimestamp(1, Timestamp.from(java.time.Instant.now())); // as a clock gives it: microseconds
        GuardRejectedException param = assertThrows(GuardRejectedException.class, ps::executeUpdate);
        assertTrue(param.getMessage().contains("Timestamp"), param.getMessage());
        assertFalse(param.getMessage().contains(":" + (System.currentTimeMillis() / 100_000)), "no parameter value");
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO guarded(at, ts) VALUES (?, ?)")) {
        ps.setTimestamp(1, Timestamp.from(java.time.Instant.now()), java.util.Calendar.getInstance());
        ps.setLong(2, 7); // a later parameter does not hide the first (as Hibernate binds its columns)
        assertThrows(GuardRejectedException.class, ps::executeUpdate);
        ps.setTimestamp(1, Timestamp.valueOf("2024-01-01 12:00:00"));
        ps.setLong(2, 8);
        assertEquals(1, ps.executeUpdate(), "the same parameter bound again to an ordinary value passes");
      }
      c.rollback();
    }
    assertEquals(0, rows(db), "nothing reached the server (the one accepted insert was rolled back)");
  }

  /**
   * A value the application rounded to the second is not time taken on the spot, even when the
   * clock has just passed that second: read right after a second begins (the clock is polled, not
   * slept on), the rounded value is within 5 ms of it and must still pass.
   */
  @Test
  void aValueRoundedToTheSecondPassesJustAfterTheSecond(TestDatabase db) throws SQLException {
    try (Connection c = lsem(db, "guardLocalTime", "reject");
         PreparedStatement ps = c.prepareStatement("INSERT INTO guarded(at) VALUES (?)")) {
      c.setAutoCommit(false);
      long second;
      do {
        second = System.currentTimeMillis();
      } while (second % 1000 > 1); // the first millisecond or two of a second
      ps.setTimestamp(1, new Timestamp(second - second % 1000));
      assertEquals(1, ps.executeUpdate());
      ps.setObject(1, java.time.LocalDateTime.now().withNano(0));
      assertEquals(1, ps.executeUpdate());
      c.rollback();
    }
  }

  @Test
  void theCorrectFormsAndOrdinaryDatesPass(TestDatabase db) throws SQLException {
    try (Connection c = lsem(db, "guardAutocommitWrites", "reject", "guardLocalTime", "reject");
         Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("INSERT INTO guarded(ts) VALUES (current_setting('lsem.start_ts')::bigint)");
      s.execute("INSERT INTO guarded(at) VALUES ('2020-01-01 00:00:00+00'::timestamptz)");
      s.execute("INSERT INTO guarded(at) VALUES ('2021-06-01'::timestamptz) /* not now() */"); // a comment is no call
      s.execute("SELECT now()"); // a read may look at the clock
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO guarded(at) VALUES (?)")) {
        ps.setObject(1, OffsetDateTime.parse("2019-03-04T05:06:07Z"));
        ps.executeUpdate();
        ps.setTimestamp(1, Timestamp.valueOf("2024-01-01 12:00:00"));
        ps.executeUpdate();
      }
      c.commit();
      c.setAutoCommit(true);
      s.execute("SELECT count(*) FROM guarded"); // autocommit reads are fine
      s.execute("CREATE TABLE IF NOT EXISTS guarded_ddl(a int)"); // DDL in autocommit is not a row write
      s.execute("BEGIN; INSERT INTO guarded(ts) VALUES (3); COMMIT"); // a transaction block in the text
    }
    assertEquals(6, rows(db));
  }

  @Test
  void theDefaultWarnsOnceAndRunsTheStatement(TestDatabase db) throws Exception {
    String log = StderrCapture.captured(() -> {
      try (Connection c = lsem(db); Statement s = c.createStatement()) {
        for (int i = 0; i < 3; i++) {
          s.execute("INSERT INTO guarded(at) VALUES (clock_timestamp())");
        }
      }
    });
    assertEquals(3, rows(db), "warn runs the statement");
    assertEquals(1, count(log, "guardAutocommitWrites:"), log);
    assertEquals(1, count(log, "guardLocalTime:"), log);
  }

  @Test
  void theGuardsSleepWhileTimestampsAreOff(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(props("timestamps", "off", "guardAutocommitWrites", "reject",
        "guardLocalTime", "reject")); Statement s = c.createStatement()) {
      s.execute("INSERT INTO guarded(at) VALUES (now())");
    }
    assertEquals(1, rows(db));
  }

  @Test
  void aBadGuardValueNamesTheAcceptedForms(TestDatabase db) {
    SQLException e = assertThrows(SQLException.class, () -> db.lsem(props("guardLocalTime", "loud")).close());
    assertTrue(e.getMessage().contains("guardLocalTime") && e.getMessage().contains("off, warn, reject"),
        e.getMessage());
  }

  private static Properties props(String... kv) {
    Properties p = new Properties();
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return p;
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

}
