package io.lsem.jdbc.failover;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.testkit.ReplicationCluster;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Opt-in soak ({@code -Dgroups=soak -Dlsem.excludedGroups=}): the money-transfer workload keeps
 * running while the primary is killed and the synchronous standby promoted, over and over
 * ({@code -Dlsem.soak.cycles}, default 10), the deposed primary rejoining as the new standby with
 * {@code pg_rewind} each time. The same checks as {@link PrimaryFailoverTest}, at the end.
 */
@Tag("soak")
class RepeatedFailoverSoakTest {
  private static ReplicationCluster cluster;

  @BeforeAll
  static void start() throws SQLException {
    cluster = ReplicationCluster.start(ReplicationCluster.Options.defaults().standbys(1).synchronous());
    try (Connection c = cluster.primary().connect()) {
      TransferWorkload.createSchema(c);
    }
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void repeatedFailoversReachNoApplication() throws Exception {
    int cycles = Integer.getInteger("lsem.soak.cycles", 10);
    TransferWorkload workload = new TransferWorkload(cluster.multiHostUrl("lsem:", "postgres"), 4);
    try {
      assertTrue(workload.watch(cluster.primary().port(), 100).await(60), "the workload runs");
      for (int cycle = 1; cycle <= cycles; cycle++) {
        ReplicationCluster.Node standby = cluster.standbys().get(0);
        TransferWorkload.Milestone afterKill = workload.watch(standby.port(), 100);
        ReplicationCluster.Node former = cluster.killPrimary();
        Duration promotion = cluster.promote(standby);
        long promotedAt = System.nanoTime();
        assertTrue(afterKill.await(60), "the workload goes on after failover " + cycle);
        System.out.printf("cycle %d: promotion %d ms; first commit on the new primary %d ms after it%n", cycle,
            promotion.toMillis(), TimeUnit.NANOSECONDS.toMillis(afterKill.firstCommitNanos() - promotedAt));
        cluster.rejoin(former);
        assertTrue(workload.errors().isEmpty(), "cycle " + cycle + ": " + workload.errors());
      }
    } finally {
      workload.close();
    }
    try (Connection c = cluster.primary().connect()) {
      workload.verify(c);
    }
  }
}
