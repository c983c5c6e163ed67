package io.lsem.jdbc.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

/**
 * HikariCP discards a connection when it sees SQLSTATE class 08, 57P01–57P03, 0A000 or (up to
 * 5.x, used here) any {@code SQLTimeoutException}. A statement timeout, a JDBC query timeout or a
 * cancel leave the connection healthy, so the typed exceptions for them must not make the pool
 * discard it; a killed backend must. One-connection pool: the backend pid tells whether the
 * pool kept the connection.
 */
@ExtendWith(PostgresExtension.class)
class HikariEvictionTest {

  private static HikariDataSource pool(TestDatabase db) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.lsemUrl());
    config.setUsername(db.user());
    config.setPassword(db.password());
    config.setMaximumPoolSize(1);
    config.setMinimumIdle(1);
    config.addDataSourceProperty("failover", "false"); // with failover the driver would repair the connection itself
    return new HikariDataSource(config);
  }

  private static int pid(Connection c) throws SQLException {
    return c.unwrap(PGConnection.class).getBackendPID();
  }

  @Test
  void timeoutsAndCancelKeepTheConnection(TestDatabase db) throws Exception {
    try (HikariDataSource ds = pool(db)) {
      int pid;
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        pid = pid(c);
        c.setAutoCommit(false);
        s.execute("SET LOCAL statement_timeout = '50ms'");
        assertThrows(StatementTimeoutException.class, () -> s.execute("SELECT pg_sleep(5)"));
        c.rollback();
        s.setQueryTimeout(1);
        assertThrows(StatementTimeoutException.class, () -> s.execute("SELECT pg_sleep(10)"));
        c.rollback();
      }
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        assertEquals(pid, pid(c), "the pool kept the connection after the timeouts");
        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
          try {
            s.execute("SELECT pg_sleep(30)");
          } catch (SQLException e) {
            throw new RuntimeException(e);
          }
        });
        db.awaitSession(pid, "state = 'active' AND query LIKE 'SELECT pg_sleep%'");
        s.cancel();
        ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(20, TimeUnit.SECONDS));
        assertInstanceOf(QueryCanceledException.class, e.getCause().getCause());
      }
      try (Connection c = ds.getConnection()) {
        assertEquals(pid, pid(c), "the pool kept the connection after the cancel");
      }
    }
  }

  @Test
  void killedBackendIsDiscarded(TestDatabase db) throws Exception {
    try (HikariDataSource ds = pool(db)) {
      int pid;
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        pid = pid(c);
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
        assertInstanceOf(PostgresError.class, e.getCause().getCause());
      }
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        assertNotEquals(pid, pid(c), "the pool discarded the dead connection");
        s.execute("SELECT 1");
      }
    }
  }
}
