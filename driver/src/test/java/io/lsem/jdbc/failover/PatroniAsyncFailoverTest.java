package io.lsem.jdbc.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lsem.testkit.PatroniCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Opt-in ({@code -Ppatroni}): what the driver guarantees when Patroni replicates
 * <em>asynchronously</em> ({@code synchronous_mode: false}). The transfer workload runs while the
 * leader's postmaster is killed three times (Patroni fails over, the old leader rejoining with
 * pg_rewind, or — when it finds no replica close enough — restarts the old leader in place). Asserted: no exception reaches the application, no transfer is
 * stored twice, the total is unchanged, and nothing is stored that the application did not see
 * committed. Not asserted — it is the asynchronous-replication window no driver can close — is
 * that every transfer the application saw committed survived; how many were lost is printed.
 */
@Tag("patroni")
class PatroniAsyncFailoverTest {
  private static PatroniCluster cluster;
  private static String missing;

  @BeforeAll
  static void start() throws SQLException {
    missing = PatroniCluster.unavailableReason();
    if (missing != null) {
      return; // the test reports itself skipped, saying why
    }
    cluster = PatroniCluster.start(PatroniCluster.Options.defaults().synchronousMode(false, false));
    try (Connection c = cluster.leader().connect()) {
      TransferWorkload.createSchema(c);
    }
    cluster.awaitReplicated(); // losing the schema itself in the first failover would prove nothing
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void asynchronousFailoverNeverDuplicatesNorInvents() throws Exception {
    assumeTrue(missing == null, missing);
    TransferWorkload workload = new TransferWorkload(cluster.multiHostUrl("lsem:", "postgres"), 4);
    try {
      assertTrue(workload.watch(cluster.leader().port(), 100).await(60), "the workload runs");
      for (int round = 1; round <= 3; round++) {
        PatroniCluster.Member leader = cluster.leader();
        long t0 = System.nanoTime();
        cluster.killLeaderPostgres();
        // Patroni fails over only to a replica it finds within maximum_lag_on_failover (1 MB) of the
        // last position the leader published; otherwise it restarts the crashed leader in place
        cluster.awaitHealthy();
        PatroniCluster.Member next = cluster.leader();
        long elected = System.nanoTime();
        assertTrue(workload.watch(next.port(), 100).await(60), "the workload goes on after failover " + round);
        System.out.printf("async kill -9 %d (%s -> %s): %s, healthy again after %d ms%n", round, leader.name(), next.name(),
            next == leader ? "restarted in place" : "failed over", TimeUnit.NANOSECONDS.toMillis(elected - t0));
        if (next == leader) {
          System.out.println(leader.patroniLogTail(15));
        }
        assertEquals(List.of(), workload.errors(), "no exception reached the application");
        cluster.awaitHealthy();
      }
    } finally {
      workload.close();
    }
    assertEquals(List.of(), workload.errors(), "no exception reached the application");
    Set<UUID> committed = workload.committed();
    Set<UUID> stored = new HashSet<>();
    try (Connection c = cluster.leader().connect(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT sum(balance) FROM account")) {
        rs.next();
        assertEquals(TransferWorkload.ACCOUNTS * TransferWorkload.OPENING_BALANCE, rs.getLong(1), "the total is unchanged");
      }
      try (ResultSet rs = s.executeQuery("SELECT id FROM transfer")) {
        while (rs.next()) {
          assertTrue(stored.add((UUID) rs.getObject(1)), "no transfer is stored twice");
        }
      }
    }
    Set<UUID> invented = new HashSet<>(stored);
    invented.removeAll(committed);
    assertEquals(Set.of(), invented, "nothing is stored that the application did not see committed");
    Set<UUID> lost = new HashSet<>(committed);
    lost.removeAll(stored);
    System.out.printf("asynchronous replication: %d transfers committed, %d of them lost in the failovers%n",
        committed.size(), lost.size());
  }
}
