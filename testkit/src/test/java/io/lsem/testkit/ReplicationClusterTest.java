package io.lsem.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Smoke test of the harness itself: real servers, replication, kill -9, promotion, rejoin, cleanup. */
class ReplicationClusterTest {

  @Test
  void synchronousStandbyTakesOverAfterKill9() throws Exception {
    Path dir;
    try (ReplicationCluster cluster = ReplicationCluster.start(ReplicationCluster.Options.defaults())) {
      dir = cluster.directory();
      System.out.printf("start (primary + 1 sync standby): %d ms%n", cluster.startDuration().toMillis());
      ReplicationCluster.Node primary = cluster.primary();
      ReplicationCluster.Node standby = cluster.standbys().get(0);
      assertEquals("node0", primary.name());
      assertTrue(primary.isRunning() && standby.isRunning());
      assertNotEquals(primary.pid(), standby.pid());
      assertEquals("jdbc:postgresql://127.0.0.1:" + primary.port() + ",127.0.0.1:" + standby.port() + "/postgres",
          cluster.multiHostUrl());
      assertEquals("FIRST 1 (node1)", show(primary, "synchronous_standby_names"));

      execute(primary, "CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a')");
      cluster.awaitReplay(standby);
      assertEquals("a", value(standby, 1));

      // replay paused: a synchronous commit still returns (the standby flushed it) but is not visible there
      cluster.pauseReplay(standby);
      execute(primary, "UPDATE t SET v = 'b' WHERE id = 1");
      Lsn written = cluster.primaryLsn();
      assertTrue(cluster.receiveLsn(standby).reached(written), "a synchronous standby has flushed every commit");
      assertTrue(written.compareTo(cluster.replayLsn(standby)) > 0, "replay lags behind");
      assertEquals("a", value(standby, 1), "the paused standby still shows the old value");
      cluster.resumeReplay(standby); // (promoting a paused standby works too, but PostgreSQL 15 takes up to 1 s more)
      cluster.awaitReplay(standby, written);
      assertEquals("b", value(standby, 1));

      long killed = System.nanoTime();
      ReplicationCluster.Node dead = cluster.killPrimary();
      assertSame(primary, dead);
      assertFalse(primary.isRunning());
      Duration promotion = cluster.promote(standby);
      assertSame(standby, cluster.primary());
      assertEquals(ReplicationCluster.Role.FORMER_PRIMARY, primary.role());
      long firstWrite = 0;
      for (int attempt = 0; firstWrite == 0; attempt++) {
        try {
          execute(standby, "INSERT INTO t VALUES (2, 'c')");
          firstWrite = System.nanoTime();
        } catch (SQLException e) {
          if (attempt > 1000) {
            throw e;
          }
        }
      }
      System.out.printf("promote: %d ms; kill -9 to first committed write on the new primary: %d ms%n",
          promotion.toMillis(), (firstWrite - killed) / 1_000_000);
      assertEquals("b", value(standby, 1), "the synchronously committed update survived the failover");
      assertEquals("", show(standby, "synchronous_standby_names"), "no standby left: the new primary does not wait");
    }
    assertCleanedUp(dir);
  }

  @Test
  void asynchronousStandbysFollowThePromotedOneAndTheOldPrimaryRejoins() throws Exception {
    Path dir;
    try (ReplicationCluster cluster = ReplicationCluster.start(
        ReplicationCluster.Options.defaults().standbys(2).asynchronous().setting("max_connections", "50"))) {
      dir = cluster.directory();
      System.out.printf("start (primary + 2 async standbys): %d ms%n", cluster.startDuration().toMillis());
      ReplicationCluster.Node node0 = cluster.primary();
      ReplicationCluster.Node node1 = cluster.node("node1");
      ReplicationCluster.Node node2 = cluster.node("node2");
      assertEquals("", show(node0, "synchronous_standby_names"));
      assertEquals("50", show(node2, "max_connections"));
      execute(node0, "CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a')");
      cluster.awaitReplay(node1);
      cluster.awaitReplay(node2);

      cluster.killPrimary();
      assertThrows(IllegalStateException.class, () -> cluster.kill(node0), "already dead");
      Duration promotion = cluster.promote(node1);
      cluster.awaitStreaming(node2); // node2 now follows node1, on its new timeline
      execute(node1, "INSERT INTO t VALUES (2, 'b')");
      cluster.awaitReplay(node2);
      assertEquals("b", value(node2, 2));

      // pgjdbc's own multi-host support finds the new primary through the cluster URL
      Properties p = new Properties();
      p.setProperty("user", "postgres");
      p.setProperty("targetServerType", "primary");
      try (Connection c = DriverManager.getConnection(cluster.multiHostUrl(), p); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT current_setting('port')::int")) {
        rs.next();
        assertEquals(node1.port(), rs.getInt(1));
      }

      Duration rejoin = cluster.rejoin(node0);
      assertEquals(ReplicationCluster.Role.STANDBY, node0.role());
      execute(node1, "INSERT INTO t VALUES (3, 'c')");
      cluster.awaitReplay(node0);
      assertEquals("c", value(node0, 3));
      assertEquals("b", value(node0, 2));
      System.out.printf("promote: %d ms; rejoin of the killed primary with pg_rewind: %d ms%n",
          promotion.toMillis(), rejoin.toMillis());

      cluster.crash(node2); // every process at once; start() clears what the crash left
      assertFalse(node2.isRunning());
      cluster.start(node2);
      cluster.awaitStreaming(node2);
      cluster.stop(node2);
      cluster.reclone(node2);
      execute(node1, "INSERT INTO t VALUES (4, 'd')");
      cluster.awaitReplay(node2);
      assertEquals("d", value(node2, 4));
    }
    assertCleanedUp(dir);
  }

  @Test
  void failuresSayWhatWentWrongAndLeaveNothingBehind() {
    IllegalStateException noBinaries = assertThrows(IllegalStateException.class, () -> ReplicationCluster.start(
        ReplicationCluster.Options.defaults().binDirectory(Path.of("/nonexistent/bin"))));
    assertTrue(noBinaries.getMessage().contains("postgresql-15"), noBinaries.getMessage());

    IllegalStateException badSetting = assertThrows(IllegalStateException.class, () -> ReplicationCluster.start(
        ReplicationCluster.Options.defaults().setting("shared_buffers", "lots")));
    assertTrue(badSetting.getMessage().contains("cannot start node0") && badSetting.getMessage().contains("shared_buffers"),
        badSetting.getMessage());
    String dir = badSetting.getMessage().replaceAll("(?s).*---- last lines of (\\S+)/node0\\.log.*", "$1");
    assertCleanedUp(Path.of(dir));
  }

  private static void assertCleanedUp(Path dir) {
    assertFalse(Files.exists(dir), dir + " deleted");
    assertTrue(PgTools.processesIn(dir).isEmpty(), "no process left in " + dir);
  }

  private static void execute(ReplicationCluster.Node node, String... sql) throws SQLException {
    try (Connection c = node.connect(); Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }

  private static String value(ReplicationCluster.Node node, int id) throws SQLException {
    try (Connection c = node.connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT v FROM t WHERE id = " + id)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static String show(ReplicationCluster.Node node, String setting) throws SQLException {
    try (Connection c = node.connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
