package io.lsem.jdbc.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.error.PrimaryNotFoundException;
import io.lsem.jdbc.error.TransactionOutcomeUnknownException;
import io.lsem.testkit.FaultProxy;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

/**
 * Losing the connection to a single server: a backend terminated with
 * {@code pg_terminate_backend}, and a TCP proxy on 127.0.0.1 that cuts the connection in the
 * middle of a transaction, right after COMMIT was sent, or instead of sending COMMIT. The driver
 * reconnects, restores the session, replays the open transaction and resolves a lost COMMIT
 * through the ledger; every row is there exactly once.
 */
@ExtendWith(PostgresExtension.class)
class ReconnectTest {

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE entry(id int, note text)");
      s.execute("CREATE SCHEMA app");
      s.execute("CREATE TABLE app.marker(v int)");
      s.execute("INSERT INTO app.marker VALUES (42)");
    }
  }

  @BeforeEach
  void reset(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE entry");
    }
  }

  private static Properties props(String... kv) {
    Properties p = new Properties();
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    p.putIfAbsent("failoverTimeout", "10s");
    return p;
  }

  private static void insert(Connection c, int id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO entry VALUES (?, 'x')")) {
      ps.setInt(1, id);
      assertEquals(1, ps.executeUpdate());
    }
  }

  /** The backend serving {@code c} now, asked without SQL (a query would be part of the transaction). */
  private static int backendPid(Connection c) throws SQLException {
    return c.unwrap(PGConnection.class).getBackendPID();
  }

  private static String rows(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM entry")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void terminate(TestDatabase db, int pid) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("SELECT pg_terminate_backend(" + pid + ", 10000)");
    }
  }

  private static String show(Connection c, String setting) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_setting('" + setting + "')")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void terminatedBackendInTransactionIsReplayedTransparently(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(props())) {
      c.setAutoCommit(false);
      insert(c, 1);
      int before = backendPid(c);
      terminate(db, before);
      insert(c, 2);
      c.commit();
      assertNotEquals(before, backendPid(c), "a new backend serves the connection");
      c.commit();
    }
    assertEquals("1,2", rows(db));
  }

  @Test
  void sessionSettingsSurviveReconnection(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(props())) {
      c.setSchema("app");
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try (Statement s = c.createStatement()) {
        s.execute("SET statement_timeout = '123s'");
        s.execute("SET application_name = 'reconnect-test'");
        s.execute("SET app.tenant_id = '42'"); // a dotted custom name (issue 13 item 5: was lost)
        s.execute("SET TIME ZONE 'Asia/Tokyo'");
      }
      c.setAutoCommit(false);
      terminate(db, backendPid(c));
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM marker")) {
        rs.next();
        assertEquals(42, rs.getInt(1), "search_path still finds app.marker");
      }
      assertEquals("repeatable read", show(c, "transaction_isolation"));
      assertEquals("123s", show(c, "statement_timeout"));
      assertEquals("reconnect-test", show(c, "application_name"));
      assertEquals("42", show(c, "app.tenant_id"));
      assertEquals("Asia/Tokyo", show(c, "TimeZone"));
      assertEquals(false, c.getAutoCommit());
      c.commit();
    }
  }

  @Test
  void aLostAutocommitStatementIsNotRunAgainWithoutProof(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(props()); Statement s = c.createStatement()) {
      terminate(db, backendPid(c));
      // a SELECT is no proof of a read (it may call a function that writes): outcome unknown
      SQLException read = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 7"));
      assertInstanceOf(TransactionOutcomeUnknownException.class, read, read.toString());
      try (ResultSet rs = s.executeQuery("SELECT 7")) {
        rs.next();
        assertEquals(7, rs.getInt(1), "the connection was re-established");
      }
      terminate(db, backendPid(c));
      SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO entry VALUES (9, 'y')"));
      assertEquals("08007", e.getSQLState(), e.toString());
      s.executeUpdate("INSERT INTO entry VALUES (10, 'y')"); // the connection works again
    }
    assertEquals("10", rows(db));
  }

  @Test
  void proxyCutMidTransactionIsReplayed(TestDatabase db) throws Exception {
    try (FaultProxy proxy = FaultProxy.start(db.server().host(), db.server().port());
         Connection c = DriverManager.getConnection(proxy.url("lsem:", db.name()), withCredentials(db, props()))) {
      c.setAutoCommit(false);
      insert(c, 1);
      insert(c, 2);
      proxy.cutAll();
      insert(c, 3);
      c.commit();
    }
    assertEquals("1,2,3", rows(db));
  }

  @Test
  void aResultReadInBatchesContinuesAfterTheCut(TestDatabase db) throws Exception {
    try (FaultProxy proxy = FaultProxy.start(db.server().host(), db.server().port());
         Connection c = DriverManager.getConnection(proxy.url("lsem:", db.name()), withCredentials(db, props()))) {
      c.setAutoCommit(false);
      StringBuilder seen = new StringBuilder();
      try (Statement s = c.createStatement()) {
        s.setFetchSize(2); // a server-side cursor: rows come two at a time
        try (ResultSet rs = s.executeQuery("SELECT g FROM generate_series(1, 10) g ORDER BY g")) {
          for (int i = 0; i < 3; i++) {
            rs.next();
            seen.append(rs.getInt(1)).append(' ');
          }
          proxy.cutAll();
          while (rs.next()) {
            seen.append(rs.getInt(1)).append(' ');
          }
        }
      }
      c.commit();
      assertEquals("1 2 3 4 5 6 7 8 9 10 ", seen.toString());
    }
  }

  @Test
  void commitAnswerLostButCommittedReturnsNormallyOnce(TestDatabase db) throws Exception {
    try (FaultProxy proxy = FaultProxy.start(db.server().host(), db.server().port());
         Connection c = DriverManager.getConnection(proxy.url("lsem:", db.name()), withCredentials(db, props()))) {
      c.setAutoCommit(false);
      insert(c, 1);
      insert(c, 2);
      int before = backendPid(c);
      proxy.cutAfterClientSends("COMMIT");
      c.commit();
      assertNotEquals(before, backendPid(c), "the COMMIT's connection was lost and replaced");
      assertTrue(c.unwrap(LsemConnection.class).lastCommitTimestamp() > 0, "the ledger's commit timestamp");
      insert(c, 3);
      c.commit();
    }
    assertEquals("1,2,3", rows(db));
  }

  @Test
  void commitNeverSentIsReplayedAndCommittedOnce(TestDatabase db) throws Exception {
    try (FaultProxy proxy = FaultProxy.start(db.server().host(), db.server().port());
         Connection c = DriverManager.getConnection(proxy.url("lsem:", db.name()), withCredentials(db, props()))) {
      c.setAutoCommit(false);
      insert(c, 1);
      int before = backendPid(c);
      proxy.cutInsteadOfSending("COMMIT");
      c.commit();
      assertNotEquals(before, backendPid(c), "the COMMIT's connection was lost and replaced");
    }
    assertEquals("1", rows(db));
  }

  @Test
  void commitOutcomeWithoutLedgerIsReportedUnknown(TestDatabase db) throws Exception {
    try (FaultProxy proxy = FaultProxy.start(db.server().host(), db.server().port());
         Connection c = DriverManager.getConnection(proxy.url("lsem:", db.name()),
             withCredentials(db, props("timestamps", "off")))) {
      c.setAutoCommit(false);
      insert(c, 1);
      proxy.cutAfterClientSends("COMMIT");
      SQLException e = assertThrows(SQLException.class, c::commit);
      assertEquals("08007", e.getSQLState());
      assertInstanceOf(TransactionOutcomeUnknownException.class, e);
      assertInstanceOf(SQLNonTransientConnectionException.class, e);
      // A read-only transaction needs no ledger: running it again is harmless.
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM entry")) {
        rs.next();
        assertEquals(1, rs.getInt(1), "the COMMIT had reached the server");
      }
      proxy.cutAfterClientSends("COMMIT");
      c.commit();
    }
  }

  @Test
  void noPrimaryWithinTimeoutNamesEveryHost(TestDatabase db) throws Exception {
    int a = freePort();
    int b = freePort();
    String url = "jdbc:lsem:postgresql://127.0.0.1:" + a + ",127.0.0.1:" + b + "/" + db.name();
    PrimaryNotFoundException e = assertThrows(PrimaryNotFoundException.class,
        () -> DriverManager.getConnection(url, withCredentials(db, props("failoverTimeout", "200ms"))));
    assertEquals(2, e.answers().size());
    assertTrue(e.getMessage().contains("127.0.0.1:" + a) && e.getMessage().contains("127.0.0.1:" + b), e.getMessage());
    assertTrue(e.answers().get(0).contains("08001"), e.answers().toString());
  }

  @Test
  void withoutRetryTheLostTransactionIsReportedAndTheConnectionWorksAgain(TestDatabase db) throws Exception {
    try (FaultProxy proxy = FaultProxy.start(db.server().host(), db.server().port());
         Connection c = DriverManager.getConnection(proxy.url("lsem:", db.name()), withCredentials(db, props("retry", "false")))) {
      c.setAutoCommit(false);
      insert(c, 1);
      proxy.cutAll();
      SQLException e = assertThrows(SQLException.class, () -> insert(c, 2));
      assertTrue(e.getSQLState().startsWith("08"), e.getSQLState());
      c.rollback();
      insert(c, 3); // the connection was re-established
      proxy.cutAfterClientSends("COMMIT");
      c.commit(); // a lost COMMIT is still resolved through the ledger
    }
    assertEquals("3", rows(db));
  }

  @Test
  void failoverOffLetsTheErrorThrough(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(props("failover", "false"))) {
      c.setAutoCommit(false);
      insert(c, 1);
      terminate(db, backendPid(c));
      SQLException e = assertThrows(SQLException.class, () -> insert(c, 2));
      assertEquals("57P01", e.getSQLState());
    }
    assertEquals("", rows(db));
  }

  private static Properties withCredentials(TestDatabase db, Properties p) {
    p.putAll(db.credentials());
    return p;
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
