package io.lsem.jdbc.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.lsem.testkit.ReplicationCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * A single server restarted ({@code pg_ctl stop -m fast}, then start) under an open transaction:
 * the driver waits for the server within {@code failoverTimeout}, reconnects and replays the
 * transaction; a call made while the server is still down waits until it is back.
 */
class ServerRestartTest {
  private static ReplicationCluster cluster;

  @BeforeAll
  static void start() throws SQLException {
    cluster = ReplicationCluster.start(ReplicationCluster.Options.defaults().standbys(0).asynchronous());
    try (Connection c = cluster.primary().connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE entry(id int)");
    }
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Connection lsem() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("failoverTimeout", "60s");
    p.setProperty("connectTimeout", "2");
    return DriverManager.getConnection(cluster.primary().url("postgres").replace("jdbc:", "jdbc:lsem:"), p);
  }

  private static void insert(Connection c, int id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO entry VALUES (?)")) {
      ps.setInt(1, id);
      ps.executeUpdate();
    }
  }

  private static String rows() throws SQLException {
    try (Connection c = cluster.primary().connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM entry")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void transactionSurvivesARestart() throws Exception {
    try (Connection c = lsem()) {
      c.setAutoCommit(false);
      insert(c, 1);
      int before = c.unwrap(PGConnection.class).getBackendPID();
      cluster.stop(cluster.primary());
      // The application goes on while the server is down or coming back (whichever comes first):
      // either way the call waits for it within failoverTimeout.
      CompletableFuture<Void> goingOn = CompletableFuture.runAsync(() -> {
        try {
          insert(c, 2);
          c.commit();
        } catch (SQLException e) {
          throw new RuntimeException(e);
        }
      });
      cluster.start(cluster.primary());
      goingOn.get(60, TimeUnit.SECONDS);
      assertNotEquals(before, c.unwrap(PGConnection.class).getBackendPID());
    }
    assertEquals("1,2", rows());
  }
}
