package io.lsem.jdbc.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
      }
      assertEquals(0.0, registry.get("lsem.pool.connections.active").gauge().value());
      assertEquals(2.0, registry.get("lsem.pool.connections.idle").gauge().value());
      assertEquals(2.0, registry.get("lsem.pool.borrows").functionCounter().count());
      assertEquals(2.0, registry.get("lsem.pool.connections.created").functionCounter().count());
    }
  }
}
