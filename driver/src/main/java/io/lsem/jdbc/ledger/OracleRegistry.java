package io.lsem.jdbc.ledger;

import io.lsem.jdbc.clock.HybridLogicalClock;
import io.lsem.jdbc.clock.TimestampOracle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JVM's timestamp oracles, one per kind (class name and maximum clock offset), shared by
 * every connection of the driver: commit timestamps of one JVM must come from one clock to
 * increase with commit order. Part of the driver's own state, like its registration; it holds as
 * many entries as there are distinct oracle settings (normally one).
 */
public final class OracleRegistry {
  private static final OracleRegistry SHARED = new OracleRegistry();
  private final Map<String, TimestampOracle> oracles = new ConcurrentHashMap<>();

  /** What other layers keep per oracle (the XA global transactions of each), made on first use. */
  private final Map<TimestampOracle, Object> companions = new ConcurrentHashMap<>();

  private OracleRegistry() {}

  /**
   * The companion object of {@code oracle} (one per oracle for the JVM: the XA layer's global
   * transactions, say), made by {@code make} on first use.
   */
  public <T> T companion(TimestampOracle oracle, Class<T> type, java.util.function.Function<TimestampOracle, T> make) {
    return type.cast(companions.computeIfAbsent(oracle, make::apply));
  }

  public static OracleRegistry shared() {
    return SHARED;
  }

  /**
   * The oracle of class {@code className} (empty: the default {@link HybridLogicalClock}) with
   * the given maximum offset, created on first use.
   */
  public TimestampOracle oracle(String className, long maxOffsetMillis) {
    return oracle(className, "", java.time.Duration.ZERO, maxOffsetMillis);
  }

  /**
   * The oracle named by {@code timestampOracle}: empty or {@code local} the in-JVM clock,
   * {@code etcd} the one shared through {@code coordinator}, else a class name.
   */
  public TimestampOracle oracle(String kind, String coordinator, java.time.Duration coordinatorTimeout,
      long maxOffsetMillis) {
    String key = kind + "@" + maxOffsetMillis + "@" + coordinator + "@" + coordinatorTimeout.toMillis();
    return oracles.computeIfAbsent(key, k -> create(kind, coordinator, coordinatorTimeout, maxOffsetMillis));
  }

  private static TimestampOracle create(String className, String coordinator, java.time.Duration timeout,
      long maxOffsetMillis) {
    if (className.isEmpty() || className.equals("local")) {
      return new HybridLogicalClock(maxOffsetMillis);
    }
    if (className.equals("etcd")) {
      return new io.lsem.jdbc.clock.etcd.EtcdTimestampOracle(io.lsem.jdbc.value.CoordinatorAddress.parse(coordinator),
          timeout, maxOffsetMillis);
    }
    try {
      Class<?> type = Class.forName(className, true, Thread.currentThread().getContextClassLoader() != null
          ? Thread.currentThread().getContextClassLoader() : OracleRegistry.class.getClassLoader());
      return (TimestampOracle) type.getConstructor().newInstance();
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalArgumentException("timestampOracle '" + className
          + "' is not a TimestampOracle class with a public no-argument constructor", e);
    }
  }
}
