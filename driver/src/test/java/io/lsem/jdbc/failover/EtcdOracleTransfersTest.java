package io.lsem.jdbc.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lsem.jdbc.cli.LsemCommand;
import io.lsem.testkit.EtcdCluster;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The money-transfer workload with every timestamp from the etcd oracle while the coordinator fails
 * (issue 15, LSEM §6.1): its leader killed with SIGKILL, then the next leader paused with SIGSTOP.
 * No exception reaches the application, no transfer is lost or applied twice, and {@code lsem
 * verify --strict} is clean (every row mapped to its ledger row, commit timestamps unique and, where
 * row versions can be read, increasing along each row's history). Prints how long the workload
 * stood still after each fault.
 */
@ExtendWith(PostgresExtension.class)
class EtcdOracleTransfersTest {

  @Test
  void transfersGoOnThroughAKilledAndAPausedEtcdLeader(TestDatabase db) throws Exception {
    assumeTrue(EtcdCluster.binary() != null, "no etcd server program (Debian's etcd-server) on this machine");
    try (Connection admin = db.plain(); Statement s = admin.createStatement()) {
      TransferWorkload.createSchema(admin);
      s.execute("CREATE EXTENSION IF NOT EXISTS pageinspect"); // lets lsem verify read each row's overwritten versions
    }
    try (EtcdCluster etcd = EtcdCluster.start(3)) {
      String url = db.lsemUrl() + "?timestamps=on&timestampOracle=etcd&coordinatorTimeout=10s&coordinator="
          + URLEncoder.encode(etcd.coordinator("/transfers"), StandardCharsets.UTF_8);
      int port = db.server().port();
      TransferWorkload workload = new TransferWorkload(url, 6, db.credentials());
      try {
        assertTrue(workload.watch(port, 50).await(60), "transfers run: " + workload.errors());

        int killed = etcd.leader();
        long killedAt = System.nanoTime();
        etcd.kill(killed);
        TransferWorkload.Milestone afterKill = workload.watch(port, 100);
        assertTrue(afterKill.await(60), "transfers go on after the etcd leader was killed: " + workload.errors());
        long killStall = workload.longestStallMillis(killedAt, System.nanoTime());
        etcd.restart(killed);

        int paused = etcd.leader();
        long pausedAt = System.nanoTime();
        etcd.pause(paused);
        long pauseStall;
        try {
          TransferWorkload.Milestone afterPause = workload.watch(port, 100);
          assertTrue(afterPause.await(60), "transfers go on while the etcd leader is paused: " + workload.errors());
          pauseStall = workload.longestStallMillis(pausedAt, System.nanoTime());
        } finally {
          etcd.resume(paused);
        }
        assertTrue(workload.watch(port, 50).await(60), "transfers go on after the paused member resumed");
        System.out.printf("etcd leader killed: transfers stood still for at most %d ms; paused: %d ms%n",
            killStall, pauseStall);
      } finally {
        workload.close();
      }
      try (Connection admin = db.plain()) {
        workload.verify(admin);
      }
      assertTrue(workload.committed().size() >= 300, "transfers committed: " + workload.committed().size());
    }
    LsemCommand.Result verify = LsemCommand.run(db, "verify", "--url", db.lsemUrl(), "--user", db.user(),
        "--table", "account", "--table", "transfer", "--strict");
    String report = verify.output();
    assertEquals(0, verify.exitCode(), report);
    assertTrue(report.contains("ok        commit timestamps are unique (a total order)"), report);
    assertTrue(report.contains("ok        every row of transfer was written by a recorded transaction (--strict)"), report);
    assertTrue(report.contains("ok        row versions of account: each overwritten version's writer has a lower commit"
        + " timestamp than its overwriter"), report);
    System.out.println(report);
  }
}
