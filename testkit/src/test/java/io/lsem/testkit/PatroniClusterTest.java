package io.lsem.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Smoke test of the Patroni harness (opt-in: {@code -Ppatroni}): a healthy two-node cluster in
 * synchronous mode, a switchover, {@code kill -9} of the leader's postmaster, a crash of the
 * leader's Patroni and server, and nothing left running after close.
 */
class PatroniClusterTest {

  @Test
  @Tag("patroni")
  void switchoverKillAndCrashEachMakeTheOtherNodeLeader() throws Exception {
    String missing = PatroniCluster.unavailableReason();
    assumeTrue(missing == null, missing);
    Path dir;
    try (PatroniCluster cluster = PatroniCluster.start(PatroniCluster.Options.defaults())) {
      dir = cluster.directory();
      System.out.printf("Patroni cluster healthy after %d ms: %s%n", cluster.startDuration().toMillis(), cluster.clusterJson());
      PatroniCluster.Member leader = cluster.leader();
      PatroniCluster.Member standby = cluster.syncStandby();
      assertNotNull(standby, "a synchronous standby");
      assertNotEquals(leader, standby);
      assertEquals(standby.name(), show(leader, "synchronous_standby_names").replace("\"", ""));
      assertTrue(cluster.multiHostUrl("lsem:", "postgres").startsWith("jdbc:lsem:postgresql://127.0.0.1:"));

      long t0 = System.nanoTime();
      PatroniCluster.Member candidate = cluster.switchover();
      assertSame(standby, candidate);
      assertSame(candidate, cluster.awaitNewLeader(leader, Duration.ofSeconds(60)));
      System.out.printf("switchover: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
      cluster.awaitHealthy();

      leader = cluster.leader();
      t0 = System.nanoTime();
      PatroniCluster.Member killed = cluster.killLeaderPostgres();
      assertSame(leader, killed);
      PatroniCluster.Member next = cluster.awaitNewLeader(killed, Duration.ofSeconds(60));
      System.out.printf("kill -9 of the leader's postmaster: new leader %s after %d ms%n", next.name(),
          (System.nanoTime() - t0) / 1_000_000);
      cluster.awaitHealthy();

      leader = cluster.leader();
      t0 = System.nanoTime();
      PatroniCluster.Member crashed = cluster.crashLeader();
      assertEquals(0, crashed.patroniPid());
      assertEquals(0, crashed.postmasterPid());
      next = cluster.awaitNewLeader(crashed, Duration.ofSeconds(60));
      System.out.printf("crash of the leader's Patroni and postmaster: new leader %s after %d ms%n", next.name(),
          (System.nanoTime() - t0) / 1_000_000);
      cluster.restart(crashed);
      cluster.awaitHealthy();
      assertEquals(2, ((List<?>) MiniJson.object(cluster.clusterJson()).get("members")).size());
    }
    assertFalse(Files.exists(dir), "the cluster's directory is deleted");
    assertTrue(PgTools.processesIn(dir).isEmpty(), "nothing runs in it any more");
  }

  @Test
  void miniJsonReadsPatroniAnswers() {
    Map<String, Object> m = MiniJson.object(
        "{\"members\": [{\"name\": \"node0\", \"lag\": 0, \"x\": -1.5e2, \"t\": true, \"n\": null, \"s\": \"a\\\"\\u0041\"}], \"scope\": \"s\"}");
    Map<?, ?> first = (Map<?, ?>) ((List<?>) m.get("members")).get(0);
    assertEquals("node0", first.get("name"));
    assertEquals(0L, first.get("lag"));
    assertEquals(-150.0, first.get("x"));
    assertEquals(Boolean.TRUE, first.get("t"));
    assertTrue(first.containsKey("n"));
    assertEquals("a\"A", first.get("s"));
  }

  private static String show(PatroniCluster.Member m, String setting) throws Exception {
    try (Connection c = m.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
