package io.lsem.bench.tpcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The short form of the TPC-C-like workload (issue 12): 8 terminals on 2 warehouses through the
 * LSEM driver at SERIALIZABLE, a fixed number of transactions each, then TPC-C's consistency
 * conditions. It fails if the driver loses a write (a batch replayed empty left orders without
 * their lines) or applies one twice, and it proves the run had conflicts the driver replayed.
 * The long form: {@code TpccWorkload} in bench/README.md.
 */
@ExtendWith(PostgresExtension.class)
class TpccConsistencyTest {

  @Test
  void theDatabaseIsConsistentAfterConflictsTheDriverReplayed(TestDatabase db) throws Exception {
    try (Connection admin = db.plain()) {
      TpccSchema.create(admin, 2);
    }
    TpccRun.Result r = TpccRun.run(db.lsemUrl(), db.credentials(), 2, 8, 60, 0, 42);
    List<String> violations;
    try (Connection admin = db.plain()) {
      violations = TpccConsistency.check(admin, r.committed()[TpccRun.NEW_ORDER], r.unknown()[TpccRun.NEW_ORDER],
          r.committed()[TpccRun.PAYMENT], r.unknown()[TpccRun.PAYMENT]);
    }
    assertEquals(List.of(), violations);
    assertTrue(r.replays() > 0 && r.recovered() > 0, "conflicts happened and were replayed: " + r.replays()
        + " replays, " + r.recovered() + " recovered calls");
    assertTrue(r.committed()[TpccRun.NEW_ORDER] > 0, "orders were written");
    r.failures().keySet().forEach(kind -> assertTrue(kind.endsWith("40001") || kind.endsWith("40P01"),
        "only conflicts the driver could not prove safe to replay reach the application: " + r.failures()));
  }

  /** The checker finds a lost order line and a lost stock update: it is not a test that cannot fail. */
  @Test
  void theCheckerReportsALostOrderLineAndALostStockUpdate(TestDatabase db) throws Exception {
    try (Connection admin = db.plain()) {
      TpccSchema.create(admin, 1);
    }
    TpccRun.Result r = TpccRun.run(db.plainUrl(), db.credentials(), 1, 1, 30, 0, 7);
    try (Connection admin = db.plain(); Statement s = admin.createStatement()) {
      long orders = r.committed()[TpccRun.NEW_ORDER];
      long payments = r.committed()[TpccRun.PAYMENT];
      assertEquals(List.of(), TpccConsistency.check(admin, orders, 0, payments, 0), "one terminal: no conflict");
      s.execute("DELETE FROM order_line WHERE ctid = (SELECT min(ctid) FROM order_line)");
      s.execute("UPDATE stock SET s_ytd = s_ytd + 1 WHERE s_w_id = 1 AND s_i_id = 1");
      List<String> violations = TpccConsistency.check(admin, orders, 0, payments + 1, 0);
      assertTrue(violations.stream().anyMatch(v -> v.startsWith("condition 6:")), violations.toString());
      assertTrue(violations.stream().anyMatch(v -> v.startsWith("condition stock:")), violations.toString());
      assertTrue(violations.stream().anyMatch(v -> v.startsWith("acknowledged Payments:")), violations.toString());
    }
  }
}
