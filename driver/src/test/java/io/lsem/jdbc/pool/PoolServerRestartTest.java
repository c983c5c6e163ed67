package io.lsem.jdbc.pool;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.testkit.ReplicationCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pool across a server restart ({@code pg_ctl stop -m fast}, then start), with failover off
 * so that only the pool's own validation and refilling are at work: the next borrows get live
 * connections without an application-visible error, and the pool refills to {@code poolMinIdle}.
 */
class PoolServerRestartTest {
  private static ReplicationCluster cluster;

  @BeforeAll
  static void start() {
    cluster = ReplicationCluster.start(ReplicationCluster.Options.defaults().standbys(0).asynchronous());
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void borrowsAfterARestartSeeNoErrorAndThePoolRefills() throws Exception {
    try (LsemDataSource ds = new LsemDataSource(cluster.primary().url("postgres").replace("jdbc:", "jdbc:lsem:"))) {
      ds.setUser("postgres");
      ds.setProperty("failover", "false");
      ds.setProperty("poolMaxSize", "3");
      ds.setProperty("poolMinIdle", "2");
      ds.setProperty("poolValidationBypass", "0s");
      ds.setProperty("connectTimeout", "2");
      try (Connection c = ds.getConnection()) {
        assertTrue(c.isValid(1));
      }
      PoolTest.await("the pool fills to poolMinIdle", () -> ds.stats().idle() == 2);
      cluster.stop(cluster.primary());
      cluster.start(cluster.primary());
      for (int i = 0; i < 3; i++) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1")) {
          assertTrue(rs.next());
        }
      }
      PoolTest.await("the pool refills to poolMinIdle", () -> ds.stats().idle() >= 2);
      assertTrue(ds.stats().evicted() >= 2, ds.stats().toString());
    }
  }
}
