package io.lsem.jdbc.pool;

import io.lsem.jdbc.config.LsemSettings;

/**
 * A pool's settings in the units it uses (nanoseconds), from the driver's properties (see the
 * {@code pool*} entries of {@link io.lsem.jdbc.LsemProperty}).
 */
record PoolSettings(int maxSize, int minIdle, long connectionTimeoutNanos, long idleTimeoutNanos,
    long maxLifetimeNanos, long keepaliveNanos, long validationTimeoutNanos, long validationBypassNanos,
    long leakThresholdNanos, boolean leakReclaim, boolean autoCommit, String initSql) {

  static PoolSettings of(LsemSettings s) {
    return new PoolSettings(s.poolMaxSize(), Math.min(s.poolMinIdle(), s.poolMaxSize()),
        s.poolConnectionTimeout().toNanos(), s.poolIdleTimeout().toNanos(), s.poolMaxLifetime().toNanos(),
        s.poolKeepalive().toNanos(), s.poolValidationTimeout().toNanos(), s.poolValidationBypass().toNanos(),
        s.poolLeakDetectionThreshold().toNanos(), s.poolLeakReclaim(), s.poolAutoCommit(), s.poolInitSql());
  }

  /**
   * How often the housekeeper looks at the pool: often enough for the shortest of the timeouts it
   * enforces (a quarter of it), at most every 30 s, at least every 10 ms.
   */
  long housekeepingNanos() {
    long period = 30_000_000_000L;
    for (long t : new long[] {idleTimeoutNanos, maxLifetimeNanos, keepaliveNanos, leakThresholdNanos}) {
      if (t > 0) {
        period = Math.min(period, t / 4);
      }
    }
    return Math.max(period, 10_000_000L);
  }
}
