package io.lsem.jdbc.failover;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.testkit.ReplicationCluster;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A primary and a synchronous standby (real PostgreSQL 15 servers on 127.0.0.1), the money
 * transfer workload running through the driver with a multi-host URL (half the workers on their
 * own connection, half borrowing from HikariCP for every transfer), and mid-run a
 * {@code kill -9} of the primary and {@code pg_ctl promote} of the standby. No exception reaches
 * the application; every transfer the application saw committed is on the new primary exactly
 * once, none is duplicated, and the total is unchanged. The time from the kill to the first
 * successful transaction on the new primary, and from the end of the promotion, is printed (the
 * figure in the README); it is not asserted, being a measurement.
 */
class PrimaryFailoverTest {
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
  void killingThePrimaryMidRunReachesNoApplication() throws Exception {
    TransferWorkload workload = new TransferWorkload(cluster.multiHostUrl("lsem:", "postgres"), 4);
    try {
      assertTrue(workload.watch(cluster.primary().port(), 100).await(60), "the workload runs");
      ReplicationCluster.Node standby = cluster.standbys().get(0);
      TransferWorkload.Milestone afterKill = workload.watch(standby.port(), 100);
      cluster.killPrimary();
      Duration promotion = cluster.promote(standby);
      long promotedAt = System.nanoTime();
      assertTrue(afterKill.await(60), "the workload goes on after the failover");
      System.out.printf("failover: promotion took %d ms; first commit on the new primary %d ms after the kill,"
          + " %d ms after the promotion completed%n", promotion.toMillis(),
          TimeUnit.NANOSECONDS.toMillis(afterKill.firstCommitNanos() - afterKill.since),
          TimeUnit.NANOSECONDS.toMillis(afterKill.firstCommitNanos() - promotedAt));
    } finally {
      workload.close();
    }
    try (Connection c = cluster.primary().connect()) {
      workload.verify(c);
    }
  }
}
