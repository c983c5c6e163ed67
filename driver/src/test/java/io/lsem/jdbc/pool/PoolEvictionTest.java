package io.lsem.jdbc.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A connection whose borrower saw a fatal failure (the backend terminated: 57P01, then a closed
 * socket) is evicted when given back, even inside the validation bypass window: the next
 * borrower gets a live connection.
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
}
