package io.lsem.jdbc.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A network timeout the application set ({@code socketTimeout}, {@code setNetworkTimeout}) ends
 * the call as with pgjdbc alone: the read fails before {@code pg_sleep} is over, with pgjdbc's
 * SQLSTATE, the connection is closed, and the statement was not run again (no reconnect, no
 * failover). The outcome is rendered as text and must be identical through both URLs.
 */
@ExtendWith(PostgresExtension.class)
class NetworkTimeoutTest {
  private static TestDatabase db;

  @BeforeAll
  static void schema(TestDatabase database) throws SQLException {
    db = database;
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("CREATE SEQUENCE slow_seq");
    }
  }

  @BeforeEach
  void reset() throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("SELECT setval('slow_seq', 1, false)");
    }
  }

  /** What the application sees: the error's SQLSTATE and class, whether the connection is closed, and the runs. */
  private static String outcome(String prefix, boolean api) throws Exception {
    Properties p = db.credentials();
    p.setProperty("failoverTimeout", "10s");
    if (!api) {
      p.setProperty("socketTimeout", "1");
    }
    String url = "jdbc:" + prefix + db.plainUrl().substring("jdbc:".length());
    try (Connection c = DriverManager.getConnection(url, p)) {
      if (api) {
        c.setNetworkTimeout(Runnable::run, 1000);
      }
      SQLException e;
      try (Statement s = c.createStatement()) {
        // nextval before the sleep: a run that started is counted even though it never returns
        e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT nextval('slow_seq'), pg_sleep(2)"));
      }
      boolean closed = c.isClosed();
      return e.getSQLState() + " " + (e instanceof java.sql.SQLNonTransientConnectionException) + " closed=" + closed
          + " runs=" + runs();
    }
  }

  /** How many times the slow statement started (sequences are not rolled back). */
  private static long runs() throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT last_value - 1 + (is_called::int) FROM slow_seq")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"socketTimeout", "setNetworkTimeout"})
  void aTimeoutTheApplicationSetClosesTheConnectionLikePgjdbc(String how) throws Exception {
    boolean api = how.equals("setNetworkTimeout");
    String plain = outcome("", api);
    reset();
    String lsem = outcome("lsem:", api);
    assertTrue(plain.contains("closed=true") && plain.endsWith("runs=1"), plain);
    assertEquals(plain, lsem, "the same outcome through jdbc:lsem:postgresql:");
  }
}
