package io.lsem.jdbc.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.error.InvalidPropertyException;
import io.lsem.jdbc.error.PoolExhaustedException;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

/**
 * The built-in pool against a real server: exhaustion, validation after killed backends,
 * lifetime rotation, idle retirement, leak detection and reclaim, session reset, URL-level
 * pooling and shutdown. Short timeouts keep it fast; waits poll the pool or the server with a
 * deadline, never sleep.
 */
@ExtendWith(PostgresExtension.class)
class PoolTest {

  static LsemDataSource dataSource(TestDatabase db, String... kv) {
    LsemDataSource ds = new LsemDataSource(db.lsemUrl());
    ds.setUser(db.user());
    ds.setPassword(db.password());
    for (int i = 0; i < kv.length; i += 2) {
      ds.setProperty(kv[i], kv[i + 1]);
    }
    return ds;
  }

  static int pid(Connection c) throws SQLException {
    return c.unwrap(PGConnection.class).getBackendPID();
  }

  /** Polls {@code condition} every millisecond for up to 20 s: a wait on the pool's state, not a sleep. */
  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never happened: " + what);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  private static String show(Connection c, String setting) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void terminate(TestDatabase db, int pid) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("SELECT pg_terminate_backend(" + pid + ", 10000)");
    }
  }

  @Test
  void exhaustionIsTypedAndSaysWhy(TestDatabase db) throws SQLException {
    try (LsemDataSource ds = dataSource(db, "poolMaxSize", "2", "poolMinIdle", "0", "poolConnectionTimeout", "200ms");
         Connection a = ds.getConnection(); Connection b = ds.getConnection()) {
      long start = System.nanoTime();
      PoolExhaustedException e = assertThrows(PoolExhaustedException.class, ds::getConnection);
      assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200), "it waited the timeout");
      assertInstanceOf(SQLTransientConnectionException.class, e);
      assertTrue(e.getMessage().contains("2 active, 0 idle, 1 pending, maximum 2"), e.getMessage());
      assertTrue(e.getMessage().matches("(?s).*after waiting \\d+ ms.*"), e.getMessage());
      assertNotEquals(pid(a), pid(b));
    }
  }

  @Test
  void aConnectionGivenBackServesTheNextBorrower(TestDatabase db) throws SQLException {
    try (LsemDataSource ds = dataSource(db, "poolMaxSize", "1", "poolMinIdle", "0")) {
      int first;
      try (Connection c = ds.getConnection()) {
        first = pid(c);
      }
      Connection stale;
      try (Connection c = ds.getConnection()) {
        assertEquals(first, pid(c), "the same physical connection");
        stale = c;
      }
      SQLException closed = assertThrows(SQLException.class, stale::createStatement);
      assertEquals("08003", closed.getSQLState(), "a handle given back is closed for good");
      assertEquals(2, ds.stats().borrows());
      assertEquals(1, ds.stats().created());
    }
  }

  @Test
  void killedBackendsAreReplacedWithoutApplicationErrors(TestDatabase db) throws SQLException {
    // failover off and no bypass window: the pool's validation alone must catch them
    try (LsemDataSource ds = dataSource(db, "poolMaxSize", "3", "poolMinIdle", "3", "failover", "false",
        "poolValidationBypass", "0s")) {
      List<Connection> held = new ArrayList<>();
      Set<Integer> old = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        held.add(ds.getConnection());
        old.add(pid(held.get(i)));
      }
      for (Connection c : held) {
        c.close();
      }
      for (int pid : old) {
        terminate(db, pid);
      }
      held.clear();
      for (int i = 0; i < 3; i++) {
        Connection c = ds.getConnection();
        held.add(c);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
          assertTrue(rs.next());
        }
        assertFalse(old.contains(pid(c)), "a live replacement");
      }
      for (Connection c : held) {
        c.close();
      }
      assertEquals(3, ds.stats().evicted());
    }
  }

  @Test
  void connectionsRetireAtTheirMaximumLifetime(TestDatabase db) throws SQLException {
    try (LsemDataSource ds = dataSource(db, "poolMaxSize", "1", "poolMinIdle", "0", "poolMaxLifetime", "300ms")) {
      int first;
      try (Connection c = ds.getConnection()) {
        first = pid(c);
      }
      await("the connection is retired", () -> ds.stats().evicted() >= 1);
      try (Connection c = ds.getConnection()) {
        assertNotEquals(first, pid(c));
      }
    }
  }

  @Test
  void idleConnectionsBeyondMinimumAreRetired(TestDatabase db) throws SQLException {
    try (LsemDataSource ds = dataSource(db, "poolMaxSize", "3", "poolMinIdle", "1", "poolIdleTimeout", "200ms")) {
      List<Connection> held = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        held.add(ds.getConnection());
      }
      for (Connection c : held) {
        c.close();
      }
      assertEquals(3, ds.stats().total());
      await("idle connections retire down to poolMinIdle", () -> ds.stats().total() == 1);
      assertEquals(1, ds.stats().idle());
    }
  }

  @Test
  void aLeakIsReportedAndOptionallyReclaimed(TestDatabase db) throws SQLException {
    // slf4j-simple (the tests' binding) writes to whatever System.err is at the time
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    java.io.PrintStream stderr = System.err;
    System.setErr(new java.io.PrintStream(new java.io.OutputStream() {
      @Override
      public void write(int b) {
        stderr.write(b);
        log.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        stderr.write(b, off, len);
        log.write(b, off, len);
      }
    }, true));
    try (LsemDataSource ds = dataSource(db, "poolMaxSize", "1", "poolMinIdle", "0",
        "poolLeakDetectionThreshold", "100ms", "poolLeakReclaim", "true", "poolConnectionTimeout", "10s")) {
      Connection leaked = ds.getConnection();
      int leakedPid = pid(leaked);
      await("the leak is logged", () -> log.toString().contains("aLeakIsReportedAndOptionallyReclaimed"));
      String warning = log.toString();
      assertTrue(warning.contains("WARN") && warning.contains("possible leak"), warning);
      assertTrue(warning.contains("borrowed here") && warning.contains("PoolTest.aLeakIsReportedAndOptionallyReclaimed"),
          "the borrower's stack: " + warning);
      assertEquals(1, ds.stats().leaks());
      try (Connection next = ds.getConnection()) { // its place was freed
        assertNotEquals(leakedPid, pid(next));
      }
      SQLException e = assertThrows(SQLException.class, leaked::createStatement);
      assertEquals("08003", e.getSQLState());
      leaked.close();
    } finally {
      System.setErr(stderr);
    }
  }

  @Test
  void theNextBorrowerGetsTheDefaultsBackButPreparedStatementsSurvive(TestDatabase db) throws SQLException {
    try (LsemDataSource ds = dataSource(db, "poolMaxSize", "1", "poolMinIdle", "0", "prepareThreshold", "1")) {
      int first;
      try (Connection c = ds.getConnection()) {
        first = pid(c);
        try (Statement s = c.createStatement()) {
          s.execute("CREATE SCHEMA IF NOT EXISTS other");
          s.execute("SET search_path = other, public");
          s.execute("SET work_mem = '7MB'");
        }
        c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
        c.setReadOnly(true);
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("SELECT 42 AS kept")) {
          ps.executeQuery().close();
          ps.executeQuery().close();
        }
        try (Statement s = c.createStatement()) {
          s.executeQuery("SELECT 1").close(); // a transaction left open
        }
      }
      try (Connection c = ds.getConnection()) {
        assertEquals(first, pid(c), "the same connection, reset");
        assertTrue(c.getAutoCommit());
        assertFalse(c.isReadOnly());
        assertEquals("read committed", show(c, "transaction_isolation"));
        assertEquals("\"$user\", public", show(c, "search_path"));
        assertEquals("4MB", show(c, "work_mem"));
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_prepared_statements WHERE statement = 'SELECT 42 AS kept'")) {
          rs.next();
          assertEquals(1, rs.getInt(1), "no DISCARD ALL: pgjdbc's server-side statement is still there");
        }
      }
    }
  }

  @Test
  void attributesSetThroughTheApiAreResetAndLeftOpenStatementsClosed(TestDatabase db) throws SQLException {
    try (LsemDataSource ds = dataSource(db, "poolMaxSize", "1", "poolMinIdle", "0")) {
      int first;
      Statement leftOpen;
      ResultSet leftOpenRows;
      PreparedStatement leftPrepared;
      int defaultHoldability;
      String defaultApplicationName;
      try (Connection c = ds.getConnection()) {
        first = pid(c);
        defaultHoldability = c.getHoldability();
        defaultApplicationName = show(c, "application_name");
        try (Statement s = c.createStatement()) {
          s.execute("CREATE SCHEMA IF NOT EXISTS other");
        }
        c.setSchema("other");
        c.setNetworkTimeout(Runnable::run, 12_345);
        c.setHoldability(defaultHoldability == ResultSet.HOLD_CURSORS_OVER_COMMIT
            ? ResultSet.CLOSE_CURSORS_AT_COMMIT : ResultSet.HOLD_CURSORS_OVER_COMMIT);
        c.setClientInfo("ApplicationName", "first-borrower");
        try (Statement s = c.createStatement()) {
          s.execute("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        }
        leftOpen = c.createStatement();
        leftOpenRows = leftOpen.executeQuery("SELECT 1");
        leftPrepared = c.prepareStatement("SELECT 2");
      }
      assertTrue(leftOpen.isClosed(), "a statement the borrower left open is closed on give-back");
      assertTrue(leftOpenRows.isClosed());
      assertTrue(leftPrepared.isClosed());
      try (Connection c = ds.getConnection()) {
        assertEquals(first, pid(c), "the same connection, reset");
        assertEquals("public", c.getSchema());
        assertEquals(0, c.getNetworkTimeout());
        assertEquals(defaultHoldability, c.getHoldability());
        assertEquals(defaultApplicationName, show(c, "application_name"));
        assertEquals("read committed", show(c, "transaction_isolation"));
        assertEquals(Connection.TRANSACTION_READ_COMMITTED, c.getTransactionIsolation());
      }
    }
  }

  @Test
  void whatPoolInitSqlSetComesBackAfterABorrowerChangedIt(TestDatabase db) throws SQLException {
    try (Connection admin = db.plain(); Statement s = admin.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS app");
    }
    try (LsemDataSource ds = dataSource(db, "poolMaxSize", "1", "poolMinIdle", "0",
        "poolInitSql", "SET search_path = app, public; SET statement_timeout = '7s'")) {
      int first;
      String applicationName;
      try (Connection c = ds.getConnection()) {
        first = pid(c);
        applicationName = show(c, "application_name");
        assertEquals("app, public", show(c, "search_path"));
        c.setSchema("public");
        c.setClientInfo("ApplicationName", "first-borrower");
        try (Statement s = c.createStatement()) {
          s.execute("SET statement_timeout = '1min'");
        }
      }
      try (Connection c = ds.getConnection()) {
        assertEquals(first, pid(c));
        assertEquals("app, public", show(c, "search_path"), "poolInitSql's search path, not the server default");
        assertEquals("7s", show(c, "statement_timeout"));
        assertEquals(applicationName, show(c, "application_name"));
        try (Statement s = c.createStatement()) {
          s.execute("RESET ALL");
        }
      }
      try (Connection c = ds.getConnection()) {
        assertEquals(first, pid(c));
        assertEquals("app, public", show(c, "search_path"), "after the borrower's RESET ALL too");
        assertEquals("7s", show(c, "statement_timeout"));
        assertEquals(applicationName, show(c, "application_name"));
      }
    }
  }

  @Test
  void urlLevelPoolingForDriverManager(TestDatabase db) throws SQLException {
    Properties p = db.credentials();
    p.setProperty("pool", "true");
    p.setProperty("poolMaxSize", "2");
    p.setProperty("poolMinIdle", "0");
    String url = db.lsemUrl() + "?ApplicationName=url-pool-test";
    int first;
    try (Connection c = DriverManager.getConnection(url, p)) {
      first = pid(c);
    }
    try (Connection c = DriverManager.getConnection(url, p)) {
      assertEquals(first, pid(c), "closing gave it back; the next getConnection reuses it");
    }
    p.setProperty("poolMaxSzie", "3");
    InvalidPropertyException bad = assertThrows(InvalidPropertyException.class, () -> DriverManager.getConnection(url, p));
    assertTrue(bad.getMessage().contains("poolMaxSzie") && bad.getMessage().contains("poolMaxSize"), bad.getMessage());
  }

  @Test
  void closingThePoolClosesItsConnectionsAndRefusesBorrowers(TestDatabase db) throws SQLException {
    LsemDataSource ds = dataSource(db, "poolMaxSize", "2", "poolMinIdle", "2", "ApplicationName", "closing-pool-test");
    Connection held = ds.getConnection();
    await("the pool fills to poolMinIdle", () -> ds.stats().total() == 2);
    ds.close();
    SQLException e = assertThrows(SQLException.class, ds::getConnection);
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    held.close(); // given back to a closed pool: closed for real
    try (Connection admin = db.plain(); Statement s = admin.createStatement()) {
      await("the server sees no connection of the pool", () -> {
        try (ResultSet rs = s.executeQuery(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'closing-pool-test'")) {
          rs.next();
          return rs.getInt(1) == 0;
        } catch (SQLException ex) {
          throw new AssertionError(ex);
        }
      });
    }
  }
}
