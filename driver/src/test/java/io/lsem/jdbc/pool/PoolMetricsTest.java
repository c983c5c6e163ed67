package io.lsem.jdbc.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Micrometer binder reports the pool's live numbers. */
@ExtendWith(PostgresExtension.class)
class PoolMetricsTest {

  @Test
  void gaugesAndCountersFollowThePool(TestDatabase db) throws SQLException {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (LsemDataSource ds = PoolTest.dataSource(db, "poolMaxSize", "3", "poolMinIdle", "0")) {
      new PoolMetrics(ds, "orders").bindTo(registry);
      try (Connection a = ds.getConnection(); Connection b = ds.getConnection()) {
        assertEquals(2.0, registry.get("lsem.pool.connections.active").tag("pool", "orders").gauge().value());
        assertEquals(3.0, registry.get("lsem.pool.connections.max").gauge().value());
        assertEquals(0.0, registry.get("lsem.pool.usage").functionTimer().count(), "none given back yet");
        try (java.sql.Statement s = a.createStatement()) {
          s.execute("SELECT pg_sleep(0.05)"); // held for at least 50 ms
        }
      }
      // timers, not counters of seconds: a count of events and their total time
      assertEquals(2.0, registry.get("lsem.pool.borrow.wait").functionTimer().count());
      assertEquals(2.0, registry.get("lsem.pool.usage").functionTimer().count());
      assertTrue(registry.get("lsem.pool.usage").functionTimer().totalTime(java.util.concurrent.TimeUnit.MILLISECONDS) >= 50,
          "usage includes the 50 ms the first connection was held");
      assertEquals(0.0, registry.get("lsem.pool.connections.active").gauge().value());
      assertEquals(2.0, registry.get("lsem.pool.connections.idle").gauge().value());
      assertEquals(2.0, registry.get("lsem.pool.borrows").functionCounter().count());
      assertEquals(2.0, registry.get("lsem.pool.connections.created").functionCounter().count());
    }
  }
}
