package io.lsem.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** One database on the test server, with URLs for plain pgjdbc and for the LSEM driver. */
public final class TestDatabase {
  private final PostgresServer server;
  private final String name;

  TestDatabase(PostgresServer server, String name) {
    this.server = server;
    this.name = name;
  }

  public PostgresServer server() {
    return server;
  }

  public String name() {
    return name;
  }

  /** {@code jdbc:postgresql://127.0.0.1:port/name} (no credentials). */
  public String plainUrl() {
    return server.plainUrl(name);
  }

  /** {@code jdbc:lsem:postgresql://127.0.0.1:port/name} (no credentials). */
  public String lsemUrl() {
    return "jdbc:lsem:" + plainUrl().substring("jdbc:".length());
  }

  /** User and password properties. */
  public Properties credentials() {
    return server.credentials();
  }

  public String user() {
    return server.user();
  }

  public String password() {
    return server.password();
  }

  /** A plain pgjdbc connection (the baseline in comparisons, and for set-up). */
  public Connection plain() throws SQLException {
    return DriverManager.getConnection(plainUrl(), credentials());
  }

  /** A connection through the LSEM driver, found by {@link DriverManager} from the URL alone. */
  public Connection lsem() throws SQLException {
    return DriverManager.getConnection(lsemUrl(), credentials());
  }

  /** A connection through the LSEM driver with extra properties. */
  public Connection lsem(Properties extra) throws SQLException {
    Properties p = credentials();
    p.putAll(extra);
    return DriverManager.getConnection(lsemUrl(), p);
  }

  /**
   * Polls {@code pg_stat_activity} until backend {@code pid} matches {@code condition} (SQL over
   * its columns, e.g. {@code wait_event_type = 'Lock'} or {@code state = 'active'}): a wait on a
   * server condition, not a sleep. Fails after 20 seconds.
   */
  public void awaitSession(int pid, String condition) throws java.sql.SQLException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
    try (Connection admin = plain(); java.sql.Statement s = admin.createStatement()) {
      while (System.nanoTime() < deadline) {
        try (java.sql.ResultSet rs = s.executeQuery(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid + " AND " + condition)) {
          rs.next();
          if (rs.getInt(1) == 1) {
            return;
          }
        }
      }
    }
    throw new AssertionError("backend " + pid + " never reached: " + condition);
  }

  /** Drops the database. */
  public void drop() {
    server.dropDatabase(name);
  }

  @Override
  public String toString() {
    return name;
  }
}
