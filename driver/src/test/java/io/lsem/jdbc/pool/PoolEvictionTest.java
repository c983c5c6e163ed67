package io.lsem.jdbc.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.error.PoolExhaustedException;
import io.lsem.testkit.FaultProxy;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Connections that must not be handed out again: one whose borrower saw a fatal failure (the
 * backend terminated: 57P01, then a closed socket) is evicted when given back, even inside the
 * validation bypass window; one that stopped answering fails validation within
 * {@code poolValidationTimeout} and is replaced once the server answers again; one whose
 * connection failed over mid-lease runs {@code poolInitSql} again on its new physical connection.
 */
@ExtendWith(PostgresExtension.class)
class PoolEvictionTest {

  @Test
  void aConnectionThatFailedFatallyIsNotHandedOutAgain(TestDatabase db) throws SQLException {
    try (LsemDataSource ds = PoolTest.dataSource(db, "poolMaxSize", "1", "poolMinIdle", "0", "failover", "false",
        "poolValidationBypass", "1h")) {
      int first;
      try (Connection c = ds.getConnection()) {
        first = PoolTest.pid(c);
        try (Connection admin = db.plain(); Statement s = admin.createStatement()) {
          s.execute("SELECT pg_terminate_backend(" + first + ", 10000)");
        }
        SQLException e = assertThrows(SQLException.class, () -> {
          try (Statement s = c.createStatement()) {
            s.executeQuery("SELECT 1").close();
          }
        });
        assertTrue(e.getSQLState().startsWith("08") || e.getSQLState().startsWith("57P"), e.getSQLState());
      }
      try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
        assertTrue(rs.next());
        assertNotEquals(first, PoolTest.pid(c));
      }
      assertEquals(1, ds.stats().evicted());
    }
  }

  @Test
  void aConnectionThatStoppedAnsweringFailsValidationWithinTheValidationTimeout(TestDatabase db) throws Exception {
    try (FaultProxy proxy = FaultProxy.start(db.server().host(), db.server().port());
         LsemDataSource ds = new LsemDataSource(proxy.url("lsem:", db.name()))) {
      ds.setUser(db.user());
      ds.setPassword(db.password());
      ds.setProperty("failover", "false");
      ds.setProperty("poolMaxSize", "1");
      ds.setProperty("poolMinIdle", "0");
      ds.setProperty("poolValidationBypass", "0s");
      ds.setProperty("poolValidationTimeout", "100ms");
      ds.setProperty("poolConnectionTimeout", "300ms");
      int first;
      try (Connection c = ds.getConnection()) {
        first = PoolTest.pid(c);
      }
      proxy.stall(); // the network holds every byte: the idle connection no longer answers
      long start = System.nanoTime();
      PoolExhaustedException e = assertThrows(PoolExhaustedException.class, ds::getConnection);
      long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      // validation gave up after 100 ms, then the borrower waited out the 300 ms for a new connection
      // (whose opening is stalled too); Connection.isValid(1) would have taken a whole second
      assertTrue(waited < 900, "the borrow took " + waited + " ms: " + e.getMessage());
      assertEquals(1, ds.stats().evicted(), ds.stats().toString());
      proxy.resume();
      try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
        assertTrue(rs.next());
        assertNotEquals(first, PoolTest.pid(c));
      }
    }
  }

  @Test
  void aPooledConnectionThatFailsOverGetsPoolInitSqlAgain(TestDatabase db) throws Exception {
    try (Connection admin = db.plain(); Statement s = admin.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS app");
    }
    try (FaultProxy proxy = FaultProxy.start(db.server().host(), db.server().port());
         LsemDataSource ds = new LsemDataSource(proxy.url("lsem:", db.name()))) {
      ds.setUser(db.user());
      ds.setPassword(db.password());
      ds.setProperty("poolMaxSize", "1");
      ds.setProperty("poolMinIdle", "0");
      ds.setProperty("poolInitSql", "SET search_path = app, public");
      try (Connection c = ds.getConnection()) {
        int before = PoolTest.pid(c);
        proxy.cutAll(); // the connection is lost mid-lease: the driver reconnects (failover is on)
        try (Statement s = c.createStatement()) {
          // a lost autocommit call is not run again without proof that it only read: outcome unknown
          org.junit.jupiter.api.Assertions.assertThrows(io.lsem.jdbc.error.TransactionOutcomeUnknownException.class,
              () -> s.executeQuery("SHOW search_path"));
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW search_path")) {
          rs.next();
          assertNotEquals(before, PoolTest.pid(c), "a new physical connection");
          assertEquals("app, public", rs.getString(1), "the new connection ran poolInitSql too");
        }
      }
      try (Connection c = ds.getConnection(); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SHOW search_path")) {
        rs.next();
        assertEquals("app, public", rs.getString(1));
      }
    }
  }
}
