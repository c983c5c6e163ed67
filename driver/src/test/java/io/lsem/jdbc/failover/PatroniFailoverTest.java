package io.lsem.jdbc.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lsem.testkit.PatroniCluster;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Opt-in ({@code mvn -B -Ppatroni -pl driver -am verify}): the money-transfer workload of
 * {@link PrimaryFailoverTest} (4 threads, a client-generated id per transfer, no key on the
 * transfer log) through {@code jdbc:lsem:postgresql://<every member>/postgres} against a
 * two-node ({@code -Dlsem.patroni.nodes=3} for three) Patroni cluster on 127.0.0.1 in
 * {@code synchronous_mode} (etcd, ttl 10 s, loop_wait 1 s, primary_start_timeout 0), while three
 * faults follow one another, the cluster healing in between:
 * <ol>
 *   <li>a Patroni switchover ({@code POST /switchover});</li>
 *   <li>{@code kill -9} of the leader's postmaster: Patroni fails over to the synchronous standby;</li>
 *   <li>{@code kill -9} of the leader's Patroni and postmaster (a dead machine): the standby takes
 *       over once the leader key expires; the dead node's Patroni is started again and rejoins.</li>
 * </ol>
 * No exception reaches the application; every transfer it saw committed is stored exactly once,
 * none twice, and the total is unchanged. For each fault the time until Patroni reports the new
 * leader and until the first transfer committed on it through the driver is printed.
 * Skipped when Patroni, etcd or PostgreSQL 15 are not installed.
 */
@Tag("patroni")
class PatroniFailoverTest {
  private static PatroniCluster cluster;
  private static String missing;

  @BeforeAll
  static void start() throws SQLException {
    missing = PatroniCluster.unavailableReason();
    if (missing != null) {
      return; // the test reports itself skipped, saying why
    }
    cluster = PatroniCluster.start(PatroniCluster.Options.defaults().nodes(Integer.getInteger("lsem.patroni.nodes", 2)));
    try (Connection c = cluster.leader().connect()) {
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
  void switchoverAndFailoversReachNoApplication() throws Exception {
    assumeTrue(missing == null, missing);
    TransferWorkload workload = new TransferWorkload(cluster.multiHostUrl("lsem:", "postgres"), 4);
    try {
      assertTrue(workload.watch(cluster.leader().port(), 100).await(60), "the workload runs");
      fault(workload, "switchover", cluster::switchover, true);
      fault(workload, "kill -9 of the leader's postmaster", cluster::killLeaderPostgres, true);
      PatroniCluster.Member crashed = fault(workload, "kill -9 of the leader's Patroni and postmaster", cluster::crashLeader,
          false);
      cluster.restart(crashed);
      cluster.awaitHealthy();
      assertTrue(workload.watch(cluster.leader().port(), 100).await(60), "the workload runs on after the rejoin");
      assertEquals(List.of(), workload.errors(), "no exception reached the application");
    } finally {
      workload.close();
    }
    try (Connection c = cluster.leader().connect()) {
      workload.verify(c);
    }
    System.out.printf("%d transfers committed through the driver (%s), each stored once%n", workload.committed().size(),
        cluster.options());
  }

  /**
   * Runs {@code action} under load, waits for the new leader and for 100 transfers committed on
   * it, prints the timings, then (when {@code heals}, the old leader's Patroni still running)
   * waits until the cluster is healthy again. Returns what {@code action} returned.
   */
  private static PatroniCluster.Member fault(TransferWorkload workload, String what, Supplier<PatroniCluster.Member> action,
      boolean heals) throws InterruptedException {
    PatroniCluster.Member leader = cluster.leader();
    PatroniCluster.Member standby = cluster.syncStandby();
    assertNotNull(standby, "a synchronous standby before the " + what);
    TransferWorkload.Milestone onNewLeader = workload.watch(standby.port(), 100);
    long t0 = onNewLeader.since;
    PatroniCluster.Member result = action.get();
    PatroniCluster.Member next = cluster.awaitNewLeader(leader, Duration.ofSeconds(60));
    long elected = System.nanoTime();
    assertEquals(standby, next, "the synchronous standby is the new leader");
    assertTrue(onNewLeader.await(60), "the workload goes on after the " + what);
    assertEquals(List.of(), workload.errors(), "no exception reached the application after the " + what);
    System.out.printf("%s (%s -> %s): Patroni reported the new leader after %d ms; first commit on it through the"
        + " driver %d ms after the fault%n", what, leader.name(), next.name(), TimeUnit.NANOSECONDS.toMillis(elected - t0),
        TimeUnit.NANOSECONDS.toMillis(onNewLeader.firstCommitNanos() - t0));
    if (heals) {
      cluster.awaitHealthy();
    }
    return result;
  }
}
