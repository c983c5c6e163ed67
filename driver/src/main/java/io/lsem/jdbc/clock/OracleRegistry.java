package io.lsem.jdbc.clock;

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

  private OracleRegistry() {}

  public static OracleRegistry shared() {
    return SHARED;
  }

  /**
   * The oracle of class {@code className} (empty: the default {@link HybridLogicalClock}) with
   * the given maximum offset, created on first use.
   */
  public TimestampOracle oracle(String className, long maxOffsetMillis) {
    String key = className + "@" + maxOffsetMillis;
    return oracles.computeIfAbsent(key, k -> create(className, maxOffsetMillis));
  }

  private static TimestampOracle create(String className, long maxOffsetMillis) {
    if (className.isEmpty()) {
      return new HybridLogicalClock(maxOffsetMillis);
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
