package io.lsem.jdbc.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13 item 5: the pool never lends a connection whose role, search_path, time zone or custom
 * settings differ from what it handed out first, whatever session-level form changed them (one
 * connection in the pool, so the next borrower gets the same backend or a new one).
 */
@ExtendWith(PostgresExtension.class)
class PoolGiveBackStateTest {
  private static final AtomicInteger ROLES = new AtomicInteger();

  private static final String STATE = "SELECT current_user || '|' || session_user || '|' || current_setting('search_path')"
      + " || '|' || current_setting('TimeZone') || '|' || coalesce(current_setting('app.tenant_id', true), '')"
      + " || '|' || current_setting('client_encoding') || '|' || current_setting('work_mem')";

  private static String state(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(STATE)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "SET ROLE %ROLE%",
      "SET SESSION AUTHORIZATION %ROLE%",
      "SET TIME ZONE 'Asia/Tokyo'",
      "SET TIME ZONE LOCAL",
      "SET SCHEMA 'pg_catalog'",
      "SET search_path TO pg_catalog",
      "SET app.tenant_id = '42'",
      "SET SESSION app.tenant_id TO '42'",
      "SELECT set_config('app.tenant_id', '42', false)",
      "SELECT pg_catalog.set_config('search_path', 'pg_catalog', false)",
      "SET work_mem TO '7MB'; SET app.tenant_id = '42'",
      "SET work_mem = '7MB'",
      "RESET ALL; SET TimeZone = 'Asia/Tokyo'",
  })
  void theNextBorrowerSeesWhatTheFirstOneGot(String change, TestDatabase db) throws SQLException {
    String role = "pool_other_" + ProcessHandle.current().pid() + "_" + ROLES.incrementAndGet();
    try (Connection admin = db.plain(); Statement s = admin.createStatement()) {
      s.execute("CREATE ROLE " + role);
      s.execute("GRANT lsem_writer TO " + role); // commits as that role are recorded
    }
    try (LsemDataSource ds = PoolTest.dataSource(db, "poolMaxSize", "1")) {
      String first;
      try (Connection c = ds.getConnection()) {
        first = state(c);
        try (Statement s = c.createStatement()) {
          s.execute(change.replace("%ROLE%", role));
        }
      }
      try (Connection c = ds.getConnection()) {
        assertEquals(first, state(c), "after " + change);
      }
      try (Connection c = ds.getConnection()) {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
          s.execute(change.replace("%ROLE%", role));
        }
        c.commit();
      }
      try (Connection c = ds.getConnection()) {
        assertEquals(first, state(c), "after " + change + " in a committed transaction");
      }
    }
  }
}
