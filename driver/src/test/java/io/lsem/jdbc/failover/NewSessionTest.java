package io.lsem.jdbc.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGConnection;

/**
 * Issue 12, item 6: a new session is never mistaken for the old one. A connection whose session
 * holds state a new session would lack (a TEMP table, LISTEN, a session advisory lock) is not
 * re-established when its backend is terminated: the application gets pgjdbc's error and the
 * connection is closed. A disconnect pgjdbc forces on purpose (client_encoding, DateStyle) gives
 * the same outcome as with pgjdbc alone.
 */
@ExtendWith(PostgresExtension.class)
class NewSessionTest {

  private static Properties props(TestDatabase db) {
    Properties p = db.credentials();
    p.setProperty("failoverTimeout", "10s");
    return p;
  }

  private static void terminate(TestDatabase db, Connection c) throws SQLException {
    int pid = c.unwrap(PGConnection.class).getBackendPID();
    try (Connection admin = db.plain(); Statement s = admin.createStatement()) {
      s.execute("SELECT pg_terminate_backend(" + pid + ", 10000)");
    }
  }

  @ParameterizedTest(name = "autocommit={0}")
  @ValueSource(booleans = {true, false})
  void aBatchOnATempTableIsNotSentToAFreshSession(boolean autoCommit, TestDatabase db) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.lsemUrl(), props(db))) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TEMP TABLE scratch(a int)");
      }
      c.setAutoCommit(autoCommit);
      terminate(db, c);
      SQLException e;
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO scratch VALUES (?)")) {
        ps.setInt(1, 1);
        ps.addBatch();
        ps.setInt(1, 2);
        ps.addBatch();
        e = assertThrows(SQLException.class, ps::executeBatch);
      }
      String state = e.getSQLState() != null ? e.getSQLState() : e.getNextException().getSQLState();
      assertNotEquals("42P01", state, "not sent to a new session that has no such table: " + e);
      assertTrue(state.startsWith("08") || state.startsWith("57P"), "pgjdbc's connection error: " + e);
      assertTrue(c.isClosed(), "the connection is closed, as with pgjdbc");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"LISTEN ch", "SELECT pg_advisory_lock(81)", "PREPARE kept AS SELECT 1",
      "SET ROLE NONE"})
  void sessionStateIsNotLeftBehindSilently(String sql, TestDatabase db) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.lsemUrl(), props(db)); Statement s = c.createStatement()) {
      s.execute(sql);
      terminate(db, c);
      SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1"));
      assertTrue(e.getSQLState().startsWith("08") || e.getSQLState().startsWith("57P"), e.toString());
      assertTrue(c.isClosed(), "closed, not silently replaced");
    }
  }

  @Test
  void withoutSessionStateTheConnectionIsStillReestablished(TestDatabase db) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.lsemUrl(), props(db)); Statement s = c.createStatement()) {
      s.execute("SET application_name = 'kept'"); // restored on a new session
      terminate(db, c);
      assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1")); // outcome unknown, but re-established
      assertFalse(c.isClosed());
      s.executeQuery("SELECT 1").close();
    }
  }

  /** What the application sees after {@code sql}: the SQLSTATE and whether the connection is closed. */
  private static String forcedDisconnect(String url, String sql, TestDatabase db) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, props(db)); Statement s = c.createStatement()) {
      SQLException e = assertThrows(SQLException.class, () -> s.execute(sql));
      return e.getSQLState() + " closed=" + c.isClosed();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"SET client_encoding = 'LATIN1'", "SET DateStyle = 'German'"})
  void aDisconnectPgjdbcForcesIsNotTurnedIntoAReconnect(String sql, TestDatabase db) throws SQLException {
    String plain = forcedDisconnect(db.plainUrl(), sql, db);
    assertTrue(plain.endsWith("closed=true"), plain);
    assertEquals(plain, forcedDisconnect(db.lsemUrl(), sql, db), "the same through jdbc:lsem:postgresql:");
  }
}
