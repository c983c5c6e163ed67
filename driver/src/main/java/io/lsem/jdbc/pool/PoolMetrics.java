package io.lsem.jdbc.pool;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer gauges and counters of an {@link LsemDataSource}'s pool, for applications that have
 * Micrometer (an optional dependency of the driver: this class is only loaded when used):
 * {@code lsem.pool.connections.active|idle|pending|total|max}, the counters
 * {@code lsem.pool.connections.created|evicted}, {@code lsem.pool.borrows} and
 * {@code lsem.pool.leaks}, and the timers {@code lsem.pool.borrow.wait} (how long each borrow waited)
 * and {@code lsem.pool.usage} (how long each borrowed connection was held until given back), all
 * tagged {@code pool=<name>}. The timers are function timers over the pool's own totals (count and
 * total time, so rates and means; no percentiles): nothing is added to a borrow.
 * {@code new PoolMetrics(ds, "orders").bindTo(registry)}.
 */
public final class PoolMetrics implements MeterBinder {
  private final LsemDataSource dataSource;
  private final String name;

  public PoolMetrics(LsemDataSource dataSource, String name) {
    this.dataSource = dataSource;
    this.name = name;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    gauge(registry, "lsem.pool.connections.active", "connections handed out", ds -> ds.stats().active());
    gauge(registry, "lsem.pool.connections.idle", "connections ready in the pool", ds -> ds.stats().idle());
    gauge(registry, "lsem.pool.connections.pending", "borrowers waiting", ds -> ds.stats().pending());
    gauge(registry, "lsem.pool.connections.total", "connections held", ds -> ds.stats().total());
    gauge(registry, "lsem.pool.connections.max", "most connections the pool may hold", ds -> ds.stats().max());
    counter(registry, "lsem.pool.connections.created", "connections opened", ds -> ds.stats().created());
    counter(registry, "lsem.pool.connections.evicted", "connections closed by the pool", ds -> ds.stats().evicted());
    counter(registry, "lsem.pool.borrows", "connections handed out", ds -> ds.stats().borrows());
    FunctionTimer.builder("lsem.pool.borrow.wait", dataSource, ds -> ds.stats().borrows(),
            ds -> ds.stats().borrowWaitNanos(), TimeUnit.NANOSECONDS)
        .description("how long borrowers waited for a connection").tag("pool", name).register(registry);
    FunctionTimer.builder("lsem.pool.usage", dataSource, ds -> {
          PoolStats s = ds.stats();
          return s.borrows() - s.active(); // the borrows given back, whose time is in usageNanos
        }, ds -> ds.stats().usageNanos(), TimeUnit.NANOSECONDS)
        .description("how long borrowed connections were held").tag("pool", name).register(registry);
    counter(registry, "lsem.pool.leaks", "borrows reported as possible leaks", ds -> ds.stats().leaks());
  }

  private void gauge(MeterRegistry registry, String meter, String description,
      java.util.function.ToDoubleFunction<LsemDataSource> value) {
    Gauge.builder(meter, dataSource, value).description(description).tag("pool", name).register(registry);
  }

  private void counter(MeterRegistry registry, String meter, String description,
      java.util.function.ToDoubleFunction<LsemDataSource> value) {
    FunctionCounter.builder(meter, dataSource, value).description(description).tag("pool", name).register(registry);
  }
}
